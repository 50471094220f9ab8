/*
 * What CnnClassificationModel.transform runs in each partition: the rows in batches of `batch`,
 * each row's features turned into the sample's pixels (Features), the batch through the model in
 * inference mode (Inference: the evaluation pipeline and normalisation of training), and every
 * row given back with its prediction (the class index of the largest logit), probability (the
 * softmax) and raw prediction (the logits). A row whose image or file does not decode keeps null
 * in the three columns. The model travels once per transform as the bytes of its model file in a
 * broadcast and is parsed once per executor JVM (LOADED); the rows stream through, one batch at a
 * time, so a partition of any size needs only a batch of memory.
 */
package org.sparkcnn.ml;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.sparkcnn.data.Block;
import org.sparkcnn.driver.step.Inference;
import org.sparkcnn.engine.ModelFile;

final class Predictions implements MapPartitionsFunction<Row, Row> {
  private static final Map<Long, ModelFile.Contents> LOADED = new LinkedHashMap<>();
  private static final int LOADED_KEPT = 2;

  private final Broadcast<byte[]> model; // the model file's bytes
  private final Features features;
  private final int featuresCol;
  private final int pathCol; // -1: none
  private final boolean[] outputs; // prediction, probability, raw prediction
  private final int batch;

  Predictions(
      Broadcast<byte[]> model,
      Features features,
      int featuresCol,
      int pathCol,
      boolean[] outputs,
      int batch) {
    this.model = model;
    this.features = features;
    this.featuresCol = featuresCol;
    this.pathCol = pathCol;
    this.outputs = outputs;
    this.batch = batch;
  }

  /** The model of a broadcast, parsed once per JVM. */
  private static synchronized ModelFile.Contents loaded(Broadcast<byte[]> b) {
    ModelFile.Contents m = LOADED.get(b.id());
    if (m == null) {
      try {
        m = ModelFile.read(new ByteArrayInputStream(b.value()), "the broadcast model");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      LOADED.put(b.id(), m);
      while (LOADED.size() > LOADED_KEPT) {
        LOADED.remove(LOADED.keySet().iterator().next());
      }
    }
    return m;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    ModelFile.Contents m = loaded(model);
    Inference.Input input = Inference.input(m);
    return new Iterator<>() {
      private final ArrayDeque<Row> ready = new ArrayDeque<>();
      private Inference inference;

      @Override
      public boolean hasNext() {
        if (ready.isEmpty() && rows.hasNext()) {
          if (inference == null) {
            inference = Inference.open("predict-" + model.id(), m, input);
            Inference opened = inference;
            TaskContext task = TaskContext.get();
            if (task != null) {
              task.addTaskCompletionListener(
                  (org.apache.spark.util.TaskCompletionListener) ctx -> opened.close());
            }
          }
          List<Row> in = new ArrayList<>(batch);
          while (in.size() < batch && rows.hasNext()) {
            in.add(rows.next());
          }
          predict(inference, input, in, ready);
          if (TaskContext.get() == null && !rows.hasNext()) {
            inference.close();
          }
        }
        return !ready.isEmpty();
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return ready.poll();
      }
    };
  }

  /** Appends the rows of in, with their predictions, to out. */
  private void predict(
      Inference inference, Inference.Input input, List<Row> in, ArrayDeque<Row> out) {
    int n = in.size();
    int size = features.shape.size();
    byte[][] pixels = new byte[n][];
    int good = 0;
    for (int i = 0; i < n; i++) {
      Row r = in.get(i);
      String where = Features.origin(r, featuresCol, pathCol);
      pixels[i] = features.pixels(r, featuresCol, where != null ? where : "a row");
      good += pixels[i] == null ? 0 : 1;
    }
    float[] logits =
        good == 0
            ? new float[0]
            : inference.logits(
                block(
                    in,
                    pixels,
                    good,
                    size,
                    input.fromFiles() && features.kind == Features.Kind.FILE));
    int k = inference.classes();
    for (int i = 0, at = 0; i < n; i++) {
      Row r = in.get(i);
      List<Object> values = new ArrayList<>(r.length() + 3);
      for (int c = 0; c < r.length(); c++) {
        values.add(r.get(c));
      }
      if (pixels[i] == null) {
        for (boolean o : outputs) {
          if (o) {
            values.add(null);
          }
        }
      } else {
        append(values, logits, at++ * k, k);
      }
      out.add(RowFactory.create(values.toArray()));
    }
  }

  /** The decodable samples as one block: pixels, or (files) the files for the pipeline. */
  private Block block(List<Row> in, byte[][] pixels, int good, int size, boolean files) {
    long[] ids = new long[good];
    int[] labels = new int[good];
    if (!files) {
      byte[] all = new byte[good * size];
      for (int i = 0, at = 0; i < pixels.length; i++) {
        if (pixels[i] != null) {
          System.arraycopy(pixels[i], 0, all, at++ * size, size);
        }
      }
      return new Block(0, features.shape, ids, labels, all);
    }
    List<byte[]> kept = new ArrayList<>();
    String[] paths = new String[good];
    for (int i = 0; i < pixels.length; i++) {
      if (pixels[i] != null) {
        String where = Features.origin(in.get(i), featuresCol, pathCol);
        paths[kept.size()] = where != null ? where : "a row";
        kept.add((byte[]) in.get(i).get(featuresCol));
      }
    }
    int[] offsets = new int[good + 1];
    for (int i = 0; i < good; i++) {
      offsets[i + 1] = offsets[i] + kept.get(i).length;
    }
    byte[] bytes = new byte[offsets[good]];
    for (int i = 0; i < good; i++) {
      System.arraycopy(kept.get(i), 0, bytes, offsets[i], kept.get(i).length);
    }
    return Block.encoded(0, features.shape, ids, labels, bytes, offsets, paths);
  }

  /** prediction, probability (softmax) and raw prediction of logits[at .. at + k). */
  private void append(List<Object> values, float[] logits, int at, int k) {
    double[] raw = new double[k];
    int best = 0;
    for (int c = 0; c < k; c++) {
      raw[c] = logits[at + c];
      best = raw[c] > raw[best] ? c : best;
    }
    if (outputs[0]) {
      values.add((double) best);
    }
    if (outputs[1]) {
      double[] p = new double[k];
      double sum = 0;
      for (int c = 0; c < k; c++) {
        p[c] = Math.exp(raw[c] - raw[best]);
        sum += p[c];
      }
      for (int c = 0; c < k; c++) {
        p[c] /= sum;
      }
      values.add(Vectors.dense(p));
    }
    if (outputs[2]) {
      values.add(Vectors.dense(raw));
    }
  }
}

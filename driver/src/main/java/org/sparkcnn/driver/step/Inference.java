/*
 * Forward passes of a trained model in inference mode on the executors, for anything that applies
 * a model to new images (the Spark ML model's transform, predict, evaluate). A sample goes through
 * what the test split went through in training: its pixels at the data's size (the source shape),
 * the evaluation pipeline (resize, center_crop, normalize: the EVAL_OPS of data.augment, or
 * data.eval_transform) and the dataset's normalisation, all read from the model file's meta
 * (Input). Model replicas come from Replicas, kept per model between the tasks of an executor.
 */
package org.sparkcnn.driver.step;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.sparkcnn.data.Block;
import org.sparkcnn.data.Normalizer;
import org.sparkcnn.data.augment.Augmentation;
import org.sparkcnn.data.augment.Pipeline;
import org.sparkcnn.data.batch.Batch;
import org.sparkcnn.engine.Architecture;
import org.sparkcnn.engine.ModelFile;
import org.sparkcnn.engine.Shape;

public final class Inference implements AutoCloseable {
  /**
   * How a model sees its data: the shape of a sample as the data source gives it ([C, H, W] bytes:
   * for image files, data.image_size), the evaluation pipeline from there to the model's input, the
   * normalisation and the class names (empty when the data had none).
   */
  public record Input(Shape source, Pipeline eval, Normalizer norm, List<String> classNames)
      implements Serializable {
    /** Whether encoded files go into the pipeline at their own size (Batch.fromFiles). */
    public boolean fromFiles() {
      return Batch.fromFiles(eval);
    }
  }

  private final String key;
  private final Replicas.Worker worker;
  private final Batch.Recipe recipe;
  private final int classes;

  private Inference(String key, Replicas.Worker worker, Batch.Recipe recipe, int classes) {
    this.key = key;
    this.worker = worker;
    this.recipe = recipe;
    this.classes = classes;
  }

  /** The meta a trained model file carries for Input (written by the Trainer). */
  public static void describe(
      Map<String, Object> meta,
      Shape source,
      List<?> augment,
      List<?> evalTransform,
      Normalizer norm,
      List<String> classNames) {
    meta.put("source_shape", new int[] {source.c(), source.h(), source.w()});
    meta.put("data_augment", augment);
    meta.put("data_eval_transform", evalTransform);
    meta.put("normalize_mean", norm.mean());
    meta.put("normalize_std", norm.std());
    meta.put("class_names", classNames);
  }

  /**
   * The Input of a model file. A file without source_shape (written before it was recorded) is
   * taken as seeing its input shape directly, with no evaluation ops.
   */
  public static Input input(ModelFile.Contents model) {
    Map<String, Object> meta = model.meta() == null ? Map.of() : model.meta();
    Architecture arch = model.architecture();
    Shape source =
        meta.get("source_shape") instanceof List<?> s && s.size() == 3
            ? Shape.of(ints(s))
            : arch.input();
    List<?> augment = meta.get("data_augment") instanceof List<?> a ? a : List.of();
    List<?> eval = meta.get("data_eval_transform") instanceof List<?> e ? e : List.of();
    Pipeline pipe;
    try {
      pipe =
          Augmentation.parse(augment, "data.augment", eval, "data.eval_transform", source).eval();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "the model's evaluation transform does not apply: " + e.getMessage(), e);
    }
    if (!pipe.output().equals(arch.input())) {
      throw new IllegalArgumentException(
          "the model's evaluation transform makes "
              + pipe.output()
              + " from "
              + source
              + " but the model takes "
              + arch.input());
    }
    Normalizer norm =
        meta.get("normalize_mean") instanceof List<?> m
                && meta.get("normalize_std") instanceof List<?> s
                && m.size() == source.c()
            ? new Normalizer(floats(m), floats(s))
            : Normalizer.identity(source.c());
    List<String> names = new ArrayList<>();
    if (meta.get("class_names") instanceof List<?> n) {
      n.forEach(o -> names.add(String.valueOf(o)));
    }
    return new Input(source, pipe, norm, names);
  }

  private static int[] ints(List<?> l) {
    return l.stream().mapToInt(o -> ((Number) o).intValue()).toArray();
  }

  private static float[] floats(List<?> l) {
    float[] f = new float[l.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = ((Number) l.get(i)).floatValue();
    }
    return f;
  }

  /**
   * A model replica for key (one per model: a task borrows it, close() gives it back) with the
   * model's weights and buffers loaded.
   */
  public static Inference open(String key, ModelFile.Contents model, Input input) {
    Architecture arch = model.architecture();
    Replicas.Worker w = Replicas.borrow(key, arch);
    w.model.setParams(model.params());
    if (model.buffers().length > 0) {
      w.model.setBuffers(model.buffers());
    }
    var recipe = new Batch.Recipe(input.eval(), input.norm(), null, 0, 0);
    return new Inference(key, w, recipe, arch.output().size());
  }

  /**
   * The logits [n, classes] of the n samples of a block, in its order: decoded pixels of the source
   * shape, or (when the pipeline takes files, Input.fromFiles) the encoded files. The array is a
   * view, valid until the next call.
   */
  public float[] logits(Block block) {
    int n = block.size();
    worker.ensureBatch(n);
    worker.batch.fill(recipe, block, null, 0, n, 0);
    return worker.model.forward(worker.batch.x, n, false);
  }

  public int classes() {
    return classes;
  }

  @Override
  public void close() {
    Replicas.giveBack(worker);
  }
}

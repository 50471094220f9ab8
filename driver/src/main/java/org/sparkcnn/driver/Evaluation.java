/*
 * Forward-only evaluation of a partition's block in inference mode, in chunks of the evaluation
 * batch size, through the evaluation pipeline (resize, center_crop, normalize; none for most
 * jobs): summed loss and correct predictions, no gradient.
 */
package org.sparkcnn.driver;

import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.sparkcnn.data.Block;
import org.sparkcnn.data.Normalizer;
import org.sparkcnn.data.augment.Pipeline;
import org.sparkcnn.engine.Architecture;
import org.sparkcnn.engine.LocalStep;
import org.sparkcnn.engine.Loss;

final class Evaluation implements FlatMapFunction<Iterator<Block>, StepResult> {
  private final String runId;
  private final Architecture arch;
  private final Broadcast<float[]> weights;
  private final Broadcast<float[]> buffers; // null when the model has none
  private final Normalizer norm;
  private final Pipeline pipeline;
  private final Loss loss;
  private final int batch;

  Evaluation(String runId, Architecture arch, Broadcast<float[]> weights,
      Broadcast<float[]> buffers, Normalizer norm, Pipeline pipeline, Loss loss, int batch) {
    this.pipeline = pipeline;
    this.loss = loss;
    this.runId = runId;
    this.arch = arch;
    this.weights = weights;
    this.buffers = buffers;
    this.norm = norm;
    this.batch = batch;
  }

  @Override
  public Iterator<StepResult> call(Iterator<Block> blocks) {
    StepResult total = StepResult.zero();
    Replicas.Worker w = Replicas.borrow(runId, arch);
    try {
      w.model.setParams(weights.value());
      if (buffers != null) {
        w.model.setBuffers(buffers.value());
      }
      while (blocks.hasNext()) {
        Block b = blocks.next();
        for (int from = 0; from < b.size(); from += batch) {
          int n = Math.min(batch, b.size() - from);
          w.ensureBatch(n);
          if (pipeline.isEmpty()) {
            b.gather(null, from, n, norm, w.x, w.y);
          } else {
            w.augmenter.gather(pipeline, b, null, from, n, norm, 0, 0, w.x, w.y, null, 0);
          }
          LocalStep.Stats s = LocalStep.evaluate(w.model, w.x, w.y, n, loss);
          StepResult.merge(total, new StepResult(null, s.lossSum(), s.correct(), s.count(), 0));
        }
      }
    } finally {
      Replicas.giveBack(runId, w);
    }
    return List.of(total).iterator();
  }
}

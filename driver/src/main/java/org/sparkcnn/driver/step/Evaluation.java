/*
 * Forward-only evaluation of a partition's block in inference mode, in chunks of the evaluation
 * batch size, through the evaluation pipeline (resize, center_crop, normalize; none for most
 * jobs): summed loss and correct predictions, no gradient. Encoded blocks are decoded a chunk at a
 * time, as training decodes them. It also drops the run's prefetched minibatches, if any are left.
 */
package org.sparkcnn.driver.step;

import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.sparkcnn.data.Block;
import org.sparkcnn.data.batch.Batch;
import org.sparkcnn.data.batch.Prefetcher;
import org.sparkcnn.driver.sync.StepResult;
import org.sparkcnn.engine.Architecture;
import org.sparkcnn.engine.LocalStep;
import org.sparkcnn.engine.Loss;

public final class Evaluation implements FlatMapFunction<Iterator<Block>, StepResult> {
  private final String runId;
  private final Architecture arch;
  private final Broadcast<float[]> weights;
  private final Broadcast<float[]> buffers; // null when the model has none
  private final Batch.Recipe recipe;
  private final Loss loss;
  private final int batch;

  /** recipe: the evaluation pipeline, the normaliser and the decoders of encoded blocks. */
  public Evaluation(
      String runId,
      Architecture arch,
      Broadcast<float[]> weights,
      Broadcast<float[]> buffers,
      Batch.Recipe recipe,
      Loss loss,
      int batch) {
    this.recipe = recipe;
    this.loss = loss;
    this.runId = runId;
    this.arch = arch;
    this.weights = weights;
    this.buffers = buffers;
    this.batch = batch;
  }

  @Override
  public Iterator<StepResult> call(Iterator<Block> blocks) {
    StepResult total = StepResult.zero();
    Prefetcher.SHARED.drop(runId); // the epoch's training is over: nothing it prefetched is needed
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
          w.batch.fill(recipe, b, null, from, n, 0);
          LocalStep.Stats s = LocalStep.evaluate(w.model, w.batch.x, w.batch.y, n, loss);
          StepResult.merge(total, new StepResult(null, s.lossSum(), s.correct(), s.count(), 0));
        }
      }
    } finally {
      Replicas.giveBack(w);
    }
    return List.of(total).iterator();
  }
}

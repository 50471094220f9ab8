/*
 * The part of a training step that runs in each partition's task: pick this step's local minibatch
 * from the block's epoch order, augment it (when the pipeline has ops; each sample's draws come
 * from (seed, epoch, sample id)) and normalise it, run forward and backward on a kept replica with
 * the broadcast weights, against soft targets when mixup or cutmix mixed the batch, and return the
 * summed gradient, loss and counts. A retried task computes the same numbers: the order comes from
 * (seed, epoch, partition) and the weights from the broadcast.
 */
package org.sparkcnn.driver;

import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.sparkcnn.data.Block;
import org.sparkcnn.data.LocalBatches;
import org.sparkcnn.data.Normalizer;
import org.sparkcnn.data.augment.Pipeline;
import org.sparkcnn.engine.Architecture;
import org.sparkcnn.engine.LocalStep;
import org.sparkcnn.engine.Loss;
import org.sparkcnn.engine.Rng;

final class ExecutorStep implements FlatMapFunction<Iterator<Block>, StepResult> {
  /** Tags the per-step stream (dropout masks) among the job's random streams. */
  static final long STEP_STREAM = 0x53544550L;
  private final String runId;
  private final Architecture arch;
  private final Broadcast<float[]> weights;
  private final Broadcast<float[]> buffers; // null when the model has none
  private final Normalizer norm;
  private final Pipeline pipeline;
  private final Loss loss;
  private final LocalBatches batches;
  private final long seed;
  private final int epoch;
  private final int step; // within the epoch

  ExecutorStep(String runId, Architecture arch, Broadcast<float[]> weights,
      Broadcast<float[]> buffers, Normalizer norm, Pipeline pipeline, Loss loss,
      LocalBatches batches, long seed, int epoch, int step) {
    this.pipeline = pipeline;
    this.loss = loss;
    this.runId = runId;
    this.arch = arch;
    this.weights = weights;
    this.buffers = buffers;
    this.norm = norm;
    this.batches = batches;
    this.seed = seed;
    this.epoch = epoch;
    this.step = step;
  }

  @Override
  public Iterator<StepResult> call(Iterator<Block> blocks) {
    long t0 = System.nanoTime();
    Block block = blocks.next();
    int n = batches.localBatch(block.partition());
    Replicas.Worker w = Replicas.borrow(runId, arch);
    try {
      w.ensureBatch(n);
      int[] order = w.epochOrder(block, seed, epoch);
      int k = arch.output().size();
      if (pipeline.isEmpty()) {
        block.gather(order, step * n, n, norm, w.x, w.y);
      } else {
        w.augmenter.gather(pipeline, block, order, step * n, n, norm, seed, epoch, w.x, w.y,
            w.targets, k);
      }
      w.model.setParams(weights.value());
      if (buffers != null) {
        w.model.setBuffers(buffers.value());
      }
      long stepSeed = Rng.of(seed, STEP_STREAM, epoch, step, block.partition()).nextLong();
      LocalStep.Stats s = pipeline.mixes()
          ? w.step.gradient(w.model, w.x, w.targets, n, stepSeed, loss)
          : w.step.gradient(w.model, w.x, w.y, n, stepSeed, loss);
      float[] grads = w.model.vectors().grads.clone();
      float[] updated = buffers == null ? null : w.model.vectors().buffers.clone();
      return List.of(new StepResult(grads, s.lossSum(), s.correct(), s.count(),
          System.nanoTime() - t0, updated, 1)).iterator();
    } finally {
      Replicas.giveBack(runId, w);
    }
  }
}

/*
 * The part of a training step that runs in each partition's task: pick this step's local minibatch
 * from the block's epoch order, augment it (when the pipeline has ops; each sample's draws come
 * from (seed, epoch, sample id)) and normalise it, run forward and backward on a kept replica with
 * the broadcast weights, against soft targets when mixup or cutmix mixed the batch, and return the
 * summed gradient, loss and counts. With accumulation (k local minibatches per step) step s takes
 * minibatches s k, ..., s k + k - 1 of the epoch order one after the other and returns their
 * summed gradient: the samples of one minibatch k times as large. A retried task computes the
 * same numbers: the order comes from (seed, epoch, partition) and the weights from the broadcast.
 * An encoded block (data.cache: encoded) has just the minibatch's files decoded, in the step.
 * With data.prefetch, once a minibatch is ready the partition's next one of the epoch is prepared
 * in the background (Prefetcher) while this one computes; the next task takes it by its exact key.
 */
package org.sparkcnn.driver.step;

import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.sparkcnn.data.Block;
import org.sparkcnn.data.LocalBatches;
import org.sparkcnn.data.Normalizer;
import org.sparkcnn.data.augment.Pipeline;
import org.sparkcnn.data.batch.Batch;
import org.sparkcnn.data.batch.Prefetcher;
import org.sparkcnn.driver.sync.BarrierEpoch;
import org.sparkcnn.driver.sync.StepResult;
import org.sparkcnn.engine.Architecture;
import org.sparkcnn.engine.LocalStep;
import org.sparkcnn.engine.Loss;
import org.sparkcnn.engine.Rng;

public final class ExecutorStep
    implements FlatMapFunction<Iterator<Block>, StepResult>, BarrierEpoch.Steps<Block> {
  /** Tags the per-step stream (dropout masks) among the job's random streams. */
  static final long STEP_STREAM = 0x53544550L;

  private final String runId;
  private final Architecture arch;
  private final Broadcast<float[]> weights;
  private final Broadcast<float[]> buffers; // null when the model has none
  private final Batch.Recipe recipe; // pipeline, normaliser, decoder, seed
  private final Loss loss;
  private final LocalBatches batches;
  private final int epoch;
  private final int step; // within the epoch
  private final int accumulate; // local minibatches per step
  private final boolean prefetch; // data.prefetch
  private final long recipeId; // recipe.fingerprint(), taken once on the driver

  public ExecutorStep(
      String runId,
      Architecture arch,
      Broadcast<float[]> weights,
      Broadcast<float[]> buffers,
      Normalizer norm,
      Pipeline pipeline,
      Loss loss,
      LocalBatches batches,
      long seed,
      int epoch,
      int step) {
    this(runId, arch, weights, buffers, norm, pipeline, loss, batches, seed, epoch, step, 1);
  }

  public ExecutorStep(
      String runId,
      Architecture arch,
      Broadcast<float[]> weights,
      Broadcast<float[]> buffers,
      Normalizer norm,
      Pipeline pipeline,
      Loss loss,
      LocalBatches batches,
      long seed,
      int epoch,
      int step,
      int accumulate) {
    this(
        runId,
        arch,
        weights,
        buffers,
        new Batch.Recipe(pipeline, norm, null, seed, arch.output().size()),
        loss,
        batches,
        epoch,
        step,
        accumulate,
        false);
  }

  /** The step of a run whose batches are made as recipe says (its decoder for encoded blocks). */
  public ExecutorStep(
      String runId,
      Architecture arch,
      Broadcast<float[]> weights,
      Broadcast<float[]> buffers,
      Batch.Recipe recipe,
      Loss loss,
      LocalBatches batches,
      int epoch,
      int step,
      int accumulate,
      boolean prefetch) {
    this.recipe = recipe;
    this.prefetch = prefetch;
    this.recipeId = prefetch ? recipe.fingerprint() : 0;
    this.accumulate = accumulate;
    this.loss = loss;
    this.runId = runId;
    this.arch = arch;
    this.weights = weights;
    this.buffers = buffers;
    this.batches = batches;
    this.epoch = epoch;
    this.step = step;
  }

  /** The long-lived task's state on block: the executor's replica, borrowed for the epoch. */
  @Override
  public BarrierEpoch.Local open(Block block) {
    Replicas.Worker w = Replicas.borrow(runId, arch);
    return new BarrierEpoch.Local() {
      @Override
      public StepResult compute(int step, float[] params, float[] buffers) {
        return ExecutorStep.this.compute(w, block, step, params, buffers, true);
      }

      @Override
      public void onGradientsReady(java.util.function.ObjIntConsumer<float[]> ready) {
        if (accumulate == 1) { // compute() lends the replica's own gradient array
          float[] grads = w.model.vectors().grads;
          w.step.onGradientsReady(ready == null ? null : from -> ready.accept(grads, from));
        }
      }

      @Override
      public boolean onParamsNeeded(java.util.function.IntConsumer needed) {
        w.step.onParamsNeeded(needed);
        return true;
      }

      @Override
      public void close() {
        w.step.onGradientsReady(null);
        w.step.onParamsNeeded(null);
        Replicas.giveBack(w);
      }
    };
  }

  @Override
  public Iterator<StepResult> call(Iterator<Block> blocks) {
    long t0 = System.nanoTime();
    Block block = blocks.next();
    Replicas.Worker w = Replicas.borrow(runId, arch);
    try {
      StepResult r =
          compute(w, block, step, weights.value(), buffers == null ? null : buffers.value(), false);
      r.computeNanos = System.nanoTime() - t0;
      return List.of(r).iterator();
    } finally {
      Replicas.giveBack(w);
    }
  }

  /**
   * Step `step` of the epoch on block with replica w set to params (and bufs, or null): the summed
   * gradient, loss and counts of its local minibatches, and the buffers after them. What call()
   * returns, and what a long-lived task (BarrierEpoch) computes each step. With lend, a single
   * minibatch's gradient is the replica's own array, not a copy: a long-lived task computes its
   * next step only after the driver has added this one.
   */
  StepResult compute(
      Replicas.Worker w, Block block, int step, float[] params, float[] bufs, boolean lend) {
    long t0 = System.nanoTime();
    int n = batches.localBatch(block.partition());
    w.ensureBatch(n);
    w.model.setParams(params);
    if (bufs != null) {
      w.model.setBuffers(bufs);
    }
    long seed = recipe.seed();
    int[] order = w.epochOrder(block, seed, epoch);
    float[] grads = null;
    double lossSum = 0;
    long correct = 0;
    long count = 0;
    int p = block.partition();
    int used = batches.stepsPerEpoch() / accumulate * accumulate; // minibatches the epoch uses
    for (int j = 0; j < accumulate; j++) {
      int micro = step * accumulate + j; // the minibatch's index in the epoch
      Batch ready = prefetch ? Prefetcher.SHARED.take(key(micro, p, n)) : null;
      if (ready != null) {
        Prefetcher.SHARED.recycle(w.batch);
        w.batch = ready;
      } else {
        w.batch.fill(recipe, block, order, micro * n, n, epoch);
      }
      if (prefetch && micro + 1 < used) {
        prefetchNext(block, order, micro + 1, n);
      }
      Batch b = w.batch;
      long stepSeed = Rng.of(seed, STEP_STREAM, epoch, micro, p).nextLong();
      LocalStep.Stats s =
          recipe.pipeline().mixes()
              ? w.step.gradient(w.model, b.x, b.targets, n, stepSeed, loss)
              : w.step.gradient(w.model, b.x, b.y, n, stepSeed, loss);
      float[] g = w.model.vectors().grads;
      if (grads == null) {
        grads = lend && accumulate == 1 ? g : g.clone();
      } else {
        for (int i = 0; i < g.length; i++) {
          grads[i] += g[i];
        }
      }
      lossSum += s.lossSum();
      correct += s.correct();
      count += s.count();
    }
    float[] updated = bufs == null ? null : w.model.vectors().buffers.clone();
    return new StepResult(grads, lossSum, correct, count, System.nanoTime() - t0, updated, 1);
  }

  private Prefetcher.Key key(int micro, int partition, int n) {
    return new Prefetcher.Key(runId, recipeId, epoch, micro, partition, n);
  }

  /** Has minibatch micro of block filled in the background, as fill() would fill it here. */
  private void prefetchNext(Block block, int[] order, int micro, int n) {
    Batch.Recipe r = recipe;
    int e = epoch;
    int inputSize = arch.input().size();
    int classes = arch.output().size();
    Prefetcher.SHARED.submit(
        key(micro, block.partition(), n),
        b -> {
          b.ensure(n, inputSize, classes);
          b.fill(r, block, order, micro * n, n, e);
        });
  }
}

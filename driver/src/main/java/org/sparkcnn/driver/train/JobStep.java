/*
 * A training step as one Spark job (train.execution: jobs): the weights broadcast, every
 * partition's ExecutorStep, and the partitions' results added in partition order, by the driver
 * (OrderedReduce) or shard by shard on the executors (train.aggregation: sharded).
 */
package org.sparkcnn.driver.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.sparkcnn.data.batch.Batch;
import org.sparkcnn.data.cache.TrainingData;
import org.sparkcnn.driver.config.Choices;
import org.sparkcnn.driver.config.Keys;
import org.sparkcnn.driver.config.TrainingPlan;
import org.sparkcnn.driver.step.ExecutorStep;
import org.sparkcnn.driver.sync.GradientBlocks;
import org.sparkcnn.driver.sync.OrderedReduce;
import org.sparkcnn.driver.sync.ShardedReduce;
import org.sparkcnn.driver.sync.StepResult;
import org.sparkcnn.engine.Vectors;

public final class JobStep {
  private JobStep() {}

  /** The summed result of step `step` of epoch `epoch` (global step globalStep) with weights v. */
  public static StepResult run(
      JavaSparkContext jsc,
      TrainingPlan plan,
      TrainingData data,
      int epoch,
      int step,
      int steps,
      long globalStep,
      Vectors v,
      String runId) {
    jsc.setJobGroup(
        "sparkcnn-train", "epoch " + epoch + " step " + (step + 1) + "/" + steps, false);
    jsc.setLocalProperty(GradientBlocks.STEP_PROPERTY, runId + "/" + globalStep);
    Published w = Published.of(jsc, v);
    JavaRDD<StepResult> results =
        data.train()
            .mapPartitions(
                new ExecutorStep(
                    runId,
                    plan.architecture(),
                    w.params(),
                    w.buffers(),
                    recipe(plan, data),
                    plan.loss(),
                    data.batches(),
                    epoch,
                    step,
                    plan.config().get(Keys.ACCUMULATE_STEPS),
                    plan.config().get(Keys.DATA_PREFETCH)));
    StepResult r =
        plan.config().get(Keys.AGGREGATION) == Choices.Aggregation.SHARDED
            ? ShardedReduce.sum(results, v.params.length)
            : OrderedReduce.sum(results);
    w.destroy();
    return r;
  }

  /** How the run's training batches are made: pipeline, normaliser, decoders, seed. */
  public static Batch.Recipe recipe(TrainingPlan plan, TrainingData data) {
    return new Batch.Recipe(
        plan.augment().train(),
        data.norm(),
        data.decoder(),
        plan.seed(),
        plan.architecture().output().size(),
        plan.config().get(Keys.DATA_JPEG_DECODER));
  }

  /** How the run's test batches are made: the evaluation pipeline, no draws. */
  public static Batch.Recipe evalRecipe(TrainingPlan plan, TrainingData data) {
    return new Batch.Recipe(
        plan.augment().eval(),
        data.norm(),
        data.decoder(),
        0,
        0,
        plan.config().get(Keys.DATA_JPEG_DECODER));
  }

  /** A step's weights and (when the model has any) buffers, broadcast to the executors. */
  public record Published(Broadcast<float[]> params, Broadcast<float[]> buffers) {
    public static Published of(JavaSparkContext jsc, Vectors v) {
      return new Published(
          jsc.broadcast(v.params.clone()),
          v.buffers.length == 0 ? null : jsc.broadcast(v.buffers.clone()));
    }

    public void destroy() {
      params.destroy();
      if (buffers != null) {
        buffers.destroy();
      }
    }
  }
}

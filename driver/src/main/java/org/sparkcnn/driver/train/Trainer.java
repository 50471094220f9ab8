/*
 * The synchronous-SGD loop of DESIGN.md, run on the driver. Each step: broadcast the weights (and
 * the buffers, BatchNorm's running statistics, if the model has any), every partition computes the
 * gradient sum of its local minibatch, OrderedReduce adds the sums with the loss, the counts and
 * the partitions' updated buffers in partition order (so a run is reproduced bit for bit; under
 * train.aggregation: sharded, ShardedReduce does it shard by shard on the executors), the driver
 * averages (g = sum / B, buffers over the partitions), checks that the numbers are finite,
 * applies the optimiser with the step's learning rate (LrSchedule) and destroys the old
 * broadcast. With train.accumulate_steps = k each partition adds k local minibatches per step. A
 * non-finite step stops the run before the weights change, naming the last checkpoint, which it
 * keeps, or is skipped (train.non_finite). Under train.execution: barrier (the default) the steps
 * of an epoch run in one barrier stage (BarrierSteps) instead of a job each; under
 * train.aggregation: allreduce its tasks add and update among themselves (AllReduceEpoch) and the
 * driver takes partition 0's report of each step, with their state at checkpoint steps (Progress).
 * The data is loaded, checked and laid out by TrainingData; at the start of every
 * data.reshuffle_every-th epoch the training samples are redealt over the partitions.
 * On a terminal each epoch shows a progress bar (TrainingProgress), elsewhere a line every tenth.
 * After each epoch EpochEnd evaluates the test set distributedly, appends a line to metrics.jsonl,
 * redraws the run's charts, replaces model.scnn atomically and writes a checkpoint; one is also
 * written every train.checkpoint_every_steps steps. A trainer given a
 * checkpoint continues from it exactly: the same steps follow as in a run that never stopped.
 */
package org.sparkcnn.driver.train;

import java.io.IOException;
import java.util.Arrays;
import java.util.UUID;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.sparkcnn.data.cache.DataConfigException;
import org.sparkcnn.data.cache.DataSpec;
import org.sparkcnn.data.cache.TrainingData;
import org.sparkcnn.driver.cli.Reporter;
import org.sparkcnn.driver.config.Choices;
import org.sparkcnn.driver.config.EngineKeys;
import org.sparkcnn.driver.config.JobConfig;
import org.sparkcnn.driver.config.Keys;
import org.sparkcnn.driver.config.LrSchedule;
import org.sparkcnn.driver.config.TrainingPlan;
import org.sparkcnn.driver.persist.Checkpoint;
import org.sparkcnn.driver.persist.RunFolder;
import org.sparkcnn.driver.step.ExecutorStep;
import org.sparkcnn.driver.step.Replicas;
import org.sparkcnn.driver.sync.AllReduceEpoch;
import org.sparkcnn.driver.sync.BarrierSlots;
import org.sparkcnn.driver.sync.BarrierSteps;
import org.sparkcnn.driver.sync.StepHub;
import org.sparkcnn.driver.sync.StepResult;
import org.sparkcnn.engine.ModelFile;

public final class Trainer {
  /** Tags the initialisation stream among the job's random streams. */
  static final long INIT_STREAM = 0x494E4954L;

  private final TrainingPlan plan;
  private final RunFolder run;
  private final EpochEnd end;
  private final Checkpoint from; // null for a run from scratch
  private LrSchedule schedule; // set by run(), once the steps per epoch are known

  public Trainer(TrainingPlan plan, RunFolder run) {
    this(plan, run, null);
  }

  /** A trainer that continues from a checkpoint (Resume checked it against the plan). */
  public Trainer(TrainingPlan plan, RunFolder run, Checkpoint from) {
    this.plan = plan;
    this.run = run;
    this.end = new EpochEnd(plan, run);
    this.from = from;
  }

  /** How a run ended. */
  public record Result(
      double testAccuracy,
      double testLoss,
      int epochs,
      double wallSeconds,
      ModelFile.Contents model) {}

  /**
   * engine.threads = 0: in local mode the cores left to each of the partitions' concurrent tasks;
   * on a cluster spark.task.cpus, the cores Spark reserves for each task.
   */
  public static int autoThreads(JavaSparkContext jsc, int partitions) {
    if (jsc.sc().isLocal()) {
      return Math.max(1, jsc.defaultParallelism() / Math.min(partitions, jsc.defaultParallelism()));
    }
    return jsc.getConf().getInt("spark.task.cpus", 1);
  }

  public Result run(SparkSession spark) throws IOException {
    long t0 = System.nanoTime();
    BarrierSlots.refuseSpeculation(spark.sparkContext().getConf().get("spark.speculation", null));
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int partitions =
        from != null
            ? from.state().partitions()
            : plan.partitions() > 0 ? plan.partitions() : jsc.defaultParallelism();
    partitions = Math.min(partitions, plan.batchSize());
    int threads =
        plan.config().get(EngineKeys.THREADS) > 0
            ? plan.config().get(EngineKeys.THREADS)
            : autoThreads(jsc, partitions);
    jsc.setLocalProperty(Replicas.ENGINE_PROPERTY, Replicas.encode(plan.engine(threads)));
    TrainingData data = prepare(spark, partitions);
    int accumulate = plan.config().get(Keys.ACCUMULATE_STEPS);
    int steps = data.batches().stepsPerEpoch() / accumulate;
    if (steps == 0) {
      throw new JobConfig.ConfigException(
          "the training set has "
              + Arrays.stream(data.batches().partitionSizes()).sum()
              + " samples over "
              + partitions
              + " partitions, fewer than one step of "
              + plan.batchSize()
              + " x "
              + accumulate
              + " samples (train.batch_size x"
              + " train.accumulate_steps); expected a smaller train.batch_size or more data");
    }
    schedule = LrSchedule.of(plan.config(), steps);
    Progress p =
        from == null ? Progress.start(plan, t0) : Progress.restore(plan, from, data, steps, t0);
    Reporter.out(
        "training %s on %s: %,d parameters, %d partitions, %d compute threads per task, %d steps"
            + " of %d per epoch",
        plan.config().get(Keys.MODEL_NAME),
        plan.config().get(Keys.DATA_SOURCE),
        plan.architecture().paramCount(),
        partitions,
        threads,
        steps,
        plan.batchSize());
    if (from != null) {
      Reporter.out(
          "resuming at epoch %d step %d/%d (global step %d)",
          p.epoch, p.step + 1, steps, p.globalStep + 1);
    }
    String runId = UUID.randomUUID().toString();
    boolean barrierStages = plan.config().get(Keys.EXECUTION) == Choices.Execution.BARRIER;
    boolean allReduce = plan.config().get(Keys.AGGREGATION) == Choices.Aggregation.ALLREDUCE;
    if (barrierStages) {
      BarrierSlots.check(jsc, partitions, allReduce);
    }
    int every = plan.config().get(Keys.CHECKPOINT_EVERY);
    Result last = null;
    for (; p.epoch <= plan.epochs(); p.epoch++, p.step = 0, p.meter = new EpochMeter()) {
      TrainingData before = data;
      data = TrainingData.forEpoch(jsc, data, p.epoch);
      if (data != before) {
        Reporter.out(
            "epoch %d: training samples redealt over the partitions (reshuffle round %d)",
            p.epoch, data.round());
      }
      long e0 = System.nanoTime();
      try (TrainingProgress bar =
              TrainingProgress.onTerminal(
                  p.epoch,
                  plan.epochs(),
                  steps,
                  p.step,
                  (long) plan.batchSize() * plan.config().get(Keys.ACCUMULATE_STEPS));
          BarrierSteps barrier =
              barrierStages ? stage(jsc, data, p, steps, runId, allReduce) : null) {
        long published = 0; // when the tasks were sent this step's weights (driver averaging)
        while (p.step < steps) {
          // a step's time runs from when its tasks can start: a barrier stage's tasks start as the
          // weights are published, while this thread may still be finishing the step before
          long s0 = published != 0 ? published : System.nanoTime();
          StepHub.Report report = barrier != null ? next(barrier) : null;
          StepResult r =
              report != null
                  ? report.total()
                  : JobStep.run(jsc, plan, data, p.epoch, p.step, steps, p.globalStep, p.v, runId);
          if (allReduce) {
            reported(report, p, steps, s0);
          } else {
            apply(r, p, steps, s0);
          }
          if (barrier != null) {
            published = allReduce ? 0 : System.nanoTime();
            barrier.publish(p.step, steps, p.v);
          }
          if (every > 0 && p.globalStep % every == 0 && p.step < steps) {
            end.save(p, data, steps);
          }
          if (bar != null) {
            bar.update(p.step, p.meter);
          } else if (p.step % Math.max(1, steps / 10) == 0 && p.step < steps && p.meter.seen > 0) {
            Reporter.out(
                "epoch %d step %d/%d: train_loss=%.4f train_accuracy=%.4f step_ms=%.0f",
                p.epoch,
                p.step,
                steps,
                p.meter.lossSum / p.meter.seen,
                (double) p.meter.correct / p.meter.seen,
                p.meter.stepMs());
          }
        }
      }
      last = end.finish(jsc, data, p, steps, (System.nanoTime() - e0) / 1e9, runId, schedule);
    }
    data.train().unpersist(false);
    data.test().unpersist(false);
    return last;
  }

  /** The run's data, after the lines that say how it is cached; bad data: ConfigException. */
  private TrainingData prepare(SparkSession spark, int partitions) {
    DataSpec spec = plan.dataSpec();
    spec.describe().forEach(Reporter::out);
    try {
      return TrainingData.prepare(spark, spec, partitions);
    } catch (DataConfigException e) {
      throw new JobConfig.ConfigException(e.getMessage());
    }
  }

  /**
   * The barrier stage of epoch p.epoch from step p.step: the driver averages, or under allreduce
   * the tasks do, starting from (and after a failure rolling back to) the kept state.
   */
  private BarrierSteps stage(
      JavaSparkContext jsc,
      TrainingData data,
      Progress p,
      int steps,
      String runId,
      boolean allReduce) {
    String name = runId + "-" + p.epoch;
    int restarts = plan.config().get(Keys.MAX_RESTARTS);
    if (!allReduce) {
      return BarrierSteps.start(
          jsc,
          data.train(),
          executorStep(data, p, runId),
          name,
          "epoch " + p.epoch,
          p.step,
          p.v,
          restarts);
    }
    p.keep();
    var update =
        new AllReduceEpoch.Update(
            steps,
            p.globalStep - p.step,
            plan.config().get(Keys.CHECKPOINT_EVERY),
            schedule,
            plan.sgd(),
            p.trainable,
            plan.config().get(Keys.NON_FINITE) == Choices.NonFinite.SKIP);
    return BarrierSteps.startAllReduce(
        jsc,
        data.train(),
        executorStep(data, p, runId),
        update,
        name,
        "epoch " + p.epoch,
        p.kept(),
        restarts,
        p::backToKept);
  }

  /** The barrier stage's next step; when its restarts ran out, names the last checkpoint. */
  private StepHub.Report next(BarrierSteps barrier) throws IOException {
    try {
      return barrier.next();
    } catch (BarrierSteps.StageLostException e) {
      throw new BarrierSteps.StageLostException(
          e.getMessage() + "; " + end.lastCheckpoint("start again", ""));
    }
  }

  /** The recipe of a long-lived step task of epoch p.epoch (its weights come from the hub). */
  private ExecutorStep executorStep(TrainingData data, Progress p, String runId) {
    return new ExecutorStep(
        runId,
        plan.architecture(),
        null,
        null,
        JobStep.recipe(plan, data),
        plan.loss(),
        data.batches(),
        p.epoch,
        p.step,
        plan.config().get(Keys.ACCUMULATE_STEPS),
        plan.config().get(Keys.DATA_PREFETCH));
  }

  /**
   * Applies a step's summed result (begun at s0): average, check, update; a non-finite step is
   * skipped or stops the run (train.non_finite).
   */
  private void apply(StepResult r, Progress p, int steps, long s0) throws IOException {
    float[] buffers = r.bufferMean();
    if (!r.averageInto(p.grad, buffers)) {
      nonFinite(r, p, steps, s0);
      return;
    }
    p.sgd.step(p.v.params, p.grad, schedule.at(p.globalStep), p.trainable);
    if (buffers != null) {
      System.arraycopy(buffers, 0, p.v.buffers, 0, buffers.length);
    }
    p.advance(r, s0);
  }

  /**
   * Takes partition 0's report of an allreduce step (the tasks applied it): the counts, and the
   * state after it when the tasks sent one.
   */
  private void reported(StepHub.Report report, Progress p, int steps, long s0) throws IOException {
    if (report.step() != p.step) {
      throw new IllegalStateException(
          "a report of step " + report.step() + " came at step " + p.step);
    }
    if (report.finite()) {
      p.advance(report.total(), s0);
    } else {
      nonFinite(report.total(), p, steps, s0);
    }
    if (report.state() != null) {
      p.keep(report.state(), plan.sgd());
    }
  }

  /** A step whose loss, gradient or buffers are not finite: skipped, or the run stops. */
  private void nonFinite(StepResult r, Progress p, int steps, long s0) throws IOException {
    String where =
        "epoch "
            + p.epoch
            + " step "
            + (p.step + 1)
            + "/"
            + steps
            + ": the loss or gradient is not finite (loss sum "
            + r.lossSum()
            + ")";
    if (plan.config().get(Keys.NON_FINITE) == Choices.NonFinite.SKIP) {
      Reporter.warn("%s; step skipped, the weights are unchanged (train.non_finite=skip)", where);
      p.skip(r, s0);
      return;
    }
    throw new NonFiniteException(
        where
            + "; the weights were not changed; "
            + end.lastCheckpoint("lower optim.lr", " and a lower --set optim.lr=..."));
  }

  /** Stops a run whose loss or gradient became NaN or infinite. */
  public static final class NonFiniteException extends RuntimeException {
    NonFiniteException(String message) {
      super(message);
    }
  }
}

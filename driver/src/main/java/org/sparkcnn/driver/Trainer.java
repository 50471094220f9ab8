/*
 * The synchronous-SGD loop of DESIGN.md, run on the driver. Each step: broadcast the weights (and
 * the buffers, BatchNorm's running statistics, if the model has any), every partition computes the
 * gradient sum of its local minibatch, treeAggregate adds the sums with the loss, the counts and
 * the partitions' updated buffers, the driver averages (g = sum / B, buffers over the partitions),
 * checks that the numbers are finite,
 * applies the optimiser and destroys the old broadcast. After each epoch the test set is evaluated
 * distributedly, one line goes to metrics.jsonl and model.scnn is replaced atomically, so a run
 * stopped by a non-finite loss keeps the model of its last good epoch.
 */
package org.sparkcnn.driver;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.sparkcnn.data.Block;
import org.sparkcnn.data.ChannelStats;
import org.sparkcnn.data.LocalBatches;
import org.sparkcnn.data.Normalizer;
import org.sparkcnn.data.Partitioning;
import org.sparkcnn.data.Split;
import org.sparkcnn.engine.ModelFile;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Sgd;
import org.sparkcnn.engine.Vectors;

public final class Trainer {
  /** Tags the initialisation stream among the job's random streams. */
  static final long INIT_STREAM = 0x494E4954L;
  private static final int TREE_DEPTH = 2;

  private final TrainingPlan plan;
  private final RunFolder run;

  public Trainer(TrainingPlan plan, RunFolder run) {
    this.plan = plan;
    this.run = run;
  }

  /** How a run ended. */
  public record Result(double testAccuracy, double testLoss, int epochs, double wallSeconds,
      ModelFile.Contents model) {}

  /** The data of a run, cached on the executors. */
  record Data(JavaRDD<Block> train, JavaRDD<Block> test, LocalBatches batches, Normalizer norm) {}

  static Data prepare(SparkSession spark, TrainingPlan plan, int partitions) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    jsc.setJobGroup("sparkcnn-data", "load and partition the data", false);
    var source = plan.source();
    JavaRDD<Block> train = Partitioning.blocks(source.load(spark, Split.TRAIN), source.shape(),
        partitions, StorageLevel.MEMORY_AND_DISK());
    JavaRDD<Block> test = Partitioning.blocks(source.load(spark, Split.TEST), source.shape(),
        partitions, StorageLevel.MEMORY_AND_DISK());
    List<Integer> sizes = train.map(Block::size).collect();
    test.count();
    int[] sizeArray = sizes.stream().mapToInt(Integer::intValue).toArray();
    Normalizer norm = plan.normalize() ? ChannelStats.compute(train, source.shape().c())
        : plan.augment().train().normalization().map(n -> new Normalizer(n[0], n[1]))
            .orElse(Normalizer.identity(source.shape().c()));
    return new Data(train, test, new LocalBatches(plan.batchSize(), sizeArray), norm);
  }

  public Result run(SparkSession spark) throws IOException {
    long t0 = System.nanoTime();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int partitions = plan.partitions() > 0 ? plan.partitions() : jsc.defaultParallelism();
    partitions = Math.min(partitions, plan.batchSize());
    Data data = prepare(spark, plan, partitions);
    int steps = data.batches().stepsPerEpoch();
    if (steps == 0) {
      throw new IllegalArgumentException("the training set is smaller than one batch of "
          + plan.batchSize() + " samples");
    }
    String runId = UUID.randomUUID().toString();
    var arch = plan.architecture();
    Vectors v = arch.initialise(plan.init(), Rng.of(plan.seed(), INIT_STREAM));
    int[] trainable = {0, arch.paramCount()};
    if (plan.fineTuning() != null) {
      log("%s", plan.fineTuning().load(arch, v));
      trainable = plan.fineTuning().trainableRanges(arch);
    }
    Sgd sgd = new Sgd(plan.sgd(), arch.paramCount());
    float[] grad = new float[arch.paramCount()];
    log("training %s on %s: %,d parameters, %d partitions, %d steps of %d per epoch",
        plan.config().get(Keys.MODEL_NAME), plan.config().get(Keys.DATA_SOURCE), arch.paramCount(),
        partitions, steps, plan.batchSize());
    Result last = null;
    long globalStep = 0;
    for (int epoch = 1; epoch <= plan.epochs(); epoch++) {
      long e0 = System.nanoTime();
      double lossSum = 0;
      long correct = 0;
      long seen = 0;
      long computeNanos = 0;
      for (int step = 0; step < steps; step++, globalStep++) {
        jsc.setJobGroup("sparkcnn-train", "epoch " + epoch + " step " + (step + 1) + "/" + steps,
            false);
        Published w = Published.of(jsc, v);
        StepResult r = data.train()
            .mapPartitions(new ExecutorStep(runId, arch, w.params(), w.buffers(), data.norm(),
                plan.augment().train(), plan.loss(), data.batches(), plan.seed(), epoch, step))
            .treeAggregate(StepResult.zero(), StepResult::merge, StepResult::merge, TREE_DEPTH);
        w.destroy();
        float[] buffers = r.bufferMean();
        float inv = 1f / r.count();
        boolean finite = Double.isFinite(r.lossSum());
        for (int i = 0; i < grad.length; i++) {
          grad[i] = r.gradSum()[i] * inv;
          finite &= Float.isFinite(grad[i]);
        }
        for (int i = 0; buffers != null && i < buffers.length; i++) {
          finite &= Float.isFinite(buffers[i]);
        }
        if (!finite) {
          throw new NonFiniteException("epoch " + epoch + " step " + (step + 1)
              + ": the loss or gradient is not finite (loss sum " + r.lossSum() + "); weights of"
              + " the previous step are kept, lower optim.lr");
        }
        sgd.step(v.params, grad, plan.lr(), trainable);
        if (buffers != null) {
          System.arraycopy(buffers, 0, v.buffers, 0, buffers.length);
        }
        lossSum += r.lossSum();
        correct += r.correct();
        seen += r.count();
        computeNanos += r.computeNanos();
        if ((step + 1) % Math.max(1, steps / 10) == 0 && step + 1 < steps) {
          log("epoch %d step %d/%d: train_loss=%.4f train_accuracy=%.4f step_ms=%.0f", epoch,
              step + 1, steps, lossSum / seen, (double) correct / seen,
              (System.nanoTime() - e0) / 1e6 / (step + 1));
        }
      }
      double trainSeconds = (System.nanoTime() - e0) / 1e9;
      jsc.setJobGroup("sparkcnn-eval", "epoch " + epoch + " evaluation", false);
      Published w = Published.of(jsc, v);
      StepResult t = data.test()
          .mapPartitions(new Evaluation(runId, arch, w.params(), w.buffers(), data.norm(),
              plan.augment().eval(), plan.loss(), plan.evalBatch()))
          .treeAggregate(StepResult.zero(), StepResult::merge, StepResult::merge, TREE_DEPTH);
      w.destroy();
      double wall = (System.nanoTime() - t0) / 1e9;
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("epoch", epoch);
      m.put("step", globalStep);
      m.put("train_loss", lossSum / seen);
      m.put("train_accuracy", (double) correct / seen);
      m.put("test_loss", t.lossSum() / t.count());
      m.put("test_accuracy", (double) t.correct() / t.count());
      m.put("images_per_sec", seen / trainSeconds);
      m.put("step_ms", 1e3 * trainSeconds / steps);
      m.put("compute_ms", computeNanos / 1e6 / steps);
      m.put("wall_s", wall);
      run.appendMetrics(m);
      log("epoch %d: train_loss=%.4f train_accuracy=%.4f test_loss=%.4f test_accuracy=%.4f"
          + " images_per_sec=%.0f step_ms=%.1f compute_ms=%.1f wall_s=%.1f", epoch, lossSum / seen,
          (double) correct / seen, t.lossSum() / t.count(), (double) t.correct() / t.count(),
          seen / trainSeconds, 1e3 * trainSeconds / steps, computeNanos / 1e6 / steps, wall);
      ModelFile.Contents model = new ModelFile.Contents(arch, v.params.clone(), v.buffers.clone(),
          meta(data.norm(), epoch, (double) t.correct() / t.count()));
      run.saveModel(model);
      last = new Result((double) t.correct() / t.count(), t.lossSum() / t.count(), epoch, wall,
          model);
    }
    data.train().unpersist(false);
    data.test().unpersist(false);
    return last;
  }

  private Map<String, Object> meta(Normalizer norm, int epoch, double testAccuracy) {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("model", plan.config().get(Keys.MODEL_NAME));
    meta.put("data_source", plan.config().get(Keys.DATA_SOURCE));
    meta.put("classes", plan.source().classes());
    meta.put("normalize_mean", norm.mean());
    meta.put("normalize_std", norm.std());
    meta.put("epoch", epoch);
    meta.put("test_accuracy", testAccuracy);
    return meta;
  }

  /** A step's weights and (when the model has any) buffers, broadcast to the executors. */
  record Published(Broadcast<float[]> params, Broadcast<float[]> buffers) {
    static Published of(JavaSparkContext jsc, Vectors v) {
      return new Published(jsc.broadcast(v.params.clone()),
          v.buffers.length == 0 ? null : jsc.broadcast(v.buffers.clone()));
    }

    void destroy() {
      params.destroy();
      if (buffers != null) {
        buffers.destroy();
      }
    }
  }

  /** Stops a run whose loss or gradient became NaN or infinite. */
  public static final class NonFiniteException extends RuntimeException {
    NonFiniteException(String message) {
      super(message);
    }
  }

  static void log(String format, Object... args) {
    System.out.println(String.format(format, args));
    System.out.flush();
  }
}

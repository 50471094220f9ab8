/*
 * `sparkcnn bench-sync`: the per-step overhead of synchronous SGD without the compute, what
 * deploy/SCALING.md's model is built from. A zero-compute step is the trainer's step with forward
 * and backward left out. barrier: the long-lived tasks of one barrier stage each send a gradient
 * of the weights' size (a copy) to the driver and receive the next weights. tree and sharded (a
 * job per step): broadcast the weights, every partition reads them and returns a copy, the
 * aggregation adds the P gradients. Then, in every mode, the driver averages them, checks them
 * for finiteness and applies SGD with momentum. Beside it, in the same
 * SparkSession, an empty Spark job over the same partitions: the floor any step pays. Prints one row
 * per (vector size, aggregation) with the median and 90th percentile (nearest rank) of the step
 * time, and its ratio to the empty job's median, then the row's memory (MemoryProbe: the driver
 * JVM's peak heap in use, and what all its threads allocated per step, warm-up included; in
 * local mode the tasks' threads are among them), and at the end the process's peak RSS.
 */
package org.sparkcnn.driver.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.sparkcnn.driver.config.Choices;
import org.sparkcnn.driver.config.LrSchedule;
import org.sparkcnn.driver.report.MemoryProbe;
import org.sparkcnn.driver.sync.AllReduceEpoch;
import org.sparkcnn.driver.sync.BarrierEpoch;
import org.sparkcnn.driver.sync.BarrierSteps;
import org.sparkcnn.driver.sync.GradientBlocks;
import org.sparkcnn.driver.sync.OrderedReduce;
import org.sparkcnn.driver.sync.ShardedReduce;
import org.sparkcnn.driver.sync.StepHub;
import org.sparkcnn.driver.sync.StepResult;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Sgd;
import org.sparkcnn.engine.Vectors;

public final class SyncBench {
  private SyncBench() {}

  /** Parameter vectors of the issue, in millions of floats: ResNet-20, LeNet-5, ResNet-18. */
  public static final List<Double> DEFAULT_SIZES = List.of(0.27, 1.26, 11.7);

  /** One row: a vector size and aggregation, its step times in ms. */
  record Row(int floats, String aggregation, double p50, double p90) {}

  public static List<Row> run(
      SparkSession spark,
      List<Double> sizes,
      List<String> aggregations,
      int partitions,
      int warmup,
      int steps,
      PrintStream out) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<Integer> ids = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      ids.add(p);
    }
    JavaRDD<Integer> parts = jsc.parallelize(ids, partitions).cache();
    parts.count();
    jsc.setJobGroup("sparkcnn-bench-sync", "empty jobs", false);
    double[] empty =
        times(
            warmup,
            steps,
            () -> {
              parts.foreachPartition(it -> {});
              return 0;
            });
    out.println(
        String.format(
            Locale.ROOT,
            "master %s, %d partitions, %d steps per row after %d of warm-up;"
                + " empty job: p50 %.1f ms, p90 %.1f ms",
            spark.sparkContext().master(),
            partitions,
            steps,
            warmup,
            percentile(empty, 0.5),
            percentile(empty, 0.9)));
    out.println(
        String.format(
            Locale.ROOT,
            "%12s  %-11s  %11s  %11s  %14s",
            "floats",
            "aggregation",
            "step_ms_p50",
            "step_ms_p90",
            "p50/empty_p50"));
    List<Row> rows = new ArrayList<>();
    for (double millions : sizes) {
      int n = (int) Math.round(millions * 1e6);
      for (String aggregation : aggregations) {
        jsc.setJobGroup("sparkcnn-bench-sync", n + " floats, " + aggregation, false);
        MemoryProbe.resetHeapPeak();
        MemoryProbe probe = MemoryProbe.jvm().start();
        long[] sent = {0};
        double[] t =
            aggregation.equals("barrier")
                ? barrierTimes(jsc, parts, n, warmup, steps)
                : aggregation.equals("allreduce")
                    ? allReduceTimes(jsc, parts, n, warmup, steps, sent)
                    : times(warmup, steps, stepper(jsc, parts, n, aggregation));
        String memory =
            probe.columns(warmup + steps) // the warm-up steps included
                + (sent[0] == 0
                    ? ""
                    : String.format(
                        Locale.ROOT,
                        " sent_mb_per_task_step=%.2f",
                        sent[0] / 1e6 / partitions / (warmup + steps)));
        Row r = new Row(n, aggregation, percentile(t, 0.5), percentile(t, 0.9));
        rows.add(r);
        out.println(
            String.format(
                    Locale.ROOT,
                    "%,12d  %-11s  %11.1f  %11.1f  %14.2f",
                    n,
                    aggregation,
                    r.p50(),
                    r.p90(),
                    r.p50() / percentile(empty, 0.5))
                + memory);
        out.flush();
      }
    }
    parts.unpersist(false);
    out.println(MemoryProbe.peakRss());
    return rows;
  }

  /** A zero-compute synchronous step over n floats, as Trainer.step does it. */
  private static LongSupplier stepper(
      JavaSparkContext jsc, JavaRDD<Integer> parts, int n, String aggregation) {
    float[] params = weights(n);
    float[] grad = new float[n];
    Sgd sgd = new Sgd(new Sgd.Hyper(0.9, 0, 0, false), n);
    long[] step = {0};
    return () -> {
      jsc.setLocalProperty(GradientBlocks.STEP_PROPERTY, n + "/" + aggregation + "/" + step[0]++);
      Broadcast<float[]> w = jsc.broadcast(params.clone());
      JavaRDD<StepResult> results =
          parts.mapPartitions(
              it -> {
                long t0 = System.nanoTime();
                float[] g = w.value().clone();
                return List.of(new StepResult(g, 0, 0, 1, System.nanoTime() - t0, null, 1))
                    .iterator();
              });
      StepResult r =
          aggregation.equals("sharded")
              ? ShardedReduce.sum(results, n)
              : OrderedReduce.sum(results);
      w.destroy();
      if (!r.averageInto(grad, null)) {
        throw new IllegalStateException("the benchmark's gradient is not finite");
      }
      sgd.step(params, grad, 1e-6);
      return 0;
    };
  }

  /**
   * Milliseconds of `steps` zero-compute steps of train.execution: barrier, after `warmup`
   * unmeasured: one barrier stage whose long-lived tasks each step send a copy of the weights as
   * their gradient to the driver's StepHub and wait for the next weights, while the driver adds
   * them in partition order, averages, checks and applies SGD, as Trainer does. A step is timed
   * from one publication of the weights to the next.
   */
  private static double[] barrierTimes(
      JavaSparkContext jsc, JavaRDD<Integer> parts, int n, int warmup, int steps) {
    Vectors v = new Vectors(n, 0);
    System.arraycopy(weights(n), 0, v.params, 0, n);
    float[] grad = new float[n];
    Sgd sgd = new Sgd(new Sgd.Hyper(0.9, 0, 0, false), n);
    int total = warmup + steps;
    double[] ms = new double[steps];
    try (BarrierSteps b =
        BarrierSteps.start(
            jsc,
            parts,
            COPIES,
            "bench-sync-" + n + "-" + System.nanoTime(),
            n + " floats, barrier",
            0,
            v,
            0)) {
      for (int i = 0; i < total; i++) {
        long t0 = System.nanoTime();
        StepResult r = b.next().total();
        if (!r.averageInto(grad, null)) {
          throw new IllegalStateException("the benchmark's gradient is not finite");
        }
        sgd.step(v.params, grad, 1e-6);
        b.publish(i + 1, total, v);
        if (i >= warmup) {
          ms[i - warmup] = (System.nanoTime() - t0) / 1e6;
        }
      }
    }
    return ms;
  }

  /**
   * The zero-compute step of the barrier rows: a copy of the weights as the gradient, in an array
   * the task keeps from step to step, as a replica lends its own gradient array (ExecutorStep): the
   * next step begins only after this one's sum is made.
   */
  private static final BarrierEpoch.Steps<Integer> COPIES =
      first ->
          new BarrierEpoch.Local() {
            private float[] grad;

            @Override
            public StepResult compute(int step, float[] params, float[] buffers) {
              if (grad == null || grad.length != params.length) {
                grad = new float[params.length];
              }
              System.arraycopy(params, 0, grad, 0, params.length);
              return new StepResult(grad, 0, 0, 1, 0, null, 1);
            }

            @Override
            public void close() {}
          };

  /**
   * Milliseconds of `steps` zero-compute steps of train.aggregation: allreduce, after `warmup`
   * unmeasured: the long-lived tasks send a copy of the weights as their gradient to each other,
   * sum shard by shard, and each averages, checks and applies SGD; partition 0 reports each step to
   * the driver, without waiting. A step is timed from one report to the next. sent[0] is set to the
   * bytes the tasks sent each other over the network (none in local mode).
   */
  private static double[] allReduceTimes(
      JavaSparkContext jsc, JavaRDD<Integer> parts, int n, int warmup, int steps, long[] sent) {
    int total = warmup + steps;
    Sgd.Hyper momentum = new Sgd.Hyper(0.9, 0, 0, false);
    var update =
        new AllReduceEpoch.Update(
            total,
            0,
            0,
            new LrSchedule(Choices.LrSchedule.CONSTANT, 1e-6, 1e-6, 0, total, total, new int[0], 1),
            momentum,
            new int[] {0, n},
            false);
    StepHub.Weights first = new StepHub.Weights(0, weights(n), null, null, 0);
    double[] ms = new double[steps];
    try (BarrierSteps b =
        BarrierSteps.startAllReduce(
            jsc,
            parts,
            COPIES,
            update,
            "bench-sync-" + n + "-" + System.nanoTime(),
            n + " floats, allreduce",
            first,
            0,
            () -> first)) {
      long t0 = System.nanoTime();
      for (int i = 0; i < total; i++) {
        b.next();
        b.publish(i + 1, total, null);
        long t = System.nanoTime();
        if (i >= warmup) {
          ms[i - warmup] = (t - t0) / 1e6;
        }
        t0 = t;
      }
      b.close(); // the byte counts come in as the tasks end
      sent[0] = b.sentBytes();
    }
    return ms;
  }

  /** n weights drawn as every row draws them. */
  private static float[] weights(int n) {
    float[] w = new float[n];
    Rng rng = Rng.of(1);
    for (int i = 0; i < n; i++) {
      w[i] = rng.uniform(-0.1f, 0.1f);
    }
    return w;
  }

  /**
   * Milliseconds of each of `steps` calls, after `warmup` unmeasured ones (JIT, first broadcast).
   */
  private static double[] times(int warmup, int steps, LongSupplier step) {
    for (int i = 0; i < warmup; i++) {
      step.getAsLong();
    }
    double[] ms = new double[steps];
    for (int i = 0; i < steps; i++) {
      long t0 = System.nanoTime();
      step.getAsLong();
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    return ms;
  }

  /**
   * Why the rows would not fit a heap of maxHeap bytes, or null: in local mode the tasks share the
   * driver's heap, where the largest vector is held about 4 times by the driver and, per task, 8
   * times by an allreduce row (its weights, gradient, sums, averages, momentum, the pieces on their
   * way) or 2 times by the other rows. On a cluster the executors hold the tasks' share.
   */
  public static String heapTooSmall(
      boolean local, int partitions, List<Double> sizes, List<String> aggregations, long maxHeap) {
    long floats = Math.round(sizes.stream().mapToDouble(Double::doubleValue).max().orElse(0) * 1e6);
    int perTask = aggregations.contains("allreduce") ? 8 : 2;
    long need = 4L * floats * (4 + (local ? perTask * partitions : 0));
    if (need <= maxHeap) {
      return null;
    }
    return String.format(
        Locale.ROOT,
        "bench-sync of %,d floats on %d partitions%s needs about %,d MiB of heap and has %,d"
            + " MiB: set SPARKCNN_DRIVER_MEMORY (e.g. %dg) or spark.driver.memory, or give"
            + " smaller --sizes",
        floats,
        partitions,
        local ? " in this one JVM" : "",
        need >> 20,
        maxHeap >> 20,
        ((need + need / 4) >> 30) + 1);
  }

  /** Nearest-rank percentile, as EpochMeter reports sync_ms. */
  static double percentile(double[] values, double q) {
    double[] s = values.clone();
    Arrays.sort(s);
    return s[Math.max(0, (int) Math.ceil(q * s.length) - 1)];
  }
}

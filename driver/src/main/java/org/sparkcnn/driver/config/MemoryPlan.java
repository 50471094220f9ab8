/*
 * The heap a training job needs, estimated from its plan before Spark runs, and the check that it
 * has it: a job that cannot fit stops at once, naming the setting to raise, rather than after
 * minutes with an OutOfMemoryError. The estimate counts only what surely is there, so it errs low:
 *   Spark     the 300 MiB Spark reserves of every heap;
 *   data      the cached blocks of both splits as decoded pixels, a byte a value, where the
 *             source's sample counts are known before loading (shapes, MNIST, CIFAR; 0 for encoded
 *             caches and Parquet);
 *   model     on the driver: the parameters, the averaged gradient, the optimizer state and the
 *             step's broadcast copy (Trainer);
 *   replicas  on each task running at once: the engine's footprint (Footprint) at its share of
 *             the batch, less the parameters, which are the broadcast's; and where the test split's
 *             size is known, what evaluation adds when its batch (eval.batch_size when set, at
 *             most the task's share of the test split) is the larger: the outputs of the forward
 *             pass;
 *             under train.aggregation: allreduce also the task's own weights, optimizer state,
 *             summed and averaged gradient and buffers (AllReduceEpoch).
 * Local mode: all of it in this JVM, against its maximum heap (deploy/sparkcnn's
 * SPARKCNN_DRIVER_MEMORY, spark.driver.memory under spark-submit). On a cluster: the driver's part
 * against this heap, and one replica with one partition's share of the data against
 * spark.executor.memory.
 */
package org.sparkcnn.driver.config;

import java.util.Locale;
import org.apache.spark.network.util.JavaUtils;
import org.sparkcnn.data.CifarSource;
import org.sparkcnn.data.MnistSource;
import org.sparkcnn.data.ShapesSource;
import org.sparkcnn.data.Source;
import org.sparkcnn.engine.Footprint;

public record MemoryPlan(
    long spark, long data, long model, int replicas, int replicaBatch, long replica) {
  static final long SPARK_RESERVED = 300L << 20;
  private static final double MIB = 1 << 20;

  /** Checks the plan against this JVM's heap and spark.executor.memory (system properties). */
  public static void check(TrainingPlan plan) {
    String master = System.getProperty("spark.master", plan.config().get(Keys.MASTER));
    check(
        plan,
        master,
        Runtime.getRuntime().maxMemory(),
        System.getProperty("spark.executor.memory", "1g"),
        Integer.getInteger("spark.default.parallelism", 0));
  }

  /**
   * Checks the plan under master, with a driver heap of maxHeap bytes and executors of
   * executorMemory (Spark's size syntax: 1g, 1536m); defaultParallelism 0 when unknown.
   */
  public static void check(
      TrainingPlan plan,
      String master,
      long maxHeap,
      String executorMemory,
      int defaultParallelism) {
    boolean local = master.startsWith("local");
    MemoryPlan m = of(plan, local ? localCores(master) : defaultParallelism, local);
    if (local && m.total() > maxHeap) {
      throw new JobConfig.ConfigException(
          "the job needs about "
              + m.describe()
              + ", more than the "
              + mib(maxHeap)
              + " heap this JVM may use; raise"
              + " SPARKCNN_DRIVER_MEMORY (deploy/sparkcnn) or spark.driver.memory (spark-submit), or"
              + " lower train.batch_size or eval.batch_size");
    }
    if (!local && m.spark + m.model > maxHeap) {
      throw new JobConfig.ConfigException(
          "the driver needs about "
              + mib(m.spark + m.model)
              + " (Spark "
              + mib(m.spark)
              + ", model "
              + mib(m.model)
              + "), more than its "
              + mib(maxHeap)
              + " heap; raise spark.driver.memory (--driver-memory)");
    }
    long executor = JavaUtils.byteStringAsBytes(executorMemory);
    long perExecutor = m.spark + m.replica + m.data / Math.max(1, m.replicas);
    if (!local && perExecutor > executor) {
      throw new JobConfig.ConfigException(
          "each executor needs about "
              + mib(perExecutor)
              + " (Spark "
              + mib(m.spark)
              + ", a replica at "
              + m.replicaBatch
              + " samples "
              + mib(m.replica)
              + ", a partition's data "
              + mib(m.data / Math.max(1, m.replicas))
              + "), more than spark.executor.memory "
              + executorMemory
              + "; raise spark.executor.memory (--executor-memory)");
    }
  }

  /**
   * The estimate for a plan whose partitions are P = train.partitions, else defaultParallelism (the
   * cores of local mode; 0 where unknown, which counts a replica at one sample).
   */
  static MemoryPlan of(TrainingPlan plan, int defaultParallelism, boolean local) {
    int partitions = plan.partitions() > 0 ? plan.partitions() : defaultParallelism;
    partitions = Math.min(partitions, plan.batchSize());
    int replicas =
        partitions <= 0 ? 1 : local ? Math.min(partitions, defaultParallelism) : partitions;
    int batch = partitions <= 0 ? 1 : (plan.batchSize() + partitions - 1) / partitions;
    Footprint f = Footprint.of(plan.architecture(), batch, plan.sgd().momentum() != 0);
    long model = 3 * f.paramBytes() + f.optimizerBytes() + 2 * f.bufferBytes();
    long replica = f.totalBytes() - f.paramBytes() - f.optimizerBytes();
    if (plan.config().get(Keys.AGGREGATION) == Choices.Aggregation.ALLREDUCE) {
      replica += 3 * f.paramBytes() + f.optimizerBytes() + 3 * f.bufferBytes();
    }
    // evaluation grows the same replica's outputs and input batch to its own batch, where larger
    long[] samples = samples(plan.source());
    if (samples != null && partitions > 0) {
      long evalBatch = Math.min(plan.evalBatch(batch), (samples[1] + partitions - 1) / partitions);
      long more = Math.max(0, evalBatch - batch);
      replica +=
          4
              * more
              * (Footprint.inferenceFloats(plan.architecture())
                  + plan.architecture().input().size());
    }
    return new MemoryPlan(SPARK_RESERVED, dataBytes(plan), model, replicas, batch, replica);
  }

  /** What this JVM holds in local mode: everything. */
  long total() {
    return spark + data + model + (long) replicas * replica;
  }

  /** Cores of a local master: local, local[N], local[*], local[N, F]. */
  static int localCores(String master) {
    String m = master.replace(" ", "");
    if (!m.startsWith("local[")) {
      return 1;
    }
    String n = m.substring(6, m.indexOf(m.contains(",") ? ',' : ']'));
    return n.equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(n);
  }

  /** Decoded pixels of both splits where the source knows its sizes before loading, else 0. */
  static long dataBytes(TrainingPlan plan) {
    if (TrainingPlan.cache(plan.config(), plan.source()).encoded()) {
      return 0;
    }
    long[] samples = samples(plan.source());
    return samples == null ? 0 : (samples[0] + samples[1]) * plan.source().shape().size();
  }

  /** {train, test} samples where the source knows them before loading, else null. */
  static long[] samples(Source s) {
    // the published sizes: 60,000 + 10,000 and 50,000 + 10,000
    if (s instanceof ShapesSource sh) {
      return new long[] {sh.trainSize(), sh.testSize()};
    } else if (s instanceof MnistSource mn) {
      return new long[] {limited(60_000, mn.trainLimit()), limited(10_000, mn.testLimit())};
    } else if (s instanceof CifarSource c) {
      return new long[] {limited(50_000, c.trainLimit()), limited(10_000, c.testLimit())};
    }
    return null;
  }

  private static long limited(long size, int limit) {
    return limit > 0 ? Math.min(size, limit) : size;
  }

  /** "1,234 MiB of heap (Spark 300 MiB, data ..., ...)". */
  String describe() {
    return mib(total())
        + " of heap (Spark "
        + mib(spark)
        + ", data "
        + mib(data)
        + ", model "
        + mib(model)
        + ", "
        + replicas
        + " replica"
        + (replicas == 1 ? "" : "s")
        + " at "
        + replicaBatch
        + " samples "
        + mib(replica)
        + " each)";
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%,.0f MiB", bytes / MIB);
  }
}

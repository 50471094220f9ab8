/*
 * The `bench-sync` command: the per-step overhead of synchronous SGD without the compute
 * (SyncBench), checked options first, then the rows once the heap is known to hold them.
 */
package org.sparkcnn.driver.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.sparkcnn.driver.Main;
import org.sparkcnn.driver.Sessions;
import org.sparkcnn.driver.bench.SyncBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "bench-sync",
    mixinStandardHelpOptions = true,
    description =
        "Time zero-compute synchronous steps (weights out, gradients of the same size"
            + " back, ordered sum, average, SGD update) for parameter vectors of several sizes with"
            + " long-lived barrier tasks and with a job per step (tree and sharded aggregations),"
            + " beside an empty Spark job; prints a table.")
public final class BenchSyncCommand implements Callable<Integer> {
  @Option(
      names = "--master",
      paramLabel = "URL",
      defaultValue = "local[2]",
      description = "Spark master (default local[2]); ignored under spark-submit.")
  String master;

  @Option(
      names = "--sizes",
      paramLabel = "M,M,...",
      split = ",",
      description =
          "Vector sizes in millions of floats (default 0.27,1.26,11.7: ResNet-20,"
              + " LeNet-5, ResNet-18).")
  List<Double> sizes = new java.util.ArrayList<>(SyncBench.DEFAULT_SIZES);

  @Option(
      names = "--aggregations",
      paramLabel = "A,A",
      split = ",",
      defaultValue = "barrier,allreduce,tree,sharded",
      description =
          "barrier and allreduce"
              + " (train.execution: barrier, the driver or the tasks adding), tree and sharded"
              + " (train.execution: jobs), any of them (default all four).")
  List<String> aggregations;

  @Option(
      names = "--partitions",
      paramLabel = "P",
      description = "Partitions, i.e. tasks per step (default: Spark's default parallelism).")
  Integer partitions;

  @Option(
      names = "--steps",
      paramLabel = "N",
      defaultValue = "30",
      description = "Measured steps per row (default 30).")
  int steps;

  @Option(
      names = "--warmup",
      paramLabel = "N",
      defaultValue = "3",
      description =
          "Unmeasured steps before them (default 3); a cluster's executors reach their steady"
              + " state after about 100.")
  int warmup;

  @Override
  public Integer call() {
    String bad =
        sizes.stream().anyMatch(s -> !(s > 0 && s <= 500))
            ? "--sizes expects millions of floats in (0, 500], got " + sizes
            : !List.of("barrier", "allreduce", "tree", "sharded").containsAll(aggregations)
                ? "--aggregations expects barrier, allreduce, tree and/or sharded, got "
                    + aggregations
                : steps < 1
                    ? "--steps expects an integer >= 1, got " + steps
                    : warmup < 0
                        ? "--warmup expects an integer >= 0, got " + warmup
                        : partitions != null && partitions < 1
                            ? "--partitions expects an integer >= 1, got " + partitions
                            : null;
    if (bad != null) {
      Reporter.error(bad);
      return Main.EXIT_BAD_INPUT;
    }
    SparkSession spark = Sessions.builder(master, "sparkcnn-bench-sync").getOrCreate();
    try {
      int p = partitions != null ? partitions : spark.sparkContext().defaultParallelism();
      String tooSmall =
          SyncBench.heapTooSmall(
              spark.sparkContext().isLocal(),
              p,
              sizes,
              aggregations,
              Runtime.getRuntime().maxMemory());
      if (tooSmall != null) {
        Reporter.error(tooSmall);
        return Main.EXIT_BAD_INPUT;
      }
      SyncBench.run(spark, sizes, aggregations, p, warmup, steps, Reporter.stream());
      return 0;
    } finally {
      spark.stop();
    }
  }
}

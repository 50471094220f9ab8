/*
 * The sharded aggregation (train.aggregation: sharded), after BigDL's parameter synchronisation
 * through Spark's block manager: the gradient vector is cut into S shards, one per partition;
 * each step task writes its result as S slices into a shuffle keyed by shard id, task s of the
 * reduce stage adds shard s of every partition in partition order, and the driver only gathers
 * the S summed shards, one vector's worth of floats, where OrderedReduce receives and adds P whole
 * vectors. Shard 0 also carries the loss, the counts and the BatchNorm buffers.
 *
 * Every element is added left to right in partition order, the association OrderedReduce uses
 * for few partitions, so both give the same bits there; the sum depends only on the partition
 * count (DESIGN.md contract 3). A retried or speculative map task writes the same slices; the
 * shuffle keeps one output per map partition. The shuffle's files are removed after each step.
 * A summed shard of 1 M floats or more comes to the driver as a block (OrderedReduce.collect,
 * GradientBlocks), like a whole gradient under the tree aggregation.
 */
package org.sparkcnn.driver.sync;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.ShuffleDependency;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

public final class ShardedReduce {
  private ShardedReduce() {}

  /**
   * The sum of an RDD that holds one StepResult per partition, each with a gradient of `length`
   * floats, reduced shard by shard on the executors.
   */
  public static StepResult sum(JavaRDD<StepResult> perPartition, int length) {
    int shards = Math.min(perPartition.getNumPartitions(), Math.max(1, length));
    JavaPairRDD<Integer, Tuple2<Integer, StepResult>> slices =
        JavaPairRDD.fromJavaRDD(
            perPartition.mapPartitionsWithIndex(
                (p, it) -> slices(OrderedReduce.only(it, p), p, shards, length), true));
    JavaPairRDD<Integer, Tuple2<Integer, StepResult>> byShard =
        slices.partitionBy(new OrderedReduce.ByGroup(shards));
    JavaRDD<StepResult> shardSums = byShard.mapPartitions(OrderedReduce::addInOrder);
    SparkContext sc = perPartition.context();
    StepResult[] summed;
    try {
      summed = OrderedReduce.collect(shardSums, GradientBlocks::fetch);
    } finally {
      removeShuffle(sc, byShard);
    }
    return gather(summed, length);
  }

  /** The summed shards placed at their offsets; shard 0 brings the loss, counts and buffers. */
  private static StepResult gather(StepResult[] summed, int length) {
    int shards = summed.length;
    float[] grad = new float[length];
    long computeNanos = 0;
    for (int s = 0; s < shards; s++) {
      int lo = lo(s, shards, length);
      System.arraycopy(summed[s].gradSum, 0, grad, lo, lo(s + 1, shards, length) - lo);
      computeNanos = Math.max(computeNanos, summed[s].computeNanos);
    }
    StepResult head = summed[0];
    return new StepResult(
        grad,
        head.lossSum,
        head.correct,
        head.count,
        computeNanos,
        head.bufferSum,
        head.partitions);
  }

  /** Elements [lo, hi) of shard s of `shards` over a vector of `length`. */
  static int lo(int s, int shards, int length) {
    return (int) ((long) s * length / shards);
  }

  /** Partition p's result cut into one (shard, (p, slice)) record per shard. */
  private static Iterator<Tuple2<Integer, Tuple2<Integer, StepResult>>> slices(
      StepResult r, int p, int shards, int length) {
    if (r.gradSum == null || r.gradSum.length != length) {
      throw new IllegalStateException(
          "partition "
              + p
              + " returned a gradient of "
              + (r.gradSum == null ? "nothing" : r.gradSum.length + " floats")
              + ", expected "
              + length);
    }
    List<Tuple2<Integer, Tuple2<Integer, StepResult>>> out = new ArrayList<>(shards);
    for (int s = 0; s < shards; s++) {
      float[] slice =
          Arrays.copyOfRange(r.gradSum, lo(s, shards, length), lo(s + 1, shards, length));
      StepResult part =
          s == 0
              ? new StepResult(
                  slice, r.lossSum, r.correct, r.count, r.computeNanos, r.bufferSum, r.partitions)
              : new StepResult(slice, 0, 0, 0, r.computeNanos, null, 0);
      out.add(new Tuple2<>(s, new Tuple2<>(p, part)));
    }
    return out.iterator();
  }

  /**
   * Drops the step's shuffle files now rather than when the driver's garbage collector gets to the
   * RDD (ContextCleaner, internal to Spark but public in the bytecode): a step writes P gradients'
   * worth of them.
   */
  private static void removeShuffle(SparkContext sc, JavaPairRDD<?, ?> shuffled) {
    if (sc.cleaner().isDefined()
        && shuffled.rdd().dependencies().head() instanceof ShuffleDependency<?, ?, ?> dep) {
      sc.cleaner().get().doCleanupShuffle(dep.shuffleId(), false);
    }
  }
}

/*
 * The sum of the partitions' step results in a fixed order, so that a run is reproduced bit for
 * bit (DESIGN.md contract 3): float addition is not associative, and treeAggregate adds partial
 * sums in the order tasks happen to finish. Here partition i's result is added after partition
 * i - 1's, whatever order they arrive in. With few partitions the driver adds every result
 * itself once the job has ended (what Spark's reduce costs, only ordered; a large gradient comes
 * through the block manager, read while the other tasks still run, see GradientBlocks);
 * past the point where Spark's treeAggregate of depth 2 adds a level (more than
 * scale + ceil(P / scale) partitions, scale = max(ceil(sqrt P), 2)), consecutive partitions are
 * first summed in groups of `scale` on the executors, each group in partition order, and the
 * driver adds the groups in order. The association depends only on the partition count.
 */
package org.sparkcnn.driver.sync;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;
import org.apache.spark.Partitioner;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

public final class OrderedReduce {
  private static final Logger LOG = LoggerFactory.getLogger(OrderedReduce.class);

  /** Recomputations of a partition whose gradient block keeps being lost, before giving up. */
  static final int LOST_RETRIES = 3;

  /** Reads gradient blocks on the driver (daemon threads: they never keep the JVM alive). */
  private static final ExecutorService FETCHES =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "sparkcnn-gradient-fetch");
            t.setDaemon(true);
            return t;
          });

  private OrderedReduce() {}

  /** The sum of an RDD that holds one StepResult per partition, added in partition order. */
  public static StepResult sum(JavaRDD<StepResult> perPartition) {
    return sum(perPartition, GradientBlocks::fetch);
  }

  /** sum(), reading gradient blocks with fetch (which answers null for a lost block). */
  public static StepResult sum(JavaRDD<StepResult> perPartition, UnaryOperator<StepResult> fetch) {
    int group = groupSize(perPartition.getNumPartitions());
    JavaRDD<StepResult> parts = group == 1 ? perPartition : groupSums(perPartition, group);
    StepResult sum = null;
    for (StepResult r : collect(parts, fetch)) {
      sum = sum == null ? r : StepResult.merge(sum, r);
    }
    return sum;
  }

  /**
   * The one result of each partition, in partition order, each with its gradient in hand: read from
   * its block by fetch as soon as it arrives, and a partition whose block was lost (fetch answers
   * null) computed again, up to LOST_RETRIES times.
   */
  static StepResult[] collect(JavaRDD<StepResult> parts, UnaryOperator<StepResult> fetch) {
    InOrder acc = new InOrder(parts.getNumPartitions(), fetch);
    parts
        .context()
        .runJob(parts.rdd(), new Single(), acc, ClassTag$.MODULE$.apply(StepResult.class));
    StepResult[] out = new StepResult[parts.getNumPartitions()];
    for (int i = 0; i < out.length; i++) {
      StepResult r = acc.take(i);
      for (int attempt = 1; r == null; attempt++) {
        if (attempt > LOST_RETRIES) {
          throw new IllegalStateException(
              "the gradient block of partition "
                  + i
                  + " was lost "
                  + LOST_RETRIES
                  + " times in a row (its executor died after its task each time)");
        }
        LOG.warn(
            "the gradient block of partition "
                + i
                + " was lost with its executor;"
                + " recomputing the partition (attempt "
                + attempt
                + ")");
        StepResult[] again =
            (StepResult[])
                parts
                    .context()
                    .runJob(
                        parts.rdd(),
                        new Single(),
                        CollectionConverters.asScala(List.<Object>of(i)).toSeq(),
                        ClassTag$.MODULE$.apply(StepResult.class));
        r = fetch.apply(again[0]);
      }
      out[i] = r;
    }
    return out;
  }

  /** 1 when the driver adds the P results itself, else how many partitions a group sums. */
  static int groupSize(int partitions) {
    int scale = Math.max((int) Math.ceil(Math.sqrt(partitions)), 2);
    return partitions > scale + (partitions + scale - 1) / scale ? scale : 1;
  }

  /**
   * The sum of results[0..P) with the association sum() gives P partitions: consecutive groups of
   * groupSize(P) added in order, then the groups in order (the results are added into in place).
   */
  static StepResult inOrder(StepResult[] results) {
    int size = groupSize(results.length);
    StepResult sum = null;
    for (int g = 0; g < results.length; g += size) {
      StepResult group = results[g];
      for (int k = g + 1; k < Math.min(g + size, results.length); k++) {
        group = StepResult.merge(group, results[k]);
      }
      sum = sum == null ? group : StepResult.merge(sum, group);
    }
    return sum;
  }

  /** Partitions [g * size, (g + 1) * size) summed in order into partition g. */
  private static JavaRDD<StepResult> groupSums(JavaRDD<StepResult> perPartition, int size) {
    int groups = (perPartition.getNumPartitions() + size - 1) / size;
    JavaRDD<Tuple2<Integer, Tuple2<Integer, StepResult>>> keyed =
        perPartition.mapPartitionsWithIndex(
            (i, it) -> List.of(new Tuple2<>(i / size, new Tuple2<>(i, only(it, i)))).iterator(),
            true);
    return JavaPairRDD.fromJavaRDD(keyed)
        .partitionBy(new ByGroup(groups))
        .mapPartitions(OrderedReduce::addInOrder);
  }

  /**
   * The (partition, result) pairs a task received, keyed by group or shard, added in partition
   * order into one result (what a group or a shard contributes).
   */
  static Iterator<StepResult> addInOrder(
      Iterator<Tuple2<Integer, Tuple2<Integer, StepResult>>> it) {
    List<Tuple2<Integer, StepResult>> members = new ArrayList<>();
    it.forEachRemaining(t -> members.add(t._2()));
    if (members.isEmpty()) {
      throw new IllegalStateException("a group or shard received no partition's result");
    }
    members.sort(Comparator.comparingInt(Tuple2::_1));
    StepResult s = members.get(0)._2();
    for (int k = 1; k < members.size(); k++) {
      s = StepResult.merge(s, members.get(k)._2());
    }
    return List.of(s).iterator();
  }

  /** The one result a step task's partition holds. */
  static StepResult only(Iterator<StepResult> it, int partition) {
    if (!it.hasNext()) {
      throw new IllegalStateException("partition " + partition + " returned no step result");
    }
    return it.next();
  }

  /** Routes group g to partition g. */
  static final class ByGroup extends Partitioner {
    private final int groups;

    ByGroup(int groups) {
      this.groups = groups;
    }

    @Override
    public int numPartitions() {
      return groups;
    }

    @Override
    public int getPartition(Object key) {
      return (Integer) key;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ByGroup g && g.groups == groups;
    }

    @Override
    public int hashCode() {
      return groups;
    }
  }

  /** A task's one result, shipped to the driver as it is. */
  static final class Single
      extends AbstractFunction2<TaskContext, scala.collection.Iterator<StepResult>, StepResult>
      implements Serializable {
    @Override
    public StepResult apply(TaskContext ctx, scala.collection.Iterator<StepResult> it) {
      if (!it.hasNext()) {
        throw new IllegalStateException(
            "partition " + ctx.partitionId() + " returned no step result");
      }
      return GradientBlocks.publish(it.next(), ctx);
    }
  }

  /**
   * Collects the results on the driver as they arrive. Spark calls the handler once per partition,
   * from its scheduler thread; a result whose gradient waits in a block is read on a pool thread
   * (GradientBlocks.fetch), so that neither the scheduler nor the other partitions wait for the
   * transfer.
   */
  static final class InOrder extends AbstractFunction2<Object, StepResult, BoxedUnit> {
    private final List<CompletableFuture<StepResult>> results = new ArrayList<>();
    private final boolean[] arrived;
    private final UnaryOperator<StepResult> fetch;

    InOrder(int partitions, UnaryOperator<StepResult> fetch) {
      this.fetch = fetch;
      arrived = new boolean[partitions];
      for (int i = 0; i < partitions; i++) {
        results.add(new CompletableFuture<>());
      }
    }

    @Override
    public BoxedUnit apply(Object index, StepResult r) {
      CompletableFuture<StepResult> slot = results.get((Integer) index);
      arrived[(Integer) index] = true;
      if (r.gradBlock == null) {
        slot.complete(r);
      } else {
        FETCHES.execute(
            () -> {
              try {
                slot.complete(fetch.apply(r));
              } catch (RuntimeException | Error e) {
                slot.completeExceptionally(e);
              }
            });
      }
      return BoxedUnit.UNIT;
    }

    /**
     * Partition i's result with its gradient in hand (waiting for its transfer), or null when its
     * block was lost. Called once the job has ended, when every partition has reported.
     */
    StepResult take(int i) {
      if (!arrived[i]) {
        throw new IllegalStateException("partition " + i + " returned no step result");
      }
      return results.get(i).join();
    }
  }
}

/*
 * The sum of the partitions' step results in a fixed order, so that a run is reproduced bit for
 * bit (DESIGN.md contract 3): float addition is not associative, and treeAggregate adds partial
 * sums in the order tasks happen to finish. Here partition i's result is added after partition
 * i - 1's, whatever order they arrive in. With few partitions the driver adds every result
 * itself, as soon as the results before it have arrived (what Spark's reduce costs, only ordered);
 * past the point where Spark's treeAggregate of depth 2 adds a level (more than
 * scale + ceil(P / scale) partitions, scale = max(ceil(sqrt P), 2)), consecutive partitions are
 * first summed in groups of `scale` on the executors, each group in partition order, and the
 * driver adds the groups in order. The association depends only on the partition count.
 */
package org.sparkcnn.driver;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.Partitioner;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

final class OrderedReduce {
  private OrderedReduce() {}

  /** The sum of an RDD that holds one StepResult per partition, added in partition order. */
  static StepResult sum(JavaRDD<StepResult> perPartition) {
    int group = groupSize(perPartition.getNumPartitions());
    JavaRDD<StepResult> parts = group == 1 ? perPartition : groupSums(perPartition, group);
    InOrder acc = new InOrder(parts.getNumPartitions());
    parts.context().runJob(parts.rdd(), new Single(), acc,
        ClassTag$.MODULE$.apply(StepResult.class));
    return acc.result();
  }

  /** 1 when the driver adds the P results itself, else how many partitions a group sums. */
  static int groupSize(int partitions) {
    int scale = Math.max((int) Math.ceil(Math.sqrt(partitions)), 2);
    return partitions > scale + (partitions + scale - 1) / scale ? scale : 1;
  }

  /** Partitions [g * size, (g + 1) * size) summed in order into partition g. */
  private static JavaRDD<StepResult> groupSums(JavaRDD<StepResult> perPartition, int size) {
    int groups = (perPartition.getNumPartitions() + size - 1) / size;
    JavaRDD<Tuple2<Integer, Tuple2<Integer, StepResult>>> keyed = perPartition
        .mapPartitionsWithIndex((i, it) -> List.of(new Tuple2<>(i / size, new Tuple2<>(i,
            only(it, i)))).iterator(), true);
    return JavaPairRDD.fromJavaRDD(keyed)
        .partitionBy(new ByGroup(groups))
        .mapPartitions(it -> {
          List<Tuple2<Integer, StepResult>> members = new ArrayList<>();
          it.forEachRemaining(t -> members.add(t._2()));
          members.sort(Comparator.comparingInt(Tuple2::_1));
          StepResult s = members.get(0)._2();
          for (int k = 1; k < members.size(); k++) {
            s = StepResult.merge(s, members.get(k)._2());
          }
          return List.of(s).iterator();
        });
  }

  private static StepResult only(Iterator<StepResult> it, int partition) {
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
        throw new IllegalStateException("partition " + ctx.partitionId()
            + " returned no step result");
      }
      return it.next();
    }
  }

  /**
   * Adds results on the driver in partition order as they arrive: a result waits only until the
   * ones before it are in. Spark calls the handler once per partition, from its scheduler thread.
   */
  static final class InOrder extends AbstractFunction2<Object, StepResult, BoxedUnit> {
    private final StepResult[] waiting;
    private int next;
    private StepResult sum;

    InOrder(int partitions) {
      waiting = new StepResult[partitions];
    }

    @Override
    public synchronized BoxedUnit apply(Object index, StepResult r) {
      waiting[(Integer) index] = r;
      while (next < waiting.length && waiting[next] != null) {
        sum = sum == null ? waiting[next] : StepResult.merge(sum, waiting[next]);
        waiting[next++] = null;
      }
      return BoxedUnit.UNIT;
    }

    synchronized StepResult result() {
      if (next != waiting.length) {
        throw new IllegalStateException("only " + next + " of " + waiting.length
            + " partitions returned a step result");
      }
      return sum;
    }
  }
}

/*
 * DESIGN.md contract 3 for the reduction: the partitions' results are added in one fixed
 * association that depends only on the partition count, directly on the driver for few partitions
 * and in groups on the executors past treeAggregate's threshold. The values are chosen so that
 * float addition in another order gives another sum.
 */
package org.sparkcnn.driver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

class OrderedReduceTest {
  private static final float[] VALUES = {1e8f, 3.5f, -1e8f, 0.75f, 1.25e7f, -3f, 7e-3f};

  private static StepResult result(int p) {
    return new StepResult(new float[] {VALUES[p], -VALUES[p] / 3}, p * 0.1, p, 10 + p, 0,
        new float[] {VALUES[p] * 2}, 1);
  }

  private static StepResult reduce(int partitions) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(TestSpark.get().sparkContext());
    List<Integer> ids = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      ids.add(p);
    }
    return OrderedReduce.sum(jsc.parallelize(ids, partitions).map(OrderedReduceTest::result));
  }

  /** The sum of results [from, to) added left to right. */
  private static StepResult inOrder(int from, int to) {
    StepResult s = result(from);
    for (int p = from + 1; p < to; p++) {
      s = StepResult.merge(s, result(p));
    }
    return s;
  }

  @Test
  void groupsFollowTreeAggregatesThreshold() {
    assertEquals(1, OrderedReduce.groupSize(2));
    assertEquals(1, OrderedReduce.groupSize(4));
    assertEquals(1, OrderedReduce.groupSize(5));
    assertEquals(3, OrderedReduce.groupSize(7));
    assertEquals(4, OrderedReduce.groupSize(16));
  }

  @Test
  void fewPartitionsAreAddedInPartitionOrderOnTheDriver() {
    StepResult expected = inOrder(0, 4);
    StepResult other = StepResult.merge(StepResult.merge(StepResult.merge(result(0), result(2)),
        result(1)), result(3));
    assertNotEquals(expected.gradSum()[1], other.gradSum()[1], "the data must be order-sensitive");
    for (int run = 0; run < 3; run++) {
      StepResult r = reduce(4);
      assertArrayEquals(expected.gradSum(), r.gradSum());
      assertArrayEquals(expected.bufferMean(), r.bufferMean());
      assertEquals(expected.lossSum(), r.lossSum());
      assertEquals(expected.count(), r.count());
    }
  }

  @Test
  void manyPartitionsAreSummedInOrderedGroupsThenAddedInOrder() {
    // 7 partitions: groups {0, 1, 2}, {3, 4, 5}, {6}.
    StepResult expected = StepResult.merge(StepResult.merge(inOrder(0, 3), inOrder(3, 6)),
        inOrder(6, 7));
    for (int run = 0; run < 2; run++) {
      StepResult r = reduce(7);
      assertArrayEquals(expected.gradSum(), r.gradSum());
      assertArrayEquals(expected.bufferMean(), r.bufferMean());
      assertEquals(expected.correct(), r.correct());
      assertEquals(7, r.partitions);
    }
  }
}

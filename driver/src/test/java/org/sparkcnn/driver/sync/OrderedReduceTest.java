/*
 * DESIGN.md contract 3 for the reduction: the partitions' results are added in one fixed
 * association that depends only on the partition count, directly on the driver for few partitions
 * and in groups on the executors past treeAggregate's threshold. The values are chosen so that
 * float addition in another order gives another sum. Large gradients take the block manager
 * (GradientBlocks) to the same sum, and a block lost before the driver read it is recomputed.
 */
package org.sparkcnn.driver.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.sparkcnn.driver.TestSpark;

class OrderedReduceTest {
  private static final float[] VALUES = {1e8f, 3.5f, -1e8f, 0.75f, 1.25e7f, -3f, 7e-3f};

  private static StepResult result(int p) {
    return new StepResult(
        new float[] {VALUES[p], -VALUES[p] / 3},
        p * 0.1,
        p,
        10 + p,
        0,
        new float[] {VALUES[p] * 2},
        1);
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
    StepResult other =
        StepResult.merge(
            StepResult.merge(StepResult.merge(result(0), result(2)), result(1)), result(3));
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
    StepResult expected =
        StepResult.merge(StepResult.merge(inOrder(0, 3), inOrder(3, 6)), inOrder(6, 7));
    for (int run = 0; run < 2; run++) {
      StepResult r = reduce(7);
      assertArrayEquals(expected.gradSum(), r.gradSum());
      assertArrayEquals(expected.bufferMean(), r.bufferMean());
      assertEquals(expected.correct(), r.correct());
      assertEquals(7, r.partitions);
    }
  }

  /** A result whose gradient is large enough to travel as a block (GradientBlocks). */
  private static StepResult large(int p) {
    float[] g = new float[GradientBlocks.MIN_FLOATS + 3];
    for (int i = 0; i < g.length; i++) {
      g[i] = VALUES[(p + i) % VALUES.length] * (1 + i % 5);
    }
    return new StepResult(g, p, p, 1, 0, null, 1);
  }

  private static StepResult largeInOrder(int partitions) {
    StepResult s = large(0);
    for (int p = 1; p < partitions; p++) {
      s = StepResult.merge(s, large(p));
    }
    return s;
  }

  private static JavaRDD<StepResult> largeResults(int partitions) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(TestSpark.get().sparkContext());
    List<Integer> ids = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      ids.add(p);
    }
    return jsc.parallelize(ids, partitions).map(OrderedReduceTest::large);
  }

  @Test
  void largeGradientsComeThroughBlocksInPartitionOrderAndLeaveNoBlockBehind() {
    for (int partitions : new int[] {3, 7}) {
      StepResult expected =
          partitions == 3
              ? largeInOrder(3)
              : StepResult.merge(
                  StepResult.merge(
                      largeInOrder(3),
                      StepResult.merge(StepResult.merge(large(3), large(4)), large(5))),
                  large(6));
      StepResult r = OrderedReduce.sum(largeResults(partitions));
      assertArrayEquals(expected.gradSum(), r.gradSum(), partitions + " partitions");
      assertEquals(expected.lossSum(), r.lossSum());
      assertNull(r.gradBlock);
    }
    // removal is asynchronous: wait for it, for at most a minute
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!GradientBlocksTest.gradientBlocks().isEmpty() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertEquals(List.of(), GradientBlocksTest.gradientBlocks());
  }

  @Test
  void aLostGradientBlockIsRecomputedToTheSameSum() {
    Set<Integer> lost = ConcurrentHashMap.newKeySet();
    StepResult r =
        OrderedReduce.sum(
            largeResults(3),
            res -> {
              // the first block of partition 1 is lost, as if its executor died after the task
              if (res.gradBlock != null && res.gradBlock.contains("_1_") && lost.add(1)) {
                GradientBlocks.fetch(res); // reads and removes it
                return null;
              }
              return GradientBlocks.fetch(res);
            });
    assertEquals(Set.of(1), lost);
    assertArrayEquals(largeInOrder(3).gradSum(), r.gradSum());
  }

  @Test
  void aBlockLostEveryTimeFailsWithTheReason() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                OrderedReduce.sum(
                    largeResults(2),
                    res -> {
                      StepResult got = GradientBlocks.fetch(res);
                      return res.gradSum != null && res.lossSum() == 1 ? null : got;
                    }));
    assertTrue(e.getMessage().contains("partition 1 was lost 3 times"), e.getMessage());
  }

  @Test
  void aMissingBlockReadsAsLost() {
    StepResult r = new StepResult(null, 0, 0, 1, 0);
    r.gradBlock = "test_sparkcnn_gradient_no_such_block";
    TestSpark.get();
    assertNull(GradientBlocks.fetch(r));
  }
}

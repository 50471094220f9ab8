/*
 * The sharded aggregation keeps DESIGN.md contract 3: every element is added in partition order,
 * so it gives the bits OrderedReduce gives for few partitions, run after run, for a vector whose
 * length the shard count does not divide, with the loss, counts and buffers carried by shard 0.
 * The values are chosen so that float addition in another order gives another sum.
 */
package org.sparkcnn.driver.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.sparkcnn.driver.TestSpark;

class ShardedReduceTest {
  private static final float[] VALUES = {1e8f, 3.5f, -1e8f, 0.75f, 1.25e7f, -3f, 7e-3f};
  private static final int LENGTH = 7;

  /** Partition p's gradient: element i is VALUES[(p + i) % 7] / (i + 1), order-sensitive. */
  private static StepResult result(int p) {
    float[] g = new float[LENGTH];
    for (int i = 0; i < LENGTH; i++) {
      g[i] = VALUES[(p + i) % VALUES.length] / (i + 1);
    }
    return new StepResult(g, p * 0.1, p, 10 + p, 1000L * p, new float[] {VALUES[p] * 2}, 1);
  }

  private static JavaRDD<StepResult> results(int partitions) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(TestSpark.get().sparkContext());
    List<Integer> ids = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      ids.add(p);
    }
    return jsc.parallelize(ids, partitions).map(ShardedReduceTest::result);
  }

  @Test
  void shardsCoverTheVectorWithoutGapsOrOverlap() {
    assertEquals(0, ShardedReduce.lo(0, 3, 7));
    assertEquals(2, ShardedReduce.lo(1, 3, 7));
    assertEquals(4, ShardedReduce.lo(2, 3, 7));
    assertEquals(7, ShardedReduce.lo(3, 3, 7));
  }

  @Test
  void shardedSumHasTheBitsOfThePartitionOrderSum() {
    for (int partitions : new int[] {2, 3, 4}) {
      StepResult expected = result(0);
      for (int p = 1; p < partitions; p++) {
        expected = StepResult.merge(expected, result(p));
      }
      for (int run = 0; run < 2; run++) {
        StepResult r = ShardedReduce.sum(results(partitions), LENGTH);
        assertArrayEquals(expected.gradSum(), r.gradSum(), partitions + " partitions");
        assertArrayEquals(expected.bufferMean(), r.bufferMean());
        assertEquals(expected.lossSum(), r.lossSum());
        assertEquals(expected.correct(), r.correct());
        assertEquals(expected.count(), r.count());
        assertEquals(1000L * (partitions - 1), r.computeNanos());
        assertEquals(partitions, r.partitions);
        assertArrayEquals(OrderedReduce.sum(results(partitions)).gradSum(), r.gradSum());
      }
    }
    StepResult reversed = StepResult.merge(StepResult.merge(result(2), result(1)), result(0));
    StepResult forward = StepResult.merge(StepResult.merge(result(0), result(1)), result(2));
    boolean differs = false;
    for (int i = 0; i < LENGTH; i++) {
      differs |= reversed.gradSum()[i] != forward.gradSum()[i];
    }
    assertTrue(differs, "the data must be order-sensitive");
  }

  @Test
  void largeShardsComeBackThroughBlocksWithTheSameBits() {
    int length = 2 * GradientBlocks.MIN_FLOATS + 5; // two shards of at least MIN_FLOATS
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(TestSpark.get().sparkContext());
    JavaRDD<StepResult> big =
        jsc.parallelize(List.of(0, 1), 2)
            .map(
                p -> {
                  float[] g = new float[length];
                  for (int i = 0; i < length; i++) {
                    g[i] = VALUES[(p + i) % VALUES.length] / (1 + i % 9);
                  }
                  return new StepResult(g, p, p, 1, 0, null, 1);
                });
    StepResult r = ShardedReduce.sum(big, length);
    assertArrayEquals(OrderedReduce.sum(big).gradSum(), r.gradSum());
    assertEquals(2, r.count());
  }

  @Test
  void aGradientOfTheWrongLengthIsReported() {
    var e = assertThrows(SparkException.class, () -> ShardedReduce.sum(results(2), LENGTH + 1));
    assertTrue(
        e.getMessage().contains("returned a gradient of 7 floats, expected 8"), e.getMessage());
  }
}

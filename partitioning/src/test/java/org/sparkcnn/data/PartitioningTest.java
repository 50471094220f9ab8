/*
 * The Spark side of the data module on local[2]: balanced assignment (sizes differ by at most
 * one), blocks sorted by id whatever the shuffle order, per-epoch orders, the split of a global
 * batch, normalisation tables and distributed channel statistics.
 */
package org.sparkcnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PartitioningTest {
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("partitioning-test")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static List<Block> blocks(int n, int partitions) {
    ShapesSource source = new ShapesSource(3, n, 10);
    JavaRDD<Block> rdd =
        Partitioning.blocks(
            source.load(spark, Split.TRAIN),
            source.shape(),
            partitions,
            StorageLevel.MEMORY_ONLY());
    return rdd.collect();
  }

  @Test
  void partitionsAreBalancedSortedAndHoldEveryIdOnce() {
    List<Block> blocks = blocks(103, 4);
    assertEquals(4, blocks.size());
    long[] all = new long[103];
    int at = 0;
    for (Block b : blocks) {
      assertTrue(b.size() == 25 || b.size() == 26, "size " + b.size());
      for (int i = 0; i < b.size(); i++) {
        assertEquals(b.partition(), Partitioning.partitionOf(b.id(i), 4));
        if (i > 0) {
          assertTrue(b.id(i) > b.id(i - 1), "ids must be sorted within a block");
        }
        all[at++] = b.id(i);
      }
    }
    Arrays.sort(all);
    for (int i = 0; i < all.length; i++) {
      assertEquals(i, all[i]);
    }
  }

  @Test
  void blocksAreTheSameOnEveryBuild() {
    List<Block> a = blocks(50, 3);
    List<Block> b = blocks(50, 3);
    for (int p = 0; p < 3; p++) {
      assertArrayEquals(a.get(p).pixels(), b.get(p).pixels());
      assertArrayEquals(a.get(p).epochOrder(1, 2), b.get(p).epochOrder(1, 2));
    }
    assertNotEquals(
        Arrays.toString(a.get(0).epochOrder(1, 2)),
        Arrays.toString(a.get(0).epochOrder(1, 3)),
        "each epoch visits the block in a new order");
  }

  @Test
  void gatherNormalisesAndPicksLabels() {
    Block b = blocks(20, 2).get(0);
    Normalizer norm = new Normalizer(new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.5f, 1f});
    int size = b.shape().size();
    float[] x = new float[2 * size];
    int[] y = new int[2];
    b.gather(new int[] {3, 1}, 0, 2, norm, x, y);
    assertEquals(b.label(3), y[0]);
    assertEquals(b.label(1), y[1]);
    int plane = 32 * 32;
    int p = b.pixels()[3 * size + plane + 7] & 0xFF; // green channel, pixel 7 of sample 3
    assertEquals((p / 255f - 0.5f) / 0.5f, x[plane + 7], 1e-6f);
  }

  @Test
  void globalBatchIsSplitExactly() {
    LocalBatches lb = new LocalBatches(10, new int[] {40, 41, 40});
    assertEquals(4, lb.localBatch(0));
    assertEquals(3, lb.localBatch(1));
    assertEquals(3, lb.localBatch(2));
    assertEquals(10, lb.stepsPerEpoch());
    assertThrows(IllegalArgumentException.class, () -> new LocalBatches(2, new int[] {5, 5, 5}));
  }

  @Test
  void channelStatsMatchADirectComputation() {
    ShapesSource source = new ShapesSource(5, 64, 10);
    JavaRDD<Block> rdd =
        Partitioning.blocks(
            source.load(spark, Split.TRAIN), source.shape(), 2, StorageLevel.MEMORY_ONLY());
    Normalizer n = ChannelStats.compute(rdd, 3);
    double[] sum = new double[3];
    double[] sq = new double[3];
    for (long id = 0; id < 64; id++) {
      byte[] px = ShapesGenerator.render(5, id);
      for (int c = 0; c < 3; c++) {
        for (int i = 0; i < 1024; i++) {
          double v = (px[c * 1024 + i] & 0xFF) / 255.0;
          sum[c] += v;
          sq[c] += v * v;
        }
      }
    }
    for (int c = 0; c < 3; c++) {
      double mean = sum[c] / (64 * 1024);
      double std = Math.sqrt(sq[c] / (64 * 1024) - mean * mean);
      assertEquals(mean, n.mean()[c], 1e-5);
      assertEquals(std, n.std()[c], 1e-5);
    }
  }

  @Test
  void normalizerRejectsBadStatistics() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Normalizer(new float[] {0f}, new float[] {0f}));
    assertTrue(e.getMessage().contains("std must be positive"), e.getMessage());
  }
}

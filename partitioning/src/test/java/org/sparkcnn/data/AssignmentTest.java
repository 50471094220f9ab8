/*
 * How samples are dealt over partitions (Assignment) and moved there (Partitioning.arrange):
 * stratified partitions hold each class's count to within one, with the exact counts worked out
 * by hand below; every mode and round keeps sizes within one and the same from round to round; a
 * reshuffle round is a new assignment, the same on every call, and a different one for another
 * round or seed; ids with gaps (skipped images) are dealt by rank; and on Spark the arranged blocks
 * are the same whatever order the rows arrived in.
 */
package org.sparkcnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AssignmentTest {
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("assignment-test")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** 20 samples, ids 0..19: 10 of class 0, 7 of class 1, 3 of class 2, classes interleaved. */
  private static Assignment.Members mixed() {
    int[] labels = new int[20];
    List<Integer> pool = new ArrayList<>();
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < new int[] {10, 7, 3}[c]; i++) {
        pool.add(c);
      }
    }
    java.util.Collections.shuffle(pool, new Random(4));
    long[] ids = new long[20];
    for (int i = 0; i < 20; i++) {
      ids[i] = i;
      labels[i] = pool.get(i);
    }
    return new Assignment.Members(ids, labels);
  }

  /** counts[p][c]: samples of class c in partition p. */
  private static int[][] classCounts(Assignment a, Assignment.Members m, int classes) {
    int[][] counts = new int[a.partitions()][classes];
    for (int i = 0; i < a.samples(); i++) {
      counts[a.partitionAt(i)][m.labels()[i]]++;
    }
    return counts;
  }

  @Test
  void stratifiedPartitionsHoldEveryClassToWithinOne() {
    Assignment.Members m = mixed();
    // the class-sorted line dealt mod 3: class 0 at ranks 0..9 (4, 3, 3), class 1 at ranks
    // 10..16 (2, 3, 2), class 2 at ranks 17..19 (1, 1, 1)
    int[][] expected = {{4, 2, 1}, {3, 3, 1}, {3, 2, 1}};
    for (int round = 0; round < 4; round++) {
      Assignment a = Assignment.of(m, 3, Assignment.Mode.STRATIFIED, 9, round);
      assertArrayEquals(expected, classCounts(a, m, 3), "round " + round);
      assertArrayEquals(new int[] {7, 7, 6}, a.sizes(), "round " + round);
    }
    int[][] balanced = classCounts(Assignment.of(m, 3, Assignment.Mode.BALANCED, 9, 0), m, 3);
    assertFalse(
        java.util.Arrays.deepEquals(expected, balanced),
        "this label order is not stratified by id mod P alone, so the test can tell");
  }

  @Test
  void everyModeAndRoundIsBalancedWithTheSameSizes() {
    long[] ids = new long[103];
    int[] labels = new int[103];
    Random rnd = new Random(1);
    for (int i = 0; i < ids.length; i++) {
      ids[i] = 3L * i + (i % 2); // gaps, as after skipped images
      labels[i] = rnd.nextInt(5);
    }
    Assignment.Members m = new Assignment.Members(ids, labels);
    int[] sizes = Assignment.of(m, 4, Assignment.Mode.BALANCED, 7, 0).sizes();
    assertArrayEquals(new int[] {26, 26, 26, 25}, sizes);
    for (Assignment.Mode mode : Assignment.Mode.values()) {
      for (int round = 0; round < 5; round++) {
        assertArrayEquals(
            sizes, Assignment.of(m, 4, mode, 7, round).sizes(), mode + " round " + round);
      }
    }
    Assignment zero = Assignment.of(m, 4, Assignment.Mode.BALANCED, 7, 0);
    for (int i = 0; i < ids.length; i++) {
      assertEquals(i % 4, zero.partitionOf(ids[i]), "round 0 deals the ids by rank");
    }
    var e = assertThrows(IllegalArgumentException.class, () -> zero.partitionOf(1));
    assertTrue(e.getMessage().contains("sample 1 is not among the 103 samples"), e.getMessage());
  }

  @Test
  void aReshuffleRoundIsNewAndReproducible() {
    Assignment.Members m = mixed();
    for (Assignment.Mode mode : Assignment.Mode.values()) {
      Assignment r0 = Assignment.of(m, 3, mode, 9, 0);
      Assignment r1 = Assignment.of(m, 3, mode, 9, 1);
      assertTrue(r1.sameAs(Assignment.of(m, 3, mode, 9, 1)), "the same on every call");
      assertFalse(r1.sameAs(r0), mode + ": round 1 moves samples");
      assertFalse(r1.sameAs(Assignment.of(m, 3, mode, 9, 2)), mode + ": round 2 differs");
      assertFalse(r1.sameAs(Assignment.of(m, 3, mode, 10, 1)), mode + ": another seed differs");
    }
    assertTrue(
        Assignment.of(m, 3, Assignment.Mode.BALANCED, 9, 0).sameAs(Assignment.byId(m, 3)),
        "balanced round 0 on dense ids is id mod P");
  }

  @Test
  void badInputsAreNamed() {
    var dup =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Assignment.Members(new long[] {1, 1}, new int[] {0, 0}));
    assertTrue(dup.getMessage().contains("unique and increasing, got 1 then 1"), dup.getMessage());
  }

  /** The arranged blocks of a split whose rows came in the given order. */
  private static List<Block> arranged(Dataset<Row> rows, Assignment.Mode mode, int round) {
    ShapesSource source = new ShapesSource(3, 90, 10);
    JavaRDD<Block> byId = Partitioning.blocks(rows, source.shape(), 3, StorageLevel.MEMORY_ONLY());
    Assignment.Members m = Partitioning.members(byId);
    Assignment a = Assignment.of(m, 3, mode, 5, round);
    JavaRDD<Block> blocks =
        Partitioning.arrange(
            byId, Assignment.byId(m, 3), a, source.shape(), false, StorageLevel.MEMORY_ONLY());
    List<Block> out = blocks.collect();
    for (Block b : out) {
      for (int i = 0; i < b.size(); i++) {
        assertEquals(a.partitionOf(b.id(i)), b.partition(), "sample " + b.id(i));
      }
    }
    blocks.unpersist(false);
    return out;
  }

  @Test
  void arrangedBlocksDoNotDependOnTheOrderRowsArriveIn() {
    Dataset<Row> rows = new ShapesSource(3, 90, 10).load(spark, Split.TRAIN);
    Dataset<Row> reordered = rows.repartition(7).orderBy(rows.col("pixels"));
    for (Assignment.Mode mode : Assignment.Mode.values()) {
      List<Block> a = arranged(rows, mode, 1);
      List<Block> b = arranged(reordered, mode, 1);
      assertEquals(3, a.size());
      for (int p = 0; p < 3; p++) {
        assertEquals(30, a.get(p).size());
        assertEquals(a.get(p).partition(), b.get(p).partition());
        for (int i = 0; i < a.get(p).size(); i++) {
          assertEquals(a.get(p).id(i), b.get(p).id(i), mode + " partition " + p);
        }
        assertArrayEquals(a.get(p).pixels(), b.get(p).pixels(), mode + " partition " + p);
      }
    }
  }
}

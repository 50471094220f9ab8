/*
 * A run's data on local[2], as the driver hands it over: 192 generated training shapes over 3
 * partitions, stratified and redealt every epoch, so that the training blocks of each epoch are
 * those of the epoch's round while the test split stays balanced in round 0; and the count of a
 * split's undecodable images, which are named and allowed up to data.max_bad_fraction, beyond
 * which nothing is trained.
 */
package org.sparkcnn.data.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkcnn.data.Assignment;
import org.sparkcnn.data.Block;
import org.sparkcnn.data.ShapesSource;
import org.sparkcnn.data.Split;
import org.sparkcnn.data.augment.Augmentation;

class TrainingDataTest {
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("training-data-test")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** 192 + 48 shapes, batches of 24, stratified, redealt every epoch, seed 42. */
  static DataSpec spec(double maxBadFraction) {
    ShapesSource source = new ShapesSource(42, 192, 48);
    DataCache cache =
        DataCache.of(
            new DataCache.Settings(
                DataCache.Form.AUTO, DataCache.Storage.MEMORY_AND_DISK, 1024, "shapes", "data"),
            source);
    return new DataSpec(
        source,
        Augmentation.none(source.shape()),
        true,
        42,
        24,
        Assignment.Mode.STRATIFIED,
        1,
        maxBadFraction,
        cache);
  }

  @Test
  void eachEpochTrainsOnTheBlocksOfItsRound() {
    DataSpec spec = spec(0.01);
    var jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    TrainingData d = TrainingData.prepare(spark, spec, 3);
    try {
      Assignment.Members m = d.trainSplit().members();
      for (int epoch = 1; epoch <= 3; epoch++) {
        d = TrainingData.forEpoch(jsc, d, epoch);
        assertEquals(epoch - 1, d.round());
        Assignment want = Assignment.of(m, 3, Assignment.Mode.STRATIFIED, spec.seed(), epoch - 1);
        assertTrue(want.sameAs(d.trainSplit().assignment()), "epoch " + epoch);
        for (Block b : d.train().collect()) {
          assertEquals(64, b.size());
          for (int i = 0; i < b.size(); i++) {
            assertEquals(want.partitionOf(b.id(i)), b.partition(), "epoch " + epoch);
          }
        }
      }
      assertEquals(3, DataLayout.round(spec, 4));
      assertEquals(
          0,
          DataLayout.assignment(spec, Split.TEST, m, 3, 2).partitionOf(m.ids()[0]),
          "the test split stays balanced in round 0");
    } finally {
      d.train().unpersist(false);
      d.test().unpersist(false);
    }
  }

  @Test
  void skippedImagesAreCountedNamedAndLimited() {
    List<String> listing = List.of("a.jpg", "b.jpg", "c.jpg", "d.jpg");
    var m = new Assignment.Members(new long[] {0, 2, 3}, new int[] {0, 1, 0});
    assertEquals(1, DataLayout.checkSkipped(spec(0.25), Split.TRAIN, listing, m));
    var all = new Assignment.Members(new long[] {0, 1, 2, 3}, new int[] {0, 1, 1, 0});
    assertEquals(0, DataLayout.checkSkipped(spec(0), Split.TEST, listing, all));
    var e =
        assertThrows(
            DataConfigException.class,
            () -> DataLayout.checkSkipped(spec(0.2), Split.TRAIN, listing, m));
    assertEquals(
        "data: 1 of the 4 training images (25.00%) cannot be decoded (corrupt or truncated), more"
            + " than key 'data.max_bad_fraction' = 0.2 allows; nothing was trained. Remove or"
            + " replace them, or raise data.max_bad_fraction to train without them. They are"
            + " b.jpg",
        e.getMessage());
  }
}

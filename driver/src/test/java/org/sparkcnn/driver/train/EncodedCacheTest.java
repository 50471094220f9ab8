/*
 * data.cache and data.cache_storage through the distributed trainer, on an image folder written
 * here (2 classes of 20 training and 5 test images, PNG and JPEG of several sizes): training from
 * the encoded files, decoded in each step, with augmentation, dataset normalisation (channel
 * statistics over encoded blocks) and evaluation from encoded blocks, writes the same model file,
 * bit for bit, as training from decoded pixels, in memory and on disk only; auto picks the form
 * by the decoded size. The encoded cache follows main's data handling to the same bits: a
 * truncated JPEG is skipped and counted alike in both forms (skipped_images, skipped_test_images),
 * too many bad files stop an encoded job before training, naming them, and stratified
 * partitioning with a reshuffle every epoch puts every sample in the same partition at the same
 * position in both forms. Parquet shards prepared --format encoded cache encoded and train the
 * model the image folder trains; decoded shards refuse data.cache: encoded.
 */
package org.sparkcnn.driver.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.data.Block;
import org.sparkcnn.data.FolderSource;
import org.sparkcnn.data.ParquetMeta;
import org.sparkcnn.data.ParquetShards;
import org.sparkcnn.data.cache.DataCache;
import org.sparkcnn.data.cache.TrainingData;
import org.sparkcnn.driver.TestImages;
import org.sparkcnn.driver.TestSpark;
import org.sparkcnn.driver.config.JobConfig;
import org.sparkcnn.driver.config.TrainingPlan;
import org.sparkcnn.driver.persist.RunFolder;
import org.sparkcnn.engine.ModelFile;

public class EncodedCacheTest {
  @TempDir Path dir;

  /** Class a: a bright square on noise; class b: a dark one; sizes and formats vary. */
  public static Path imageFolder(Path root, int train, int test) throws Exception {
    return TestImages.folder(
        root,
        train,
        test,
        11,
        4,
        TestImages.layout(
            (i, r) -> new int[] {20 + r.nextInt(12), 20 + r.nextInt(12)},
            i -> i % 3 == 0 ? "jpg" : "png"));
  }

  private JobConfig config(Path root, Map<String, Object> more) throws Exception {
    Files.writeString(
        dir.resolve("net.yaml"),
        String.join(
            "\n",
            "layers:",
            "  - conv2d: {out: 6, kernel: 3, padding: 1}",
            "  - relu",
            "  - max_pool2d: {kernel: 2}",
            "  - flatten",
            "  - linear: {out: $classes}",
            ""));
    Map<String, Object> keys =
        new HashMap<>(
            Map.of(
                "data.source",
                "folder",
                "data.dir",
                root.toString(),
                "data.image_size",
                16,
                "train.epochs",
                2,
                "train.batch_size",
                8,
                "train.partitions",
                2,
                "model.file",
                dir.resolve("net.yaml").toString(),
                "eval.batch_size",
                3,
                "data.augment",
                List.of(
                    Map.of("op", "random_crop", "size", 16, "padding", 2),
                    Map.of("op", "hflip"),
                    Map.of("op", "color_jitter", "brightness", 0.3))));
    keys.putAll(more);
    return JobConfig.resolve(keys, "test");
  }

  private byte[] train(String name, Path root, Map<String, Object> keys) throws Exception {
    JobConfig c = config(root, keys);
    Path run = dir.resolve(name);
    new Trainer(TrainingPlan.from(c), RunFolder.create(run, c)).run(TestSpark.get());
    return Files.readAllBytes(run.resolve(RunFolder.MODEL));
  }

  @Test
  void encodedFilesTrainTheSameModelAsDecodedPixels() throws Exception {
    Path root = imageFolder(dir.resolve("images"), 40, 10);
    byte[] decoded = train("decoded", root, Map.of("data.cache", "decoded"));
    byte[] encoded = train("encoded", root, Map.of("data.cache", "encoded"));
    byte[] encodedOnDisk =
        train("disk", root, Map.of("data.cache", "encoded", "data.cache_storage", "disk"));
    byte[] decodedInMemory =
        train("memory", root, Map.of("data.cache", "decoded", "data.cache_storage", "memory"));
    assertArrayEquals(decoded, encoded);
    assertArrayEquals(decoded, encodedOnDisk);
    assertArrayEquals(decoded, decodedInMemory);
  }

  @Test
  void diskStorageKeepsEncodedBlocksOnDisk() throws Exception {
    Path root = imageFolder(dir.resolve("images"), 12, 4);
    TrainingPlan plan =
        TrainingPlan.from(
            config(root, Map.of("data.cache", "encoded", "data.cache_storage", "disk")));
    TrainingData data = TrainingData.prepare(TestSpark.get(), plan.dataSpec(), 2);
    try {
      assertEquals(StorageLevel.DISK_ONLY(), data.train().getStorageLevel());
      assertEquals(StorageLevel.DISK_ONLY(), data.test().getStorageLevel());
      List<Block> blocks = data.train().collect(); // read back from disk through Kryo
      assertEquals(2, blocks.size());
      assertTrue(blocks.get(0).isEncoded());
      assertEquals(12, blocks.get(0).size() + blocks.get(1).size());
      // ids in (class, name) order: a/img0, a/img10, a/img2, ...; partition 1 starts at id 1
      assertTrue(blocks.get(1).path(0).endsWith("train/a/img10.png"), blocks.get(1).path(0));
    } finally {
      data.train().unpersist(true);
      data.test().unpersist(true);
    }
  }

  @Test
  void autoCachesByTheDecodedSize() throws Exception {
    Path root = imageFolder(dir.resolve("images"), 12, 4);
    TrainingPlan plan = TrainingPlan.from(config(root, Map.of()));
    DataCache small = TrainingPlan.cache(plan.config(), plan.source());
    assertFalse(small.encoded());
    assertEquals(StorageLevel.MEMORY_AND_DISK(), small.level());
    assertTrue(small.describe().contains("12 images of 3x16x16"), small.describe());
    DataCache large =
        TrainingPlan.cache(config(root, Map.of("data.cache_decoded_max_mb", 0)), plan.source());
    assertTrue(large.encoded());
    assertTrue(
        large.describe().startsWith("data cache: encoded files in memory_and_disk"),
        large.describe());

    JobConfig shapes = JobConfig.resolve(Map.of("data.cache", "encoded"), "test");
    var e = assertThrows(JobConfig.ConfigException.class, () -> TrainingPlan.from(shapes));
    assertTrue(
        e.getMessage().contains("key 'data.cache': encoded needs a source of image files"),
        e.getMessage());
    JobConfig auto = JobConfig.resolve(Map.of("data.cache_decoded_max_mb", 0), "test");
    assertNull(TrainingPlan.cache(auto, TrainingPlan.from(auto).source()).decoder());
    var bad =
        assertThrows(
            JobConfig.ConfigException.class,
            () -> JobConfig.resolve(Map.of("data.cache_storage", "tape"), "test"));
    assertTrue(bad.getMessage().contains("data.cache_storage"), bad.getMessage());
  }

  /** more with key set to value. */
  private static Map<String, Object> with(Map<String, Object> more, String key, Object value) {
    Map<String, Object> m = new HashMap<>(more);
    m.put(key, value);
    return m;
  }

  /** Each metrics.jsonl line of a run counts `train` skipped training and `test` test images. */
  private void assertSkipped(String run, long train, long test) throws Exception {
    List<String> lines = Files.readAllLines(dir.resolve(run).resolve(RunFolder.METRICS));
    assertFalse(lines.isEmpty(), run);
    for (String line : lines) {
      JsonNode j = new ObjectMapper().readTree(line);
      assertEquals(train, j.get("skipped_images").asLong(), run + ": " + line);
      assertEquals(test, j.get("skipped_test_images").asLong(), run + ": " + line);
    }
  }

  @Test
  void aTruncatedJpegIsSkippedAndCountedAlikeInBothForms() throws Exception {
    Path root =
        BadImagesTest.folder(dir.resolve("cut"), List.of("train/dark/03.jpg", "val/light/05.jpg"));
    Map<String, Object> k = Map.of("data.max_bad_fraction", 0.05);
    byte[] decoded = train("cut-decoded", root, with(k, "data.cache", "decoded"));
    byte[] encoded = train("cut-encoded", root, with(k, "data.cache", "encoded"));
    assertArrayEquals(decoded, encoded);
    assertSkipped("cut-decoded", 1, 1);
    assertSkipped("cut-encoded", 1, 1);
  }

  @Test
  void tooManyBadFilesStopAnEncodedJobBeforeTraining() throws Exception {
    Path root = imageFolder(dir.resolve("images"), 12, 4);
    Files.write(root.resolve("train/a/zz-broken.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, 1});
    JobConfig c = config(root, Map.of("data.cache", "encoded", "data.normalize", false));
    var e =
        assertThrows(
            JobConfig.ConfigException.class,
            () ->
                new Trainer(TrainingPlan.from(c), RunFolder.create(dir.resolve("run"), c))
                    .run(TestSpark.get()));
    assertTrue(
        e.getMessage().contains("1 of the 13 training images (7.69%) cannot be decoded")
            && e.getMessage().contains("zz-broken.jpg"),
        e.getMessage());
    assertFalse(Files.exists(dir.resolve("run").resolve(RunFolder.MODEL)), "nothing trained");
  }

  /** The ids of each training block for an epoch's layout, checking the blocks' form. */
  private static List<List<Long>> layout(TrainingPlan plan, int epoch, boolean encoded) {
    TrainingData d = TrainingData.prepare(TestSpark.get(), plan.dataSpec(), 2);
    try {
      d =
          TrainingData.forEpoch(
              JavaSparkContext.fromSparkContext(TestSpark.get().sparkContext()), d, epoch);
      List<List<Long>> ids = new java.util.ArrayList<>();
      for (Block b : d.train().collect()) {
        assertEquals(encoded, b.isEncoded());
        List<Long> p = new java.util.ArrayList<>();
        for (int i = 0; i < b.size(); i++) {
          p.add(b.id(i));
        }
        ids.add(p);
      }
      return ids;
    } finally {
      d.train().unpersist(false);
      d.test().unpersist(false);
    }
  }

  @Test
  void stratifiedReshuffledLayoutsAreTheSameInBothForms() throws Exception {
    // a skipped image leaves a gap in the ids, so even round 0 rearranges the blocks by id
    Path root = BadImagesTest.folder(dir.resolve("cut"), List.of("train/dark/03.jpg"));
    Map<String, Object> k =
        Map.of(
            "data.max_bad_fraction",
            0.05,
            "data.partitioning",
            "stratified",
            "data.reshuffle_every",
            1,
            "train.epochs",
            3);
    byte[] decoded = train("strat-decoded", root, with(k, "data.cache", "decoded"));
    byte[] encoded = train("strat-encoded", root, with(k, "data.cache", "encoded"));
    assertArrayEquals(decoded, encoded);
    assertSkipped("strat-encoded", 1, 0);
    List<List<Long>> d =
        layout(TrainingPlan.from(config(root, with(k, "data.cache", "decoded"))), 2, false);
    List<List<Long>> e =
        layout(TrainingPlan.from(config(root, with(k, "data.cache", "encoded"))), 2, true);
    assertEquals(d, e, "round 1: the same samples at the same positions");
    assertEquals(List.of(20, 19), List.of(d.get(0).size(), d.get(1).size()));
  }

  private static float[] params(byte[] modelFile) throws Exception {
    return ModelFile.read(new ByteArrayInputStream(modelFile), "model.scnn").params();
  }

  @Test
  void encodedParquetShardsCacheEncodedAndTrainTheFoldersModel() throws Exception {
    Path root = imageFolder(dir.resolve("images"), 24, 6);
    Path shards = dir.resolve("encoded-shards");
    ParquetShards.write(
        TestSpark.get(),
        new FolderSource(root.toString(), 16, 0, 0),
        Map.of("name", "folder"),
        shards,
        2,
        ParquetMeta.Format.ENCODED);
    Map<String, Object> pq = Map.of("data.source", "parquet");
    byte[] folder = train("folder", root, Map.of("data.cache", "decoded"));
    byte[] decoded = train("pq-decoded", shards, with(pq, "data.cache", "decoded"));
    byte[] encoded = train("pq-encoded", shards, with(pq, "data.cache", "encoded"));
    assertArrayEquals(decoded, encoded);
    // the files' meta data name the source; the weights are those the folder trains
    assertArrayEquals(params(folder), params(encoded), "the folder's files, ids and labels");
    JobConfig auto = config(shards, with(pq, "data.cache_decoded_max_mb", 0));
    assertTrue(TrainingPlan.cache(auto, TrainingPlan.from(auto).source()).encoded());

    Path pixels = dir.resolve("decoded-shards");
    ParquetShards.write(
        TestSpark.get(),
        new FolderSource(root.toString(), 16, 0, 0),
        Map.of("name", "folder"),
        pixels,
        2,
        ParquetMeta.Format.DECODED);
    var e =
        assertThrows(
            JobConfig.ConfigException.class,
            () -> TrainingPlan.from(config(pixels, with(pq, "data.cache", "encoded"))));
    assertTrue(
        e.getMessage().contains("key 'data.cache': encoded needs a source of image files")
            && e.getMessage().contains("holds decoded shards"),
        e.getMessage());
    JobConfig pixelsAuto = config(pixels, with(pq, "data.cache_decoded_max_mb", 0));
    assertFalse(TrainingPlan.cache(pixelsAuto, TrainingPlan.from(pixelsAuto).source()).encoded());
  }
}

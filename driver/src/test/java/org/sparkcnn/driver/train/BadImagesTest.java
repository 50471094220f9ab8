/*
 * Bad data end to end: a folder dataset written here, two easily told apart classes of
 * JPEGs (dark and light noise), with 2 of the 40 training images and 1 of the 20 test images cut
 * short. javax.imageio's ImageIO.read hands those back as partly grey images; sparkcnn skips them, names
 * them, trains to completion and reports skipped_images = 2 and skipped_test_images = 1 in every
 * metrics.jsonl line, on partitions that still differ in size by at most one. Under the default
 * data.max_bad_fraction (0.01) the same 5% stops the job before any training, with a message
 * naming the count, the fraction, the key and the files, and exit status 2.
 */
package org.sparkcnn.driver.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.data.Block;
import org.sparkcnn.data.cache.TrainingData;
import org.sparkcnn.driver.Main;
import org.sparkcnn.driver.MainTest;
import org.sparkcnn.driver.TestSpark;
import org.sparkcnn.driver.config.JobConfig;
import org.sparkcnn.driver.config.TrainingPlan;
import org.sparkcnn.driver.persist.RunFolder;

class BadImagesTest {
  @TempDir Path dir;

  /** A 48x48 JPEG of noise around grey level `level`. */
  private static byte[] jpeg(Random rnd, int level) throws Exception {
    BufferedImage img = new BufferedImage(48, 48, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 48; y++) {
      for (int x = 0; x < 48; x++) {
        int v = Math.max(0, Math.min(255, level + rnd.nextInt(61) - 30));
        img.setRGB(x, y, v << 16 | v << 8 | v);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "jpg", out);
    return out.toByteArray();
  }

  /**
   * ROOT/train/{dark,light}/NN.jpg (20 each) and ROOT/val/{dark,light}/NN.jpg (10 each); the files
   * named in `truncated` ("train/dark/03.jpg") are cut to 70% of their bytes, short enough to lose
   * image data, long enough that javax.imageio alone still returns an image for them.
   */
  static Path folder(Path root, List<String> truncated) throws Exception {
    Random rnd = new Random(11);
    for (String split : List.of("train", "val")) {
      for (String c : List.of("dark", "light")) {
        Path d = Files.createDirectories(root.resolve(split).resolve(c));
        for (int i = 0; i < (split.equals("train") ? 20 : 10); i++) {
          byte[] b = jpeg(rnd, c.equals("dark") ? 60 : 190);
          String name = String.format("%02d.jpg", i);
          if (truncated.contains(split + "/" + c + "/" + name)) {
            b = Arrays.copyOf(b, b.length * 7 / 10);
            assertTrue(
                ImageIO.read(new java.io.ByteArrayInputStream(b)) != null,
                "the cut " + name + " must be the hard case: an image with only a warning");
          }
          Files.write(d.resolve(name), b);
        }
      }
    }
    return root;
  }

  private static final List<String> CUT =
      List.of("train/dark/03.jpg", "train/light/17.jpg", "val/light/05.jpg");

  private static JobConfig config(Path data, Map<String, Object> more) {
    Map<String, Object> k =
        new java.util.HashMap<>(
            Map.of(
                "data.source",
                "folder",
                "data.dir",
                data.toString(),
                "data.image_size",
                16,
                "train.epochs",
                2,
                "train.batch_size",
                8,
                "train.partitions",
                2,
                "optim.lr",
                0.02));
    k.putAll(more);
    return JobConfig.resolve(k, "test");
  }

  @Test
  void fivePercentTruncatedJpegsAreSkippedCountedAndTheRunCompletes() throws Exception {
    Path data = folder(dir.resolve("data"), CUT);
    JobConfig c = config(data, Map.of("data.max_bad_fraction", 0.05));
    TrainingPlan plan = TrainingPlan.from(c);
    TrainingData d = TrainingData.prepare(TestSpark.get(), plan.dataSpec(), 2);
    try {
      assertEquals(2, d.skippedTrain());
      assertEquals(1, d.skippedTest());
      List<Block> blocks = d.train().collect();
      assertEquals(
          List.of(19, 19),
          blocks.stream().map(Block::size).toList(),
          "38 images over 2 partitions");
      for (Block b : blocks) {
        for (int i = 0; i < b.size(); i++) {
          assertFalse(b.id(i) == 3 || b.id(i) == 37, "the truncated ids 3 and 37 are gone");
        }
      }
    } finally {
      d.train().unpersist(false);
      d.test().unpersist(false);
    }

    Path run = dir.resolve("run");
    Trainer.Result r = new Trainer(plan, RunFolder.create(run, c)).run(TestSpark.get());
    assertEquals(2, r.epochs());
    assertTrue(r.testAccuracy() >= 0.9, "dark against light: accuracy " + r.testAccuracy());
    List<String> lines = Files.readAllLines(run.resolve(RunFolder.METRICS));
    assertEquals(2, lines.size());
    for (String line : lines) {
      JsonNode j = new ObjectMapper().readTree(line);
      assertEquals(2, j.get("skipped_images").asLong(), line);
      assertEquals(1, j.get("skipped_test_images").asLong(), line);
    }
  }

  @Test
  void moreThanTheAllowedFractionStopsTheJobBeforeTraining() throws Exception {
    Path data = folder(dir.resolve("data"), CUT);
    Path run = dir.resolve("run");
    Path yaml =
        Files.writeString(
            dir.resolve("folder.yaml"),
            String.join(
                "\n",
                "data:",
                "  source: folder",
                "  image_size: 16",
                "train:",
                "  batch_size: 8",
                "  partitions: 2",
                ""));
    MainTest.Outcome o =
        MainTest.cli(
            "train",
            yaml.toString(),
            "--master",
            "local[2]",
            "--run-dir",
            run.toString(),
            "--data-dir",
            data.toString());
    assertEquals(Main.EXIT_BAD_INPUT, o.status(), o.err());
    assertTrue(
        o.err()
            .contains(
                "sparkcnn: data: 2 of the 40 training images (5.00%) cannot be"
                    + " decoded (corrupt or truncated), more than key 'data.max_bad_fraction' = 0.01"
                    + " allows; nothing was trained"),
        o.err());
    assertTrue(
        o.err().contains(data.resolve("train/dark/03.jpg").toString())
            && o.err().contains(data.resolve("train/light/17.jpg").toString()),
        o.err());
    assertFalse(Files.exists(run.resolve(RunFolder.METRICS)), "no epoch was trained");
    assertFalse(Files.exists(run.resolve(RunFolder.MODEL)));
    assertTrue(Files.exists(run.resolve(RunFolder.CONFIG)), "the run's config is kept");
  }
}

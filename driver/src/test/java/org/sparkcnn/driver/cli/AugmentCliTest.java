/*
 * Augmentation from the user's side: the keys read from YAML and --set and written back to
 * config.yaml, a bad op stopping `train` before Spark starts with its place named, and
 * `augment-preview` writing a PNG grid whose first column is the originals.
 */
package org.sparkcnn.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.data.ShapesGenerator;
import org.sparkcnn.driver.MainTest;
import org.sparkcnn.driver.config.JobConfig;
import org.sparkcnn.driver.config.Keys;
import org.sparkcnn.driver.config.TrainingPlan;

class AugmentCliTest {
  @TempDir Path dir;

  private static Path quickstart() {
    return Path.of(System.getProperty("sparkcnn.root"), "conf", "quickstart.yaml");
  }

  @Test
  void augmentKeysReadAndWriteBack() throws Exception {
    Path f = dir.resolve("job.yaml");
    Files.writeString(
        f,
        "data:\n  augment:\n    - {op: random_crop, size: 28, padding: 2}\n"
            + "    - {op: hflip, p: 0.25}\n  eval_transform:\n    - {op: center_crop, size: 28}\n");
    JobConfig c = JobConfig.load(f, List.of());
    assertEquals(
        List.of(
            Map.of("op", "random_crop", "size", 28, "padding", 2),
            Map.of("op", "hflip", "p", 0.25)),
        c.get(Keys.DATA_AUGMENT));
    Files.writeString(f, c.toYaml());
    assertEquals(c.asMap(), JobConfig.load(f, List.of()).asMap());
    TrainingPlan plan = TrainingPlan.from(c);
    assertEquals(28, plan.architecture().input().h());
    Path shipped = Path.of(System.getProperty("sparkcnn.root"), "conf", "quickstart-augment.yaml");
    assertEquals(
        List.of("random_crop", "hflip", "color_jitter", "cutout"),
        TrainingPlan.from(JobConfig.load(shipped, List.of())).augment().train().names());
    JobConfig set =
        JobConfig.load(quickstart(), List.of("data.augment=[hflip, {op: cutout," + " size: 8}]"));
    assertEquals(List.of("hflip", "cutout"), TrainingPlan.from(set).augment().train().names());
    var e =
        org.junit.jupiter.api.Assertions.assertThrows(
            JobConfig.ConfigException.class,
            () -> JobConfig.load(quickstart(), List.of("data.augment=hflip")));
    assertTrue(
        e.getMessage()
            .contains(
                "key 'data.augment': expected a list of ops, e.g."
                    + " [{op: random_crop, size: 32, padding: 4}, {op: hflip}], got 'hflip'"),
        e.getMessage());
  }

  @Test
  void aBadOpStopsTrainingBeforeSparkNamingItsPlace() {
    var before = SparkSession.getDefaultSession();
    MainTest.Outcome o =
        MainTest.cli(
            "train",
            quickstart().toString(),
            "--set",
            "data.augment=[hflip, {op: rotate, angel: 10}]",
            "--run-dir",
            dir.resolve("r").toString());
    assertEquals(2, o.status(), o.err());
    assertEquals(before, SparkSession.getDefaultSession(), "no Spark session may start");
    assertTrue(
        o.err()
            .startsWith(
                "sparkcnn: data.augment[1].rotate: unknown setting 'angel'"
                    + " (settings: degrees, fill, p)"),
        o.err());
  }

  @Test
  void previewWritesOriginalsThenAugmentedVersions() throws Exception {
    Path png = dir.resolve("grid.png");
    MainTest.Outcome o =
        MainTest.cli(
            "augment-preview",
            quickstart().toString(),
            "--out",
            png.toString(),
            "--samples",
            "3",
            "--versions",
            "2",
            "--zoom",
            "1",
            "--set",
            "data.train_size=40",
            "--set",
            "data.augment=[{op: hflip, p: 1}, {op: normalize," + " mean: 0.5, std: 0.1}]");
    assertEquals(0, o.status(), o.err());
    assertTrue(o.out().contains("3 samples, the original and 2 versions each (hflip)"), o.out());
    BufferedImage grid = ImageIO.read(png.toFile());
    int cell = 32 + AugmentPreview.GAP;
    assertEquals(3 * cell + AugmentPreview.GAP, grid.getWidth());
    assertEquals(3 * cell + AugmentPreview.GAP, grid.getHeight());
    int g = AugmentPreview.GAP;
    for (int row = 0; row < 3; row++) {
      byte[] px = ShapesGenerator.render(42, row); // quickstart's seed; ids 0, 1, 2
      for (int y = 0; y < 32; y += 5) {
        for (int x = 0; x < 32; x++) {
          int top = g + row * cell + y;
          int rgb =
              (px[y * 32 + x] & 0xFF) << 16
                  | (px[1024 + y * 32 + x] & 0xFF) << 8
                  | (px[2048 + y * 32 + x] & 0xFF);
          assertEquals(rgb, grid.getRGB(g + x, top) & 0xFFFFFF, "original " + row);
          // hflip with p = 1, shown before normalisation: the mirror, in both versions
          assertEquals(rgb, grid.getRGB(g + cell + 31 - x, top) & 0xFFFFFF, "version 1");
          assertEquals(rgb, grid.getRGB(g + 2 * cell + 31 - x, top) & 0xFFFFFF, "version 2");
        }
      }
    }
    MainTest.Outcome bad =
        MainTest.cli(
            "augment-preview", quickstart().toString(), "--out", png.toString(), "--samples", "0");
    assertEquals(2, bad.status());
    assertTrue(bad.err().contains("--samples 0: expected 1 to 256"), bad.err());
  }
}

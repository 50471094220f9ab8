/*
 * `prepare` through the command line and the Kryo-configured session of real runs, then training
 * from what it wrote: generated shapes prepared as decoded Parquet give back the source's samples
 * byte for byte and train LeNet-5 to 90% test accuracy in three epochs (0.968 when written; the
 * run is deterministic, and CifarTrainingTest asks 70% of such data in CIFAR files); an image folder prepared as encoded Parquet decodes to
 * FolderSource's pixels. Bad input stops before Spark with exit status 2 and one message: an
 * existing output folder (left untouched), an unknown format, encoded shards from a source
 * without image files, a negative shard count, and training from a folder that prepare did not
 * finish.
 */
package org.sparkcnn.driver.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.data.FolderSource;
import org.sparkcnn.data.ParquetSource;
import org.sparkcnn.data.Sample;
import org.sparkcnn.data.ShapesSource;
import org.sparkcnn.data.Source;
import org.sparkcnn.data.Split;
import org.sparkcnn.driver.Main;
import org.sparkcnn.driver.MainTest;
import org.sparkcnn.driver.TestSpark;
import org.sparkcnn.driver.config.JobConfig;
import org.sparkcnn.driver.config.TrainingPlan;
import org.sparkcnn.driver.persist.RunFolder;
import org.sparkcnn.driver.train.Trainer;

class PrepareTest {
  @TempDir Path dir;

  private static List<Sample> samples(Source s, Split split) {
    return s.load(TestSpark.get(), split).collectAsList().stream()
        .map(Sample::fromRow)
        .sorted(Comparator.comparingLong(Sample::id))
        .toList();
  }

  private static void assertSameSamples(List<Sample> expected, List<Sample> actual) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i).id(), actual.get(i).id());
      assertEquals(expected.get(i).label(), actual.get(i).label(), "label of id " + i);
      assertArrayEquals(expected.get(i).pixels(), actual.get(i).pixels(), "pixels of id " + i);
    }
  }

  @Test
  void preparedShapesTrainLeNet() throws Exception {
    Path job =
        Files.writeString(
            dir.resolve("job.yaml"),
            "data:\n  source: shapes\n  train_size: 3000\n  test_size: 500\n");
    Path out = dir.resolve("shapes parquet");
    MainTest.Outcome o =
        MainTest.cli(
            "prepare",
            job.toString(),
            "--out",
            out.toString(),
            "--shards",
            "3",
            "--master",
            "local[2]");
    assertEquals(0, o.status(), o.err());
    assertTrue(
        o.out()
            .contains(
                "wrote "
                    + out
                    + ": decoded 3x32x32 samples of 10 classes from"
                    + " shapes; train 3000 samples in 3 shards, test 500 samples in 3 shards"),
        o.out());

    ParquetSource parquet = new ParquetSource(out.toString(), 64, 0, 0);
    assertSameSamples(
        samples(new ShapesSource(42, 3000, 500), Split.TEST), samples(parquet, Split.TEST));

    JobConfig c =
        JobConfig.resolve(
            Map.of(
                "data.source",
                "parquet",
                "data.dir",
                out.toString(),
                "train.epochs",
                3,
                "train.batch_size",
                32,
                "train.partitions",
                2,
                "optim.lr",
                0.01),
            "test");
    Trainer.Result r =
        new Trainer(TrainingPlan.from(c), RunFolder.create(dir.resolve("run"), c))
            .run(TestSpark.get());
    assertTrue(r.testAccuracy() >= 0.9, "test accuracy " + r.testAccuracy());
  }

  @Test
  void imageFolderPreparedEncoded() throws Exception {
    Path root = dir.resolve("images");
    String[] files = {
      "train/cats/c1.png",
      "train/cats/c2.jpg",
      "train/dogs/d1.png",
      "val/cats/v1.jpg",
      "val/dogs/v2.png"
    };
    for (int i = 0; i < files.length; i++) {
      BufferedImage img = new BufferedImage(20 + 4 * i, 28 - 2 * i, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < img.getHeight(); y++) {
        for (int x = 0; x < img.getWidth(); x++) {
          img.setRGB(x, y, ((x * 9 + i * 40) & 0xff) << 16 | ((y * 13) & 0xff) << 8 | (x ^ y));
        }
      }
      Path p = root.resolve(files[i]);
      Files.createDirectories(p.getParent());
      assertTrue(ImageIO.write(img, files[i].endsWith(".png") ? "png" : "jpg", p.toFile()));
    }
    Path out = dir.resolve("encoded");
    Path job = Files.writeString(dir.resolve("job.yaml"), "data:\n  source: folder\n");
    MainTest.Outcome o =
        MainTest.cli(
            "prepare",
            job.toString(),
            "--data-dir",
            root.toString(),
            "--out",
            out.toString(),
            "--format",
            "encoded",
            "--shards",
            "2",
            "--master",
            "local[2]");
    assertEquals(0, o.status(), o.err());
    assertTrue(
        o.out().contains("encoded image files of 2 classes from folder; train 3 samples"), o.out());
    ParquetSource parquet = new ParquetSource(out.toString(), 12, 0, 0);
    FolderSource folder = new FolderSource(root.toString(), 12, 0, 0);
    for (Split s : Split.values()) {
      assertSameSamples(samples(folder, s), samples(parquet, s));
    }
  }

  @Test
  void badInputStopsBeforeSpark() throws Exception {
    String job = Files.writeString(dir.resolve("job.yaml"), "data:\n  source: shapes\n").toString();
    Path taken = Files.createDirectories(dir.resolve("taken"));
    Files.writeString(taken.resolve("notes.txt"), "keep me");
    MainTest.Outcome o = MainTest.cli("prepare", job, "--out", taken.toString());
    assertEquals(Main.EXIT_BAD_INPUT, o.status());
    assertTrue(o.err().contains("--out " + taken + " already exists and is not empty"), o.err());
    assertEquals("keep me", Files.readString(taken.resolve("notes.txt")));

    Path out = dir.resolve("out");
    o = MainTest.cli("prepare", job, "--out", out.toString(), "--format", "png");
    assertEquals(Main.EXIT_BAD_INPUT, o.status());
    assertTrue(o.err().contains("--format 'png': expected decoded or encoded"), o.err());
    o = MainTest.cli("prepare", job, "--out", out.toString(), "--format", "encoded");
    assertEquals(Main.EXIT_BAD_INPUT, o.status());
    assertTrue(
        o.err().contains("only data.source folder has; shapes has none: use --format" + " decoded"),
        o.err());
    o = MainTest.cli("prepare", job, "--out", out.toString(), "--shards", "-1");
    assertEquals(Main.EXIT_BAD_INPUT, o.status());
    assertTrue(o.err().contains("--shards -1: expected a number >= 1"), o.err());
    o =
        MainTest.cli(
            "prepare",
            job,
            "--out",
            out.toString(),
            "--set",
            "data.source=cifar10",
            "--data-dir",
            dir.resolve("none").toString());
    assertEquals(Main.EXIT_BAD_INPUT, o.status());
    assertTrue(o.err().contains("data: no cifar10 data"), o.err());
    assertTrue(Files.notExists(out), "nothing written");

    Path unfinished = Files.createDirectories(dir.resolve("unfinished/train"));
    o =
        MainTest.cli(
            "train",
            job,
            "--set",
            "data.source=parquet",
            "--data-dir",
            unfinished.getParent().toString(),
            "--run-dir",
            dir.resolve("run").toString());
    assertEquals(Main.EXIT_BAD_INPUT, o.status());
    assertTrue(
        o.err().contains(unfinished.getParent().resolve("_sparkcnn.json") + " does not exist"),
        o.err());
  }
}

/*
 * `augment-preview CONFIG --out grid.png`: what the network sees. The first N training samples
 * (ids 0..N-1) are read through the config's source, and each row of the PNG holds one sample:
 * the original in the first column, then its augmented versions of epochs 1..K under the
 * config's data.augment, as the executors would make them (the same draws), but before
 * normalisation, so that the pixels stay in [0, 1]. Mixup and cutmix mix each column as one
 * batch. Small images are enlarged by a whole factor (nearest neighbour) so they can be seen.
 */
package org.sparkcnn.driver.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.sparkcnn.data.Block;
import org.sparkcnn.data.Normalizer;
import org.sparkcnn.data.Sample;
import org.sparkcnn.data.Split;
import org.sparkcnn.data.augment.Augmenter;
import org.sparkcnn.data.augment.Pipeline;
import org.sparkcnn.driver.Main;
import org.sparkcnn.driver.Sessions;
import org.sparkcnn.driver.config.JobConfig;
import org.sparkcnn.driver.config.Keys;
import org.sparkcnn.driver.config.TrainingPlan;
import org.sparkcnn.engine.Shape;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "augment-preview",
    mixinStandardHelpOptions = true,
    description =
        "Write a PNG grid of training samples under the config's augmentation: the"
            + " originals in the first column, then one augmented version per epoch.")
public final class AugmentPreview implements Callable<Integer> {
  static final int GAP = 2; // pixels between cells
  private static final int MIN_CELL = 96; // the default zoom enlarges cells to at least this

  @Parameters(index = "0", paramLabel = "CONFIG", description = "Job config (YAML).")
  Path config;

  @Option(names = "--out", required = true, paramLabel = "PNG", description = "The PNG to write.")
  Path out;

  @Option(
      names = "--samples",
      paramLabel = "N",
      defaultValue = "8",
      description = "Rows: the training samples with ids 0..N-1 (default 8, at most 256).")
  int samples;

  @Option(
      names = "--versions",
      paramLabel = "K",
      defaultValue = "6",
      description = "Augmented versions per sample, of epochs 1..K (default 6, at most 64).")
  int versions;

  @Option(
      names = "--zoom",
      paramLabel = "Z",
      defaultValue = "0",
      description =
          "Screen pixels per image pixel, 1 to 16; 0 (default) enlarges small images"
              + " to cells of about "
              + MIN_CELL
              + " pixels.")
  int zoom;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Folder with the datasets in their original layout (overrides data.dir).")
  Path dataDir;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Override one config key; repeatable.")
  List<String> overrides = new ArrayList<>();

  @Override
  public Integer call() throws IOException {
    TrainingPlan plan;
    try {
      check(samples >= 1 && samples <= 256, "--samples " + samples + ": expected 1 to 256");
      check(versions >= 1 && versions <= 64, "--versions " + versions + ": expected 1 to 64");
      check(zoom >= 0 && zoom <= 16, "--zoom " + zoom + ": expected 0 (automatic) to 16");
      Path dir = out.toAbsolutePath().getParent();
      check(
          dir != null && Files.isDirectory(dir),
          "--out " + out + ": the folder " + dir + " does not exist");
      JobConfig c = JobConfig.load(config, overrides);
      if (dataDir != null) {
        c = c.with(Keys.DATA_DIR, dataDir.toString());
      }
      plan = TrainingPlan.from(c);
    } catch (JobConfig.ConfigException e) {
      Reporter.error(e.getMessage());
      return Main.EXIT_BAD_INPUT;
    }
    Block block = firstSamples(plan);
    if (block.size() == 0) {
      Reporter.error("the training set of " + config + " is empty");
      return Main.EXIT_BAD_INPUT;
    }
    Pipeline pipeline = plan.augment().train().withoutNormalize();
    BufferedImage grid =
        grid(pipeline, block, plan.seed(), versions, plan.source().classes(), zoom);
    if (!ImageIO.write(grid, "png", out.toFile())) {
      throw new IOException("no PNG writer in this Java runtime");
    }
    Reporter.out(
        "wrote "
            + out
            + ": "
            + block.size()
            + " samples, the original and "
            + versions
            + " versions each ("
            + String.join(", ", pipeline.names())
            + ")");
    return 0;
  }

  private static void check(boolean ok, String problem) {
    if (!ok) {
      throw new JobConfig.ConfigException(problem);
    }
  }

  /** The training samples with ids below --samples, read through the source on Spark. */
  private Block firstSamples(TrainingPlan plan) {
    SparkSession spark =
        Sessions.builder(
                plan.config().get(Keys.MASTER),
                plan.config().get(Keys.APP_NAME) + " augment-preview")
            .getOrCreate();
    try {
      List<Row> rows =
          plan.source()
              .load(spark, Split.TRAIN)
              .filter(functions.col("id").lt(samples))
              .collectAsList();
      List<Sample> list = new ArrayList<>(rows.stream().map(Sample::fromRow).toList());
      list.sort(Comparator.comparingLong(Sample::id));
      return Block.of(0, plan.source().shape(), list);
    } finally {
      spark.stop();
    }
  }

  /**
   * The grid: row i holds sample i, its original in column 0 and its version of epoch v in column
   * v. Pixels in [0, 1] are shown as 0..255; one channel as grey, three as RGB.
   */
  static BufferedImage grid(
      Pipeline pipeline, Block block, long seed, int versions, int classes, int zoom) {
    int n = block.size();
    Shape in = block.shape();
    Shape aug = pipeline.output();
    int cellH = Math.max(in.h(), aug.h());
    int cellW = Math.max(in.w(), aug.w());
    int z = zoom > 0 ? zoom : Math.max(1, MIN_CELL / Math.max(cellH, cellW));
    BufferedImage img =
        new BufferedImage(
            (versions + 1) * (cellW * z + GAP) + GAP,
            n * (cellH * z + GAP) + GAP,
            BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        img.setRGB(x, y, 0x404040);
      }
    }
    Normalizer scale = Normalizer.identity(in.c());
    float[] x = new float[n * Math.max(in.size(), aug.size())];
    int[] y = new int[n];
    float[] targets = new float[n * classes];
    for (int v = 0; v <= versions; v++) {
      Shape s = v == 0 ? in : aug;
      if (v == 0) {
        block.gather(null, 0, n, scale, x, y);
      } else {
        new Augmenter().gather(pipeline, block, null, 0, n, scale, seed, v, x, y, targets, classes);
      }
      for (int i = 0; i < n; i++) {
        paint(img, x, i * s.size(), s, GAP + v * (cellW * z + GAP), GAP + i * (cellH * z + GAP), z);
      }
    }
    return img;
  }

  /** Draws the image x[off..] of shape s with its top-left corner at (left, top), enlarged z. */
  private static void paint(
      BufferedImage img, float[] x, int off, Shape s, int left, int top, int z) {
    int plane = s.h() * s.w();
    for (int py = 0; py < s.h(); py++) {
      for (int px = 0; px < s.w(); px++) {
        int at = off + py * s.w() + px;
        int r = level(x[at]);
        int g = s.c() >= 3 ? level(x[at + plane]) : r;
        int b = s.c() >= 3 ? level(x[at + 2 * plane]) : r;
        int rgb = r << 16 | g << 8 | b;
        for (int dy = 0; dy < z; dy++) {
          for (int dx = 0; dx < z; dx++) {
            img.setRGB(left + px * z + dx, top + py * z + dy, rgb);
          }
        }
      }
    }
  }

  private static int level(float v) {
    return Math.round(Math.max(0f, Math.min(1f, v)) * 255f);
  }
}

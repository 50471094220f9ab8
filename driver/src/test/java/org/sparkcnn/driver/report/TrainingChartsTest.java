/*
 * `sparkcnn plot RUN_DIR` on run folders made from hand-written metrics.jsonl files: the four
 * charts have their size and show the train (blue) and test (orange) lines; a run in progress (one
 * epoch, a last line still being written) is drawn; a missing folder, a folder without
 * metrics.jsonl, an empty or malformed file give one message and exit status 2; and the trainer's
 * afterEpoch turns any failure into a warning.
 */
package org.sparkcnn.driver.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.driver.MainTest;
import org.sparkcnn.driver.persist.RunFolder;

class TrainingChartsTest {
  @TempDir Path dir;

  /** A metrics line as Trainer.endEpoch writes it. */
  static String line(
      int epoch, double trainLoss, double testLoss, double trainAcc, double testAcc, double lr) {
    return String.format(
        Locale.ROOT,
        "{\"epoch\":%d,\"step\":%d,\"train_loss\":%s,"
            + "\"train_accuracy\":%s,\"test_loss\":%s,\"test_accuracy\":%s,\"images_per_sec\":%s,"
            + "\"step_ms\":61.9,\"compute_ms\":37.9,\"sync_ms_p50\":%s,\"sync_ms_p90\":%s,"
            + "\"skipped_steps\":0,\"skipped_images\":0,\"skipped_test_images\":0,\"lr\":%s,"
            + "\"wall_s\":%s}\n",
        epoch,
        32 * epoch,
        trainLoss,
        trainAcc,
        testLoss,
        testAcc,
        1000 + 30 * epoch,
        20 + epoch,
        28 + 2 * epoch,
        lr,
        12.5 * epoch);
  }

  private Path run(String name, String metrics) throws Exception {
    Path run = Files.createDirectories(dir.resolve(name));
    Files.writeString(run.resolve(RunFolder.METRICS), metrics);
    return run;
  }

  private static final String FIVE_EPOCHS =
      line(1, 1.2, 0.8, 0.61, 0.72, 0.1)
          + line(2, 0.6, 0.5, 0.82, 0.85, 0.1)
          + line(3, 0.35, 0.41, 0.90, 0.88, 0.01)
          + line(4, 0.22, 0.37, 0.94, 0.90, 0.001)
          + line(5, 0.15, 0.36, 0.96, 0.905, 0.0001);

  @Test
  void plotDrawsFourChartsOfTheRun() throws Exception {
    Path run = run("five", FIVE_EPOCHS);
    MainTest.Outcome o = MainTest.cli("plot", run.toString());
    assertEquals(0, o.status(), o.err());
    List<String> names =
        List.of(
            TrainingCharts.LOSS,
            TrainingCharts.ACCURACY,
            TrainingCharts.LEARNING_RATE,
            TrainingCharts.THROUGHPUT);
    for (String name : names) {
      Path png = run.resolve(name);
      assertTrue(o.out().contains(png.toString()), o.out());
      BufferedImage img = ImageIO.read(png.toFile());
      assertEquals(TrainingCharts.WIDTH, img.getWidth(), name);
      assertEquals(
          name.equals(TrainingCharts.THROUGHPUT)
              ? TrainingCharts.THROUGHPUT_HEIGHT
              : TrainingCharts.HEIGHT,
          img.getHeight(),
          name);
      assertTrue(pixels(img, Charts.SERIES[0].getRGB()) > 300, name + ": no blue line");
    }
    for (String name : List.of(TrainingCharts.LOSS, TrainingCharts.ACCURACY)) {
      BufferedImage img = ImageIO.read(run.resolve(name).toFile());
      assertTrue(pixels(img, Charts.SERIES[1].getRGB()) > 300, name + ": no orange test line");
    }
    BufferedImage speed = ImageIO.read(run.resolve(TrainingCharts.THROUGHPUT).toFile());
    assertTrue(pixels(speed, Charts.SERIES[2].getRGB()) > 300, "no sync p50 line");
    assertTrue(pixels(speed, Charts.SERIES[3].getRGB()) > 300, "no sync p90 line");
    try (var files = Files.list(run)) {
      assertEquals(5, files.count(), "only metrics.jsonl and the charts, no temporary file");
    }
  }

  /** Pixels of exactly one colour (the series' lines are drawn in it). */
  private static int pixels(BufferedImage img, int rgb) {
    int count = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        count += (img.getRGB(x, y) & 0xFFFFFF) == (rgb & 0xFFFFFF) ? 1 : 0;
      }
    }
    return count;
  }

  @Test
  void aRunInProgressIsDrawnWithoutTheLineBeingWritten() throws Exception {
    String partial = line(2, 0.6, 0.5, 0.82, 0.85, 0.1).substring(0, 40);
    Path run =
        run(
            "progress",
            line(1, 1.2, Double.NaN, 0.61, 0.72, 0.1).replace("NaN", "\"NaN\"") + partial);
    MainTest.Outcome o = MainTest.cli("plot", run.toString());
    assertEquals(0, o.status(), o.err());
    assertEquals(1, TrainingCharts.read(run).size());
    assertTrue(Files.size(run.resolve(TrainingCharts.LOSS)) > 1000);
  }

  @Test
  void aMissingFolderIsOneMessage() {
    MainTest.Outcome o = MainTest.cli("plot", dir.resolve("nowhere").toString());
    assertEquals(2, o.status());
    assertEquals(
        "sparkcnn: "
            + dir.resolve("nowhere")
            + " is not a folder (give a run folder,"
            + " which holds metrics.jsonl)\n",
        o.err());
  }

  @Test
  void aFolderWithoutMetricsIsOneMessage() throws Exception {
    Path run = Files.createDirectories(dir.resolve("empty"));
    MainTest.Outcome o = MainTest.cli("plot", run.toString());
    assertEquals(2, o.status());
    assertTrue(o.err().startsWith("sparkcnn: " + run + " holds no metrics.jsonl"), o.err());
    assertEquals(List.of(), List.of(run.toFile().list()), "nothing is drawn");
  }

  @Test
  void malformedMetricsNameTheLine() throws Exception {
    String first = line(1, 1.2, 0.8, 0.61, 0.72, 0.1);
    String third = line(3, 0.35, 0.41, 0.90, 0.88, 0.01);
    String[][] cases = {
      {first + "{\"epoch\": 2, \"train_loss\": 0.6,\n" + third, "line 2: not JSON"},
      {first + "[1, 2]\n" + third, "line 2: not a JSON object with an integer \"epoch\""},
      {first + first.replace("\"epoch\":1", "\"epoch\":\"two\"") + third, "line 2: not a JSON"},
      {
        first + first.replace("\"lr\":0.1", "\"lr\":\"fast\"") + third,
        "line 2: \"lr\" is \"fast\", not a number"
      },
      {"\n", "holds no complete line yet"}
    };
    for (String[] c : cases) {
      Path run = run("bad" + c[1].hashCode(), c[0]);
      MainTest.Outcome o = MainTest.cli("plot", run.toString());
      assertEquals(2, o.status(), c[1]);
      assertTrue(o.err().startsWith("sparkcnn: " + run.resolve(RunFolder.METRICS)), o.err());
      assertTrue(o.err().contains(c[1]), o.err());
      assertEquals(1, o.err().lines().count(), o.err());
    }
  }

  @Test
  void afterEpochOnlyWarns() throws Exception {
    Path run = run("broken", "not json\n" + line(2, 0.6, 0.5, 0.82, 0.85, 0.1));
    PrintStream oldErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setErr(new PrintStream(err, true));
      TrainingCharts.afterEpoch(run);
    } finally {
      System.setErr(oldErr);
    }
    assertTrue(
        err.toString().startsWith("sparkcnn: warning: the charts of " + run + " were not drawn: "),
        err.toString());
  }
}

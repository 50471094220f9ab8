/*
 * The charts of a run folder, drawn with JFreeChart from its metrics.jsonl (one JSON object per
 * epoch, see RunFolder and Trainer.endEpoch): loss.png (train_loss and test_loss), accuracy.png
 * (train_accuracy and test_accuracy), lr.png (lr, the learning rate of each epoch's last step;
 * it and the losses on a log axis when they span more than a factor of 20) and throughput.png (images_per_sec above
 * sync_ms_p50 and sync_ms_p90), each against the epoch. The trainer redraws them after every epoch
 * through afterEpoch, which never fails a run (a chart that cannot be drawn is a warning);
 * `sparkcnn plot RUN_DIR` (Plot) draws them again, also while the run goes on: a last line still
 * being written is left out. A value written as "NaN" or "Infinity" is a gap in its line.
 */
package org.sparkcnn.driver.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.AWTError;
import java.awt.BasicStroke;
import java.awt.Font;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.sparkcnn.driver.Main;
import org.sparkcnn.driver.cli.Reporter;
import org.sparkcnn.driver.persist.RunFolder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

public final class TrainingCharts {
  public static final String LOSS = "loss.png";
  public static final String ACCURACY = "accuracy.png";
  public static final String LEARNING_RATE = "lr.png";
  public static final String THROUGHPUT = "throughput.png";
  static final int WIDTH = 800;
  static final int HEIGHT = 500;
  static final int THROUGHPUT_HEIGHT = 650;
  private static final ObjectMapper JSON = new ObjectMapper();

  private TrainingCharts() {}

  /** The metrics lines of a run folder, or an IllegalArgumentException naming what is wrong. */
  static List<JsonNode> read(Path runDir) throws IOException {
    if (!Files.isDirectory(runDir)) {
      throw new IllegalArgumentException(
          runDir
              + " is not a folder (give a run folder, which"
              + " holds "
              + RunFolder.METRICS
              + ")");
    }
    Path file = runDir.resolve(RunFolder.METRICS);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          runDir
              + " holds no "
              + RunFolder.METRICS
              + " (a run"
              + " writes it at the end of its first epoch)");
    }
    String text = Files.readString(file, StandardCharsets.UTF_8);
    String[] lines = text.split("\n", -1);
    List<JsonNode> epochs = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      boolean last = i == lines.length - 1; // not ended by a newline: may still be written
      JsonNode o;
      try {
        o = JSON.readTree(lines[i]);
      } catch (JsonProcessingException e) {
        if (last) {
          break;
        }
        throw bad(file, i, "not JSON (" + e.getOriginalMessage() + ")");
      }
      if (o == null || !o.isObject() || !o.path("epoch").isIntegralNumber()) {
        if (last) {
          break;
        }
        throw bad(file, i, "not a JSON object with an integer \"epoch\"");
      }
      for (var it = o.fields(); it.hasNext(); ) {
        var f = it.next();
        if (!f.getValue().isNumber() && !isNonFinite(f.getValue())) {
          throw bad(file, i, "\"" + f.getKey() + "\" is " + f.getValue() + ", not a number");
        }
      }
      epochs.add(o);
    }
    if (epochs.isEmpty()) {
      throw new IllegalArgumentException(
          file + " holds no complete line yet (a run writes one" + " at the end of each epoch)");
    }
    return epochs;
  }

  private static boolean isNonFinite(JsonNode v) {
    return v.isTextual() && List.of("NaN", "Infinity", "-Infinity").contains(v.asText());
  }

  private static IllegalArgumentException bad(Path file, int index, String what) {
    return new IllegalArgumentException(file + " line " + (index + 1) + ": " + what);
  }

  /** Draws the four charts of a run folder from its metrics.jsonl; returns the files written. */
  public static List<Path> draw(Path runDir) throws IOException {
    List<JsonNode> epochs = read(runDir);
    Charts.headless();
    String run =
        runDir.toAbsolutePath().normalize().getFileName()
            + ", "
            + epochs.size()
            + (epochs.size() == 1 ? " epoch" : " epochs");
    List<Path> files = new ArrayList<>();
    XYPlot loss =
        plot(
            epochs,
            "loss",
            logIfWide(
                linear(),
                series(epochs, "train_loss", "train"),
                series(epochs, "test_loss", "test")),
            "train_loss",
            "train",
            "test_loss",
            "test");
    files.add(save(chart("Loss", run, loss, true), runDir.resolve(LOSS), HEIGHT));
    XYPlot accuracy =
        plot(epochs, "accuracy", linear(), "train_accuracy", "train", "test_accuracy", "test");
    files.add(save(chart("Accuracy", run, accuracy, true), runDir.resolve(ACCURACY), HEIGHT));
    XYSeries lr = series(epochs, "lr", "learning rate");
    // a linear rate axis starts at zero, where a decaying rate ends
    XYPlot lrPlot =
        plot(
            epochs,
            "learning rate (last step of the epoch)",
            logIfWide(new NumberAxis(), lr),
            "lr",
            "learning rate");
    files.add(
        save(chart("Learning rate", run, lrPlot, false), runDir.resolve(LEARNING_RATE), HEIGHT));
    CombinedDomainXYPlot speed = new CombinedDomainXYPlot(epochAxis(epochs));
    speed.setGap(12);
    speed.add(plot(epochs, "images/s (training)", linear(), "images_per_sec", "images/s"), 1);
    XYPlot sync =
        plot(
            epochs,
            "sync ms per step",
            linear(),
            "sync_ms_p50",
            "sync p50",
            "sync_ms_p90",
            "sync p90");
    sync.getRenderer().setSeriesPaint(0, Charts.SERIES[2]);
    sync.getRenderer().setSeriesPaint(1, Charts.SERIES[3]);
    speed.add(sync, 1);
    files.add(
        save(
            chart("Throughput and synchronisation", run, speed, true),
            runDir.resolve(THROUGHPUT),
            THROUGHPUT_HEIGHT));
    return files;
  }

  /**
   * Redraws the charts after an epoch. Never throws: a chart that cannot be drawn (no fonts, no
   * graphics library, a full disk) is a warning and the run goes on.
   */
  public static void afterEpoch(Path runDir) {
    try {
      draw(runDir);
    } catch (IOException | RuntimeException | LinkageError | AWTError e) {
      Reporter.warn("the charts of %s were not drawn: %s", runDir, e);
    }
  }

  /** The values of one field per epoch; a missing or non-finite value is a gap. */
  private static XYSeries series(List<JsonNode> epochs, String field, String name) {
    XYSeries s = new XYSeries(name, true, false);
    for (JsonNode e : epochs) {
      JsonNode v = e.get(field);
      double y = v != null && v.isNumber() ? v.asDouble() : Double.NaN;
      s.addOrUpdate(e.get("epoch").asInt(), Double.isFinite(y) ? y : Double.NaN);
    }
    return s;
  }

  /** A plot of fields (pairs of field and legend name) against the epoch. */
  private static XYPlot plot(
      List<JsonNode> epochs, String yLabel, ValueAxis y, String... fieldsAndNames) {
    XYSeriesCollection data = new XYSeriesCollection();
    for (int i = 0; i < fieldsAndNames.length; i += 2) {
      data.addSeries(series(epochs, fieldsAndNames[i], fieldsAndNames[i + 1]));
    }
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, epochs.size() <= 60);
    for (int i = 0; i < data.getSeriesCount(); i++) {
      r.setSeriesPaint(i, Charts.SERIES[i % Charts.SERIES.length]);
      r.setSeriesStroke(i, new BasicStroke(2f));
    }
    y.setLabel(yLabel);
    if (y instanceof NumberAxis n) { // a flat line (one epoch, a constant rate): +-2.5% around it
      double top = 0;
      for (int i = 0; i < data.getSeriesCount(); i++) {
        for (int j = 0; j < data.getItemCount(i); j++) {
          double v = Math.abs(data.getYValue(i, j));
          top = Double.isFinite(v) ? Math.max(top, v) : top;
        }
      }
      n.setAutoRangeMinimumSize(top > 0 ? 0.05 * top : 1);
    }
    XYPlot plot = new XYPlot(data, epochAxis(epochs), y, r);
    plot.setNoDataMessage("no values in " + RunFolder.METRICS);
    return plot;
  }

  /** Whole epochs, half an epoch of room on either side. */
  private static NumberAxis epochAxis(List<JsonNode> epochs) {
    NumberAxis x = new NumberAxis("epoch");
    x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    int first = epochs.stream().mapToInt(e -> e.get("epoch").asInt()).min().orElse(1);
    int last = epochs.stream().mapToInt(e -> e.get("epoch").asInt()).max().orElse(1);
    x.setRange(first - 0.5, last + 0.5);
    return x;
  }

  private static NumberAxis linear() {
    NumberAxis y = new NumberAxis();
    y.setAutoRangeIncludesZero(false);
    return y;
  }

  /** A log axis when the series' positive values span more than a factor of 20, else axis. */
  private static ValueAxis logIfWide(ValueAxis axis, XYSeries... series) {
    double min = Double.POSITIVE_INFINITY;
    double max = 0;
    for (XYSeries s : series) {
      for (int i = 0; i < s.getItemCount(); i++) {
        double v = s.getY(i).doubleValue();
        if (v > 0 && Double.isFinite(v)) {
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
      }
    }
    if (max > 20 * min) {
      LogAxis log = new LogAxis();
      log.setSmallestValue(min / 2);
      log.setTickUnit(new NumberTickUnit(1)); // one tick per power of ten
      log.setNumberFormatOverride(new DecimalFormat("0.##########"));
      return log;
    }
    return axis;
  }

  private static JFreeChart chart(
      String title, String run, org.jfree.chart.plot.Plot plot, boolean legend) {
    JFreeChart chart =
        Charts.styled(
            new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, legend));
    chart.addSubtitle(new TextTitle(run, new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
    return chart;
  }

  private static Path save(JFreeChart chart, Path file, int height) throws IOException {
    Charts.savePng(chart, file, WIDTH, height);
    return file;
  }

  /** `sparkcnn plot RUN_DIR`: the charts of a run folder, drawn again from its metrics.jsonl. */
  @Command(
      name = "plot",
      mixinStandardHelpOptions = true,
      description =
          "Draw a run folder's charts ("
              + LOSS
              + ", "
              + ACCURACY
              + ", "
              + LEARNING_RATE
              + ", "
              + THROUGHPUT
              + ") from its "
              + RunFolder.METRICS
              + ", also while it trains.")
  public static final class Plot implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "A run folder.")
    Path runDir;

    @Override
    public Integer call() {
      try {
        for (Path p : draw(runDir)) {
          Reporter.out(p.toString());
        }
        return 0;
      } catch (IllegalArgumentException | IOException e) {
        Reporter.error(e.getMessage());
        return Main.EXIT_BAD_INPUT;
      }
    }
  }
}

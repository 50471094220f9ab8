/*
 * What sparkcnn's PNG charts share: JFreeChart drawing headless (java.awt.headless is set before
 * the first chart is made, so no display is needed on a cluster node or in CI), one plain look
 * (white background, light grey grid) and the writing of a chart to a temporary name renamed into
 * place, so that whoever opens a chart of a run in progress never sees half a file.
 */
package org.sparkcnn.driver;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.StandardChartTheme;
import org.jfree.chart.plot.XYPlot;

final class Charts {
  static final Color GRID = new Color(0xDDDDDD);
  /** The series colours: blue, orange, green, red (matplotlib's first four). */
  static final Color[] SERIES = {new Color(0x1F77B4), new Color(0xFF7F0E), new Color(0x2CA02C),
      new Color(0xD62728)};

  private Charts() {}

  /** Draws without a display; called before a chart is made (AWT reads it once, at its start). */
  static void headless() {
    System.setProperty("java.awt.headless", "true");
  }

  /** Applies the plain look to a chart made by ChartFactory or by hand. */
  static JFreeChart styled(JFreeChart chart) {
    StandardChartTheme theme = (StandardChartTheme) StandardChartTheme.createJFreeTheme();
    theme.setChartBackgroundPaint(Color.WHITE);
    theme.setPlotBackgroundPaint(Color.WHITE);
    theme.setDomainGridlinePaint(GRID);
    theme.setRangeGridlinePaint(GRID);
    theme.apply(chart);
    chart.setAntiAlias(true);
    chart.setTextAntiAlias(true);
    if (chart.getPlot() instanceof XYPlot xy) {
      xy.setOutlinePaint(Color.GRAY);
    }
    return chart;
  }

  /** Writes the chart as a PNG of width x height pixels, through a temporary file. */
  static void savePng(JFreeChart chart, Path file, int width, int height) throws IOException {
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      ChartUtils.writeChartAsPNG(out, chart, width, height);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}

/*
 * What sparkcnn's PNG charts share: JFreeChart drawing headless (java.awt.headless is set before
 * the first chart is made, so no display is needed on a cluster node or in CI), one plain look
 * (white background, light grey grid) and the writing of a chart to a temporary name renamed into
 * place, so that whoever opens a chart of a run in progress never sees half a file.
 */
package org.sparkcnn.driver.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.Axis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;

final class Charts {
  static final Color GRID = new Color(0xDDDDDD);

  /** The series colours: blue, orange, green, red (matplotlib's first four). */
  static final Color[] SERIES = {
    new Color(0x1F77B4), new Color(0xFF7F0E), new Color(0x2CA02C), new Color(0xD62728)
  };

  static final Font LABEL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
  static final Font TICK_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

  private Charts() {}

  /** Draws without a display; called before a chart is made (AWT reads it once, at its start). */
  static void headless() {
    System.setProperty("java.awt.headless", "true");
  }

  /** Applies the plain look to a chart and its plots (the subplots of a combined one too). */
  static JFreeChart styled(JFreeChart chart) {
    chart.setBackgroundPaint(Color.WHITE);
    chart.setAntiAlias(true);
    chart.setTextAntiAlias(true);
    List<XYPlot> plots =
        chart.getPlot() instanceof CombinedDomainXYPlot c
            ? c.getSubplots()
            : chart.getPlot() instanceof XYPlot xy ? List.of(xy) : List.of();
    for (XYPlot plot : plots) {
      plot.setBackgroundPaint(Color.WHITE);
      plot.setOutlinePaint(Color.GRAY);
      plot.setDomainGridlinePaint(GRID);
      plot.setRangeGridlinePaint(GRID);
      plot.setDomainGridlineStroke(new BasicStroke(1f));
      plot.setRangeGridlineStroke(new BasicStroke(1f));
      for (Axis axis : List.of(plot.getDomainAxis(), plot.getRangeAxis())) {
        axis.setLabelFont(LABEL_FONT);
        axis.setTickLabelFont(TICK_FONT);
      }
    }
    if (chart.getPlot() instanceof CombinedDomainXYPlot c) {
      c.getDomainAxis().setLabelFont(LABEL_FONT);
      c.getDomainAxis().setTickLabelFont(TICK_FONT);
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

/*
 * The confusion matrix of a ClassificationReport as a PNG heat map (JFreeChart, XYBlockRenderer):
 * true classes down the left from the top, predicted classes along the bottom, each cell coloured
 * by its share of the true class's samples (white 0 to dark blue 1, so the diagonal reads as
 * recall whatever the class sizes) and, up to 30 classes, its count written in it. Class names
 * label both axes up to 60 classes; beyond, the axes count class indices and the cells shrink to a
 * few pixels, so even 1000 classes give a picture of where the errors lie. Only non-zero cells are
 * drawn (the background is the colour of 0), which keeps a large matrix quick.
 */
package org.sparkcnn.driver.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.DefaultXYZDataset;

final class ConfusionChart {
  /** Up to this many classes every cell shows its count. */
  static final int MAX_NUMBERED = 30;

  /** Up to this many classes the axes show the class names. */
  static final int MAX_NAMED = 60;

  private ConfusionChart() {}

  /** White (0) to dark blue (1) through matplotlib's "Blues" colours, linearly between them. */
  record Blues() implements PaintScale {
    private static final int[] STOPS = {
      0xF7FBFF, 0xDEEBF7, 0xC6DBEF, 0x9ECAE1, 0x6BAED6, 0x4292C6, 0x2171B5, 0x08519C, 0x08306B
    };

    @Override
    public double getLowerBound() {
      return 0;
    }

    @Override
    public double getUpperBound() {
      return 1;
    }

    @Override
    public Paint getPaint(double v) {
      double at = (Double.isNaN(v) ? 0 : Math.max(0, Math.min(1, v))) * (STOPS.length - 1);
      int i = Math.min((int) at, STOPS.length - 2);
      double t = at - i;
      return new Color(
          mix(STOPS[i] >> 16, STOPS[i + 1] >> 16, t),
          mix(STOPS[i] >> 8, STOPS[i + 1] >> 8, t),
          mix(STOPS[i], STOPS[i + 1], t));
    }

    private static int mix(int a, int b, double t) {
      return (int) Math.round((a & 0xFF) + ((b & 0xFF) - (a & 0xFF)) * t);
    }
  }

  /** The side of a cell in pixels up to MAX_NUMBERED classes (room for a count), else 0. */
  private static int cell(int n) {
    return n <= MAX_NUMBERED ? Math.max(36, Math.min(180, 540 / n)) : 0;
  }

  /** The pixel size of the picture of n classes: width, height. */
  static int[] size(int n, List<String> names) {
    int cell = cell(n);
    int side = cell > 0 ? n * cell : Math.max(600, Math.min(1000, n * 12));
    int label = 40;
    if (n <= MAX_NAMED) {
      int longest = names.stream().mapToInt(String::length).max().orElse(1);
      label = Math.min(220, 16 + 8 * longest);
    }
    return new int[] {side + label + 190, side + label + 150};
  }

  static void write(ClassificationReport report, Path png) throws IOException {
    Charts.headless();
    List<String> names = report.classNames();
    int n = names.size();
    long[][] m = report.confusion();
    int nonZero = 0;
    for (long[] row : m) {
      for (long v : row) {
        nonZero += v > 0 ? 1 : 0;
      }
    }
    double[][] cells = new double[3][nonZero]; // x: predicted, y: true, z: share of the row
    int k = 0;
    for (int t = 0; t < n; t++) {
      long rowTotal = 0;
      for (long v : m[t]) {
        rowTotal += v;
      }
      for (int p = 0; p < n; p++) {
        if (m[t][p] > 0) {
          cells[0][k] = p;
          cells[1][k] = t;
          cells[2][k++] = (double) m[t][p] / rowTotal;
        }
      }
    }
    DefaultXYZDataset data = new DefaultXYZDataset();
    data.addSeries("confusion", cells);
    Blues scale = new Blues();
    XYBlockRenderer renderer = new XYBlockRenderer();
    renderer.setPaintScale(scale);
    NumberAxis x = axis("predicted class", names, n);
    NumberAxis y = axis("true class", names, n);
    y.setInverted(true);
    if (n <= MAX_NAMED && names.stream().anyMatch(s -> s.length() > 3)) {
      x.setVerticalTickLabels(true);
    }
    XYPlot plot = new XYPlot(data, x, y, renderer);
    JFreeChart chart = Charts.styled(new JFreeChart(plot));
    chart.removeLegend();
    plot.setBackgroundPaint(scale.getPaint(0));
    plot.setDomainGridlinesVisible(false);
    plot.setRangeGridlinesVisible(false);
    plot.setAxisOffset(RectangleInsets.ZERO_INSETS);
    TextTitle title = new TextTitle("Confusion matrix", new Font(Font.SANS_SERIF, Font.BOLD, 16));
    title.setPadding(new RectangleInsets(8, 0, 0, 0));
    chart.setTitle(title);
    chart.addSubtitle(
        new TextTitle(
            String.format(
                Locale.ROOT,
                "accuracy %.4f, top-5 accuracy %.4f, %,d samples",
                report.accuracy(),
                report.top5Accuracy(),
                report.samples()),
            new Font(Font.SANS_SERIF, Font.PLAIN, 13)));
    NumberAxis shareAxis = new NumberAxis("share of the true class");
    shareAxis.setRange(0, 1);
    shareAxis.setTickUnit(new NumberTickUnit(0.1, new DecimalFormat("0.0")));
    PaintScaleLegend legend = new PaintScaleLegend(scale, shareAxis);
    legend.setPosition(RectangleEdge.RIGHT);
    legend.setStripWidth(14);
    legend.setMargin(new RectangleInsets(10, 12, 10, 10));
    legend.setSubdivisionCount(100);
    chart.addSubtitle(legend);
    if (n <= MAX_NUMBERED) {
      Font font = new Font(Font.SANS_SERIF, Font.PLAIN, Math.min(16, cell(n) * 3 / 10));
      for (int t = 0; t < n; t++) {
        long rowTotal = 0;
        for (long v : m[t]) {
          rowTotal += v;
        }
        for (int p = 0; p < n; p++) {
          double share = rowTotal == 0 ? 0 : (double) m[t][p] / rowTotal;
          XYTextAnnotation a = new XYTextAnnotation(Long.toString(m[t][p]), p, t);
          a.setFont(font);
          a.setTextAnchor(TextAnchor.CENTER);
          a.setPaint(share > 0.55 ? Color.WHITE : Color.BLACK);
          plot.addAnnotation(a, false);
        }
      }
    }
    int[] px = size(n, names);
    Charts.savePng(chart, png, px[0], px[1]);
  }

  /** An axis over the class indices -0.5 .. n - 0.5: named ticks, or integer ones for many. */
  private static NumberAxis axis(String label, List<String> names, int n) {
    NumberAxis a;
    if (n <= MAX_NAMED) {
      SymbolAxis s = new SymbolAxis(label, names.toArray(new String[0]));
      s.setGridBandsVisible(false);
      a = s;
    } else {
      a = new NumberAxis(label + " (index)");
      a.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    }
    a.setRange(-0.5, n - 0.5);
    a.setLowerMargin(0);
    a.setUpperMargin(0);
    return a;
  }
}

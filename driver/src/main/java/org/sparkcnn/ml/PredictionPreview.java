/*
 * `predict --preview grid.png`: a picture of what predict does. The first images of the input
 * (up to COUNT, in the input's order) are drawn in a grid, each as a thumbnail of the file (or of
 * the sample's pixels, enlarged by a whole factor, for Parquet), with its predicted class and
 * probability under it and its file name (or id) below that. Images that do not decode are left
 * out, as predict leaves them out. The rows are predicted by the same model in a small job of
 * their own on the driver's first rows, so the preview costs a fraction of the whole run.
 */
package org.sparkcnn.ml;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.sparkcnn.data.FolderSource;

final class PredictionPreview {
  static final int COUNT = 16;
  private static final int COLUMNS = 4;
  private static final int CELL = 160; // thumbnail side, pixels
  private static final int PAD = 8;
  private static final int TEXT = 36; // two lines of caption

  private PredictionPreview() {}

  /** One drawn image: its pixels, caption and where it came from. */
  record Cell(BufferedImage image, String caption, String origin) {}

  /** Predicts the first rows of in and writes the grid to png; returns how many are drawn. */
  static int write(CommandInput.Rows in, Path png) throws IOException {
    CnnClassificationModel m =
        in.model().copy(new org.apache.spark.ml.param.ParamMap()).setRawPredictionCol("");
    List<String> names = Predict.names(m);
    String features = m.getOrDefault(m.featuresCol());
    boolean pixels = m.getOrDefault(m.binaryFeatures()).equals(Features.PIXEL_BYTES);
    List<Cell> cells = new ArrayList<>();
    for (Row r : m.transform(in.rows().limit(COUNT)).collectAsList()) {
      if (r.isNullAt(r.fieldIndex("prediction"))) {
        continue;
      }
      int c = (int) r.getDouble(r.fieldIndex("prediction"));
      double p = ((Vector) r.get(r.fieldIndex("probability"))).apply(c);
      Object key = r.get(r.fieldIndex("key"));
      String origin = key instanceof String s ? s.substring(s.lastIndexOf('/') + 1) : "id " + key;
      byte[] bytes = (byte[]) r.get(r.fieldIndex(features));
      BufferedImage img =
          pixels
              ? fromPixels(bytes, m.sampleShape().c(), m.sampleShape().h(), m.sampleShape().w())
              : fromPixels(FolderSource.decode(bytes, CELL, origin), 3, CELL, CELL);
      cells.add(new Cell(img, String.format(Locale.ROOT, "%s  %.2f", names.get(c), p), origin));
    }
    try (var out = Files.newOutputStream(png)) {
      ImageIO.write(draw(cells), "png", out);
    }
    return cells.size();
  }

  /** [C, H, W] bytes (1 or 3 channels) as an RGB image. */
  static BufferedImage fromPixels(byte[] px, int c, int h, int w) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int plane = h * w;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int at = y * w + x;
        int r = px[at] & 0xFF;
        int g = c == 3 ? px[plane + at] & 0xFF : r;
        int b = c == 3 ? px[2 * plane + at] & 0xFF : r;
        img.setRGB(x, y, r << 16 | g << 8 | b);
      }
    }
    return img;
  }

  static BufferedImage draw(List<Cell> cells) {
    int cols = Math.max(1, Math.min(COLUMNS, cells.size()));
    int rows = Math.max(1, (cells.size() + cols - 1) / cols);
    BufferedImage out =
        new BufferedImage(
            PAD + cols * (CELL + PAD),
            PAD + rows * (CELL + TEXT + PAD),
            BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, out.getWidth(), out.getHeight());
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    // nearest neighbour: small samples (28 x 28) are enlarged by a whole factor, not blurred
    g.setRenderingHint(
        RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
    Font bold = new Font(Font.SANS_SERIF, Font.BOLD, 13);
    Font plain = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    for (int i = 0; i < cells.size(); i++) {
      Cell c = cells.get(i);
      int left = PAD + (i % cols) * (CELL + PAD);
      int top = PAD + (i / cols) * (CELL + TEXT + PAD);
      int zoom = Math.max(1, CELL / Math.max(c.image().getWidth(), c.image().getHeight()));
      int w = c.image().getWidth() * zoom;
      int h = c.image().getHeight() * zoom;
      g.drawImage(c.image(), left + (CELL - w) / 2, top + (CELL - h) / 2, w, h, null);
      g.setColor(Color.BLACK);
      g.setFont(bold);
      g.drawString(c.caption(), left, top + CELL + 15);
      g.setColor(Color.DARK_GRAY);
      g.setFont(plain);
      g.drawString(fit(c.origin(), g.getFontMetrics(), CELL), left, top + CELL + 30);
    }
    g.dispose();
    return out;
  }

  /** text, shortened with an ellipsis in the middle to fit width pixels. */
  private static String fit(String text, FontMetrics f, int width) {
    if (f.stringWidth(text) <= width) {
      return text;
    }
    int keep = text.length();
    String s = text;
    while (keep > 4 && f.stringWidth(s) > width) {
      keep--;
      s = text.substring(0, keep / 2) + "…" + text.substring(text.length() - keep / 2);
    }
    return s;
  }
}

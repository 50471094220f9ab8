/*
 * The features column of a DataFrame as images for the engine. Five kinds of column are taken:
 * numbers (an ML Vector, array<float> or array<double>) holding a C x H x W image in CHW order,
 * intensities in [0, pixelScale]; Spark's image schema (spark.read.format("image"): BGR or BGRA
 * bytes, any size); the bytes of image files (spark.read.format("binaryFile")'s content, any
 * format javax.imageio reads); and, with binaryFeatures "pixels", the [C, H, W] unsigned bytes of
 * one sample as they are (the pixels column of `deploy/sparkcnn prepare`'s Parquet). Each
 * becomes what every sparkcnn source gives the engine: the [C, H, W] unsigned bytes of one
 * sample. Images of any size are resized (shorter side) and centre-cropped to the image size, as
 * data.image_size does for image folders, with the same code; numbers are scaled to 0..255 and
 * rounded, so values of the form k / 255 (or k with pixelScale 255) come through exactly. of()
 * checks the column against the schema on the driver, before any job; pixels() runs on the
 * executors and returns null for an image or file that does not decode (skipped and counted, as
 * in train), or throws for numbers that are not an image.
 */
package org.sparkcnn.ml;

import java.awt.image.BufferedImage;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkcnn.data.FolderSource;
import org.sparkcnn.driver.cli.Reporter;
import org.sparkcnn.engine.Shape;

final class Features implements Serializable {
  /** What the features column holds. */
  enum Kind {
    VECTOR("an ML Vector"),
    FLOATS("array<float>"),
    DOUBLES("array<double>"),
    IMAGE("Spark's image struct"),
    FILE("image file bytes (binary)"),
    PIXELS("[C, H, W] unsigned bytes (binary, binaryFeatures \"pixels\")");

    final String what;

    Kind(String what) {
      this.what = what;
    }

    boolean images() {
      return this == IMAGE || this == FILE;
    }
  }

  static final String EXPECTED =
      "an ML Vector, array<float> or array<double> (with"
          + " setInputShape), Spark's image struct (spark.read.format(\"image\")) or binary image"
          + " files (spark.read.format(\"binaryFile\")'s content) or, with binaryFeatures \"pixels\","
          + " [C, H, W] unsigned bytes";

  /** binaryFeatures: what a binary features column holds. */
  static final String FILES = "file";

  static final String PIXEL_BYTES = "pixels";

  final Kind kind;
  final Shape shape; // [C, H, W] of one sample
  private final double pixelScale;

  private Features(Kind kind, Shape shape, double pixelScale) {
    this.kind = kind;
    this.shape = shape;
    this.pixelScale = pixelScale;
  }

  /**
   * The features of column col in schema: its kind and the sample shape, from inputShape ([C, H,
   * W], required for numbers) or imageSize (images: 3 x size x size). IllegalArgumentException
   * naming the column, what it holds and what is expected.
   */
  static Features of(
      StructType schema,
      String col,
      int[] inputShape,
      int imageSize,
      double pixelScale,
      String binaryFeatures) {
    StructField field = field(schema, col, "features");
    Kind kind = kind(field.dataType());
    if (kind == Kind.FILE && binaryFeatures.equals(PIXEL_BYTES)) {
      kind = Kind.PIXELS;
    }
    if (kind == null) {
      throw new IllegalArgumentException(
          "features column '"
              + col
              + "' holds "
              + field.dataType().simpleString()
              + "; expected "
              + EXPECTED);
    }
    if (kind.images()) {
      if (inputShape.length == 3 && inputShape[0] != 3) {
        throw new IllegalArgumentException(
            "features column '"
                + col
                + "' holds "
                + kind.what
                + ", which give 3 (RGB) channels, but the input shape is "
                + Shape.of(inputShape)
                + "; expected inputShape 3 x H x W or none");
      }
      return new Features(kind, Shape.of(3, imageSize, imageSize), pixelScale);
    }
    if (inputShape.length != 3) {
      throw new IllegalArgumentException(
          "features column '"
              + col
              + "' holds "
              + kind.what
              + ", numbers without a shape; expected setInputShape(channels, height, width)");
    }
    return new Features(kind, Shape.of(inputShape), pixelScale);
  }

  /** The field col of schema; IllegalArgumentException listing the columns there are. */
  static StructField field(StructType schema, String col, String role) {
    if (!List.of(schema.fieldNames()).contains(col)) {
      throw new IllegalArgumentException(
          role
              + " column '"
              + col
              + "' does not exist; the"
              + " DataFrame has "
              + String.join(", ", schema.fieldNames()));
    }
    return schema.apply(col);
  }

  private static Kind kind(DataType t) {
    if (t instanceof VectorUDT) {
      return Kind.VECTOR;
    }
    if (t instanceof ArrayType a) {
      return a.elementType().equals(DataTypes.FloatType)
          ? Kind.FLOATS
          : a.elementType().equals(DataTypes.DoubleType) ? Kind.DOUBLES : null;
    }
    if (t.equals(DataTypes.BinaryType)) {
      return Kind.FILE;
    }
    if (t instanceof StructType s
        && List.of(s.fieldNames())
            .containsAll(List.of("origin", "height", "width", "nChannels", "data"))) {
      return Kind.IMAGE;
    }
    return null;
  }

  /** Where a row's image came from, for messages: the image's origin or the file's path. */
  static String origin(Row row, int col, int pathCol) {
    if (pathCol >= 0 && !row.isNullAt(pathCol)) {
      return row.getString(pathCol);
    }
    if (!row.isNullAt(col) && row.get(col) instanceof Row image) {
      return image.getAs("origin");
    }
    return null;
  }

  /**
   * The [C, H, W] bytes of the features at column col of row, or null when an image or file cannot
   * be decoded (where names it in messages). IllegalArgumentException for numbers that are not an
   * image of the shape.
   */
  byte[] pixels(Row row, int col, String where) {
    if (row.isNullAt(col)) {
      if (kind.images()) {
        return null;
      }
      throw new IllegalArgumentException(
          where
              + ": the features are null; expected "
              + kind.what
              + " of "
              + shape.size()
              + " values");
    }
    return switch (kind) {
      case VECTOR -> numbers(((Vector) row.get(col)).toArray(), where);
      case FLOATS, DOUBLES -> numbers(row.getList(col), where);
      case IMAGE -> image(row.getStruct(col), where);
      case FILE -> file((byte[]) row.get(col), where);
      case PIXELS -> pixelBytes((byte[]) row.get(col), where);
    };
  }

  private byte[] numbers(double[] v, String where) {
    checkLength(v.length, where);
    byte[] px = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      px[i] = level(v[i], i, where);
    }
    return px;
  }

  private byte[] numbers(List<Object> v, String where) {
    checkLength(v.size(), where);
    byte[] px = new byte[v.size()];
    for (int i = 0; i < px.length; i++) {
      Object o = v.get(i);
      if (o == null) {
        throw new IllegalArgumentException(where + ": the features hold null at index " + i);
      }
      px[i] = level(((Number) o).doubleValue(), i, where);
    }
    return px;
  }

  private byte[] pixelBytes(byte[] px, String where) {
    checkLength(px.length, where);
    return px;
  }

  private void checkLength(int n, String where) {
    if (n != shape.size()) {
      throw new IllegalArgumentException(
          where
              + ": the features hold "
              + n
              + " values;"
              + " expected "
              + shape.size()
              + " for the input shape "
              + shape
              + " (C x H x W)");
    }
  }

  /** A value in [0, pixelScale] as a level 0..255. */
  private byte level(double v, int i, String where) {
    double x = v * (255.0 / pixelScale);
    if (!(x >= -1e-6 && x <= 255 + 1e-6)) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "%s: the feature %d is %s,"
                  + " outside [0, %s]; expected pixel intensities in [0, pixelScale] (setPixelScale)",
              where,
              i,
              v,
              pixelScale));
    }
    return (byte) Math.round(x);
  }

  private byte[] image(Row img, String where) {
    int h = img.getAs("height");
    int w = img.getAs("width");
    int c = img.getAs("nChannels");
    byte[] data = img.getAs("data");
    if (h <= 0
        || w <= 0
        || data == null
        || (c != 1 && c != 3 && c != 4)
        || data.length != (long) h * w * c) {
      Reporter.warn(
          "skipping "
              + where
              + ": not a decoded image ("
              + h
              + " x "
              + w
              + " x "
              + c
              + ", "
              + (data == null ? 0 : data.length)
              + " bytes)");
      return null;
    }
    BufferedImage rgb = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int at = (y * w + x) * c;
        int b = data[at] & 0xFF;
        int g = c == 1 ? b : data[at + 1] & 0xFF; // Spark stores BGR(A)
        int r = c == 1 ? b : data[at + 2] & 0xFF;
        rgb.setRGB(x, y, r << 16 | g << 8 | b);
      }
    }
    return FolderSource.squarePixels(rgb, shape.h());
  }

  private byte[] file(byte[] bytes, String where) {
    try {
      return FolderSource.decode(bytes, shape.h(), where);
    } catch (IllegalArgumentException e) {
      Reporter.warn("skipping " + where + ": " + e.getMessage());
      return null;
    }
  }
}

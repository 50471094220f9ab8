/*
 * The one way sparkcnn decodes an image file (JPEG, PNG, ... any format javax.imageio reads), in
 * two forms. A window of it, as RGB levels in [0, 1] (open, then decode; the augmentation pipeline
 * takes the size from the file's header and decodes only the box its first op reads): a JFIF
 * (YCbCr) or grey baseline JPEG, nearly every camera file, goes through JpegWindowDecoder, which
 * gives the very samples of the JDK's libjpeg (its own 6b, or the system's libjpeg-turbo) for the
 * window alone (entropy-decoding only up to its last row, transforming only its blocks); those
 * samples are turned into RGB with libjpeg's own fixed-point tables (RgbPlanes). Such a JPEG that
 * it declines (progressive, several scans, corrupt or truncated data, ...) is read as its raw
 * raster (ImageReader.readRaster with setSourceRegion) and converted with the same tables: the
 * reference path, which JpegPath.IMAGEIO (data.jpeg_decoder: imageio) takes for every JPEG. Both give the pixels PIL
 * gives (torchvision's loader; checked on the ants/bees set), and those of ImageReader.read at a
 * fraction of its cost, except that read also converts the colours of a file that embeds an ICC
 * profile and PIL does not. Any other file goes through read. The whole image as a BufferedImage
 * (read, for the decoded pixels of image folders and Parquet shards): ImageReader.read, with
 * every reader warning an error. An instance is for one thread: it keeps its decoder, reader and
 * buffers between images.
 */
package org.sparkcnn.data.jpeg;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

public final class ImageDecoder {
  /** Which decoder a JPEG goes to first (data.jpeg_decoder). */
  public enum JpegPath {
    /** JpegWindowDecoder, javax.imageio for the files it declines. */
    OWN,
    /** javax.imageio's raw raster for every JPEG: the reference the own decoder matches. */
    IMAGEIO
  }

  private final JpegPath jpegPath;
  private final JpegWindowDecoder jpegDecoder = new JpegWindowDecoder();
  private ImageReader reader; // the last format's reader, reused while the format repeats
  private ImageInputStream in;
  private String name;
  private int h;
  private int w;
  private Jpeg jpeg; // null: not a JPEG whose raw raster we convert

  /** A decoder that tries the own JPEG decoder first. */
  public ImageDecoder() {
    this(JpegPath.OWN);
  }

  public ImageDecoder(JpegPath jpegPath) {
    this.jpegPath = jpegPath;
  }

  public JpegPath jpegPath() {
    return jpegPath;
  }

  /** Whether the open image went to javax.imageio's reader (not the own JPEG decoder). */
  boolean readerOpen() {
    return in != null;
  }

  /**
   * Starts on the encoded image `encoded`, reading its size (height(), width()); name is for
   * messages. IllegalArgumentException naming it if no reader takes the file or its header does not
   * read. close() ends it, whether or not this succeeded.
   */
  public void open(byte[] encoded, String name) {
    this.name = name;
    jpeg = Jpeg.of(encoded);
    in = null;
    if (jpeg != null && jpegPath == JpegPath.OWN) {
      h = jpeg.height(); // the reader is set up only if JpegWindowDecoder declines the file
      w = jpeg.width();
      return;
    }
    openReader(encoded);
  }

  private void openReader(byte[] encoded) {
    try {
      in = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded));
      if (reader == null || !reader.getOriginatingProvider().canDecodeInput(in)) {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
          throw new IllegalArgumentException(
              "cannot decode the image "
                  + name
                  + ": not a format javax.imageio reads (JPEG, PNG, GIF, BMP)");
        }
        if (reader != null) {
          reader.dispose();
        }
        reader = readers.next();
      }
      reader.setInput(in, true, true);
      if (jpeg != null && !reader.getFormatName().equalsIgnoreCase("jpeg")) {
        jpeg = null;
      }
      h = jpeg != null ? jpeg.height() : reader.getHeight(0);
      w = jpeg != null ? jpeg.width() : reader.getWidth(0);
    } catch (IOException | RuntimeException e) {
      throw failed(e);
    }
  }

  /** Ends the image open() started, letting go of its bytes. */
  public void close() {
    if (reader != null && in != null) {
      reader.setInput(null);
    }
    in = null;
  }

  private IllegalArgumentException failed(Exception e) {
    return e instanceof IllegalArgumentException iae
            && iae.getMessage() != null
            && iae.getMessage().startsWith("cannot decode")
        ? iae
        : new IllegalArgumentException("cannot decode the image " + name + ": " + e, e);
  }

  /** The open image's height, from its header. */
  public int height() {
    return h;
  }

  /** The open image's width, from its header. */
  public int width() {
    return w;
  }

  /**
   * dst [3, window[2], window[3]] = the window {top, left, h, w} of the open image as RGB levels in
   * [0, 1] (a grey image's level in all three channels). IllegalArgumentException naming the image
   * if it does not decode, or decodes to another size.
   */
  public void decode(int[] window, RgbTarget dst) {
    if (in == null) { // a JPEG for JpegWindowDecoder
      if (jpegDecoder.decode(jpeg.bytes(), jpeg.components(), window, dst)) {
        return;
      }
      openReader(jpeg.bytes());
    }
    try {
      ImageReadParam param = reader.getDefaultReadParam();
      if (window[0] != 0 || window[1] != 0 || window[2] != h || window[3] != w) {
        param.setSourceRegion(new Rectangle(window[1], window[0], window[3], window[2]));
      }
      if (jpeg != null) {
        Raster r = reader.readRaster(0, param);
        checkSize(r.getWidth(), r.getHeight(), window);
        if (RgbPlanes.rawToPlanes(r, jpeg.components() == 3, dst)) {
          return;
        }
        reader.setInput(
            new MemoryCacheImageInputStream(new ByteArrayInputStream(jpeg.bytes())),
            true,
            true); // an unexpected raster: decode again, through read
      }
      BufferedImage img = reader.read(0, param);
      checkSize(img.getWidth(), img.getHeight(), window);
      RgbPlanes.toPlanes(img, dst);
    } catch (IOException | RuntimeException e) {
      throw failed(e);
    }
  }

  private void checkSize(int gotW, int gotH, int[] window) {
    if (gotH != window[2] || gotW != window[3]) {
      throw new IllegalStateException(
          "decoding "
              + name
              + " gave "
              + gotW
              + "x"
              + gotH
              + " pixels for a "
              + window[3]
              + "x"
              + window[2]
              + " window");
    }
  }

  /**
   * The whole image of a file as javax.imageio reads it, with the reader's warnings treated as
   * errors: IllegalArgumentException naming the path if it is not an image, is corrupt or is
   * truncated.
   */
  public static BufferedImage read(byte[] file, String path) {
    String problem = "cannot decode the image " + path + " (" + file.length + " bytes): ";
    List<String> warnings = new ArrayList<>();
    BufferedImage img = null;
    String format = null;
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(file))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (readers.hasNext()) {
        ImageReader reader = readers.next();
        format = reader.getFormatName();
        reader.addIIOReadWarningListener((r, message) -> warnings.add(message));
        try {
          reader.setInput(in, true, true);
          img = reader.read(0);
        } finally {
          reader.dispose();
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(problem + "truncated or corrupt (" + e + ")", e);
    }
    if (format == null) {
      throw new IllegalArgumentException(
          problem + "not a format javax.imageio reads (JPEG, PNG, GIF, BMP)");
    }
    if (!warnings.isEmpty()) {
      throw new IllegalArgumentException(
          problem
              + "truncated or corrupt (the "
              + format
              + " reader warns: "
              + String.join("; ", warnings.stream().distinct().toList())
              + ")");
    }
    return img;
  }
}

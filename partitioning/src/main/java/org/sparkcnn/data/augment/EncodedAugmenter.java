/*
 * Runs a pipeline on encoded images (JPEG, PNG, ... any format javax.imageio reads) as an
 * ImageNet loader does every epoch: decode, augment, land in the batch. When the pipeline's first
 * op takes any size (random_resized_crop, resize to [h, w], center_crop), its parameters are drawn
 * from the size in the file's header and only the window that op reads is decoded: the same
 * pixels as decoding the whole image and cropping, for less work. Pixels are RGB (a grey image's
 * level in all three channels), scaled to [0, 1] as k / 255. What decodes what: a JFIF (YCbCr) or
 * grey baseline JPEG, nearly every camera file, goes through JpegWindowDecoder, which gives the
 * very samples of the JDK's libjpeg (its own 6b, or the system's libjpeg-turbo) for the window
 * alone (entropy-decoding only up to its last row, transforming only its blocks); those samples are turned into RGB here with libjpeg's own
 * fixed-point tables (jdcolor.c). Such a JPEG that it declines (progressive, several scans,
 * corrupt or truncated data, ...) is read as its raw raster (ImageReader.readRaster with
 * setSourceRegion) and converted with the same tables: the reference path, which
 * -Dsparkcnn.jpeg=imageio forces for every JPEG. Both give the pixels PIL gives (torchvision's
 * loader; checked on the ants/bees set), and those of ImageReader.read at a fraction of its cost,
 * except that read also converts the colours of a file that embeds an ICC profile and PIL does
 * not. Any other file goes through read. One per thread: it keeps its decoder, reader and buffers
 * between images.
 */
package org.sparkcnn.data.augment;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

public final class EncodedAugmenter {
  private static final float[] LEVELS = new float[256]; // k / 255f, as Augmenter scales bytes
  private static final float[] CLAMPED = new float[768]; // [256 + v] = LEVELS[clamp(v)]
  // -Dsparkcnn.jpeg=imageio: every JPEG through ImageIO's raw raster, the reference path
  private static final boolean IMAGEIO_ONLY = "imageio".equals(System.getProperty("sparkcnn.jpeg"));
  private final Image a = new Image();
  private final Image b = new Image();
  private final File file = new File();
  private final JpegWindowDecoder jpegDecoder = new JpegWindowDecoder();
  private ImageReader reader; // the last format's reader, reused while the format repeats

  // libjpeg's YCbCr -> RGB (jdcolor.c, ycc_rgb_convert): R = Y + CR_R[Cr],
  // G = Y + ((CB_G[Cb] + CR_G[Cr]) >> 16), B = Y + CB_B[Cb], each clamped to [0, 255]
  private static final int[] CR_R = new int[256];
  private static final int[] CB_B = new int[256];
  private static final int[] CR_G = new int[256];
  private static final int[] CB_G = new int[256];

  static {
    for (int k = 0; k < 256; k++) {
      LEVELS[k] = k / 255f;
    }
    for (int v = -256; v < 512; v++) {
      CLAMPED[256 + v] = LEVELS[clamp(v)];
    }
    for (int k = 0; k < 256; k++) {
      int x = k - 128;
      int half = 1 << 15;
      CR_R[k] = (fix(1.40200) * x + half) >> 16;
      CB_B[k] = (fix(1.77200) * x + half) >> 16;
      CR_G[k] = -fix(0.71414) * x;
      CB_G[k] = -fix(0.34414) * x + half;
    }
  }

  private static int fix(double v) {
    return (int) (v * (1 << 16) + 0.5);
  }

  /**
   * x[offset, offset + pipe.output().size()) = the encoded image, decoded and run through the
   * per-sample ops of pipe as sample id of epoch (normalised only by the pipeline's own normalize
   * op). The pipeline must take 3-channel images, of this image's size or any size. name is for
   * messages.
   */
  public void augment(
      Pipeline pipe,
      byte[] encoded,
      String name,
      long seed,
      int epoch,
      long id,
      float[] x,
      int offset) {
    if (pipe.input().c() != 3) {
      throw new IllegalArgumentException(
          "encoded images decode to RGB, but the pipeline "
              + pipe.names()
              + " takes "
              + pipe.input().c()
              + "-channel images");
    }
    try {
      file.open(encoded, name);
      Image out = pipe.run(file, a, b, seed, epoch, id);
      System.arraycopy(out.px, 0, x, offset, out.size());
    } finally {
      file.close();
    }
  }

  /** The file being decoded, as the pipeline sees it: a size, then a window's pixels. */
  private final class File implements Pipeline.Encoded {
    private ImageInputStream in;
    private String name;
    private int h;
    private int w;
    private Jpeg jpeg; // null: not a JPEG whose raw raster we convert

    void open(byte[] encoded, String name) {
      this.name = name;
      jpeg = Jpeg.of(encoded);
      in = null;
      if (jpeg != null && !IMAGEIO_ONLY) {
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

    void close() {
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

    @Override
    public int height() {
      return h;
    }

    @Override
    public int width() {
      return w;
    }

    @Override
    public void decode(int[] window, Image dst) {
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
          if (rawToPlanes(r, jpeg.components() == 3, dst)) {
            return;
          }
          reader.setInput(
              new MemoryCacheImageInputStream(new ByteArrayInputStream(jpeg.bytes())),
              true,
              true); // an unexpected raster: decode again, through read
        }
        BufferedImage img = reader.read(0, param);
        checkSize(img.getWidth(), img.getHeight(), window);
        toPlanes(img, dst);
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
  }

  /**
   * dst [3, h, w] = the RGB levels in [0, 1] of a JPEG's raw raster: YCbCr (ycc) through libjpeg's
   * tables, or grey; false (dst untouched) for a raster of another layout.
   */
  static boolean rawToPlanes(Raster r, boolean ycc, Image dst) {
    if (!(r.getSampleModel() instanceof ComponentSampleModel sm)
        || !(r.getDataBuffer() instanceof DataBufferByte db)
        || db.getNumBanks() != 1
        || sm.getNumBands() != (ycc ? 3 : 1)) {
      return false;
    }
    int h = r.getHeight();
    int w = r.getWidth();
    dst.reshape(3, h, w);
    int plane = h * w;
    float[] px = dst.px;
    byte[] data = db.getData();
    int stride = sm.getPixelStride();
    int[] band = sm.getBandOffsets();
    for (int y = 0; y < h; y++) {
      int s =
          db.getOffset()
              + (y - r.getSampleModelTranslateY()) * sm.getScanlineStride()
              - r.getSampleModelTranslateX() * stride;
      int d = y * w;
      if (ycc) {
        int sy = s + band[0];
        int scb = s + band[1];
        int scr = s + band[2];
        for (int x = 0; x < w; x++) {
          int o = x * stride;
          int luma = data[sy + o] & 0xFF;
          int cb = data[scb + o] & 0xFF;
          int cr = data[scr + o] & 0xFF;
          px[d + x] = LEVELS[clamp(luma + CR_R[cr])];
          px[plane + d + x] = LEVELS[clamp(luma + ((CB_G[cb] + CR_G[cr]) >> 16))];
          px[2 * plane + d + x] = LEVELS[clamp(luma + CB_B[cb])];
        }
      } else {
        int sg = s + band[0];
        for (int x = 0; x < w; x++) {
          float v = LEVELS[data[sg + x * stride] & 0xFF];
          px[d + x] = v;
          px[plane + d + x] = v;
          px[2 * plane + d + x] = v;
        }
      }
    }
    return true;
  }

  /**
   * px[d + x], px[plane + d + x], px[2 plane + d + x] for x < n = the RGB levels in [0, 1] of the
   * YCbCr samples ys[x], cbs[x], crs[x], through libjpeg's tables as rawToPlanes.
   */
  static void yccRow(byte[] ys, byte[] cbs, byte[] crs, int n, float[] px, int d, int plane) {
    for (int x = 0; x < n; x++) {
      int luma = 256 + (ys[x] & 0xFF); // each sum lies in [-256, 512): no clamp needed
      int cb = cbs[x] & 0xFF;
      int cr = crs[x] & 0xFF;
      px[d + x] = CLAMPED[luma + CR_R[cr]];
      px[plane + d + x] = CLAMPED[luma + ((CB_G[cb] + CR_G[cr]) >> 16)];
      px[2 * plane + d + x] = CLAMPED[luma + CB_B[cb]];
    }
  }

  /** The same for grey samples g[x]: their level in all three channels. */
  static void greyRow(byte[] g, int n, float[] px, int d, int plane) {
    for (int x = 0; x < n; x++) {
      float v = LEVELS[g[x] & 0xFF];
      px[d + x] = v;
      px[plane + d + x] = v;
      px[2 * plane + d + x] = v;
    }
  }

  private static int clamp(int v) {
    return Math.max(0, Math.min(255, v));
  }

  /** dst [3, h, w] = the RGB levels of img in [0, 1]. */
  static void toPlanes(BufferedImage img, Image dst) {
    int h = img.getHeight();
    int w = img.getWidth();
    dst.reshape(3, h, w);
    int plane = h * w;
    float[] px = dst.px;
    Raster r = img.getRaster();
    int type = img.getType();
    if ((type == BufferedImage.TYPE_3BYTE_BGR || type == BufferedImage.TYPE_BYTE_GRAY)
        && r.getSampleModel() instanceof ComponentSampleModel sm
        && r.getDataBuffer() instanceof DataBufferByte db
        && db.getNumBanks() == 1) {
      byte[] data = db.getData();
      int stride = sm.getPixelStride();
      int[] band = sm.getBandOffsets(); // BGR: {2, 1, 0}; grey: {0}
      int red = band[0];
      int green = band[band.length == 3 ? 1 : 0];
      int blue = band[band.length == 3 ? 2 : 0];
      for (int y = 0; y < h; y++) {
        int s =
            db.getOffset()
                + (y - r.getSampleModelTranslateY()) * sm.getScanlineStride()
                - r.getSampleModelTranslateX() * stride;
        int d = y * w;
        for (int x = 0; x < w; x++, s += stride) {
          px[d + x] = LEVELS[data[s + red] & 0xFF];
          px[plane + d + x] = LEVELS[data[s + green] & 0xFF];
          px[2 * plane + d + x] = LEVELS[data[s + blue] & 0xFF];
        }
      }
      return;
    }
    int[] row = new int[w]; // any other layout: through the colour model, as FolderSource reads
    for (int y = 0; y < h; y++) {
      img.getRGB(0, y, w, 1, row, 0, w);
      for (int x = 0; x < w; x++) {
        int rgb = row[x];
        px[y * w + x] = LEVELS[(rgb >> 16) & 0xFF];
        px[plane + y * w + x] = LEVELS[(rgb >> 8) & 0xFF];
        px[2 * plane + y * w + x] = LEVELS[rgb & 0xFF];
      }
    }
  }
}

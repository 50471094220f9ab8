/*
 * Decoded samples into RGB levels in [0, 1] (k / 255), planes [3, h, w]: the YCbCr of a JPEG
 * through libjpeg's own fixed-point tables (jdcolor.c, ycc_rgb_convert), whole rows of them from
 * JpegWindowDecoder and whole rasters from ImageIO's raw JPEG decode, grey as its level in all
 * three channels, and any other image ImageIO decodes through its colour model.
 */
package org.sparkcnn.data.jpeg;

import java.awt.image.BufferedImage;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;

final class RgbPlanes {
  private static final float[] LEVELS = new float[256]; // k / 255f, as Augmenter scales bytes
  private static final float[] CLAMPED = new float[768]; // [256 + v] = LEVELS[clamp(v)]

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

  private RgbPlanes() {}

  /**
   * dst [3, h, w] = the RGB levels in [0, 1] of a JPEG's raw raster: YCbCr (ycc) through libjpeg's
   * tables, or grey; false (dst untouched) for a raster of another layout.
   */
  static boolean rawToPlanes(Raster r, boolean ycc, RgbTarget dst) {
    if (!(r.getSampleModel() instanceof ComponentSampleModel sm)
        || !(r.getDataBuffer() instanceof DataBufferByte db)
        || db.getNumBanks() != 1
        || sm.getNumBands() != (ycc ? 3 : 1)) {
      return false;
    }
    int h = r.getHeight();
    int w = r.getWidth();
    float[] px = dst.rgb(h, w);
    int plane = h * w;
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
  static void toPlanes(BufferedImage img, RgbTarget dst) {
    int h = img.getHeight();
    int w = img.getWidth();
    float[] px = dst.rgb(h, w);
    int plane = h * w;
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

/*
 * The geometric kernels of the augmentation ops, each a pure function from a source image and
 * parameters into a destination image: a window copy with constant padding (crops), separable
 * resampling of a box with a triangle filter (resize and resized crops) and an inverse-mapped
 * bilinear warp (rotation, affine). Coordinates are pixel centres: pixel (y, x) covers
 * [y, y + 1) x [x, x + 1) and its centre is (y + 0.5, x + 0.5).
 */
package org.sparkcnn.data.augment;

final class Warp {
  private Warp() {}

  /** Horizontal (vertical == false) or vertical mirror of src into dst. */
  static void flip(Image src, boolean vertical, Image dst) {
    int c = src.c;
    int h = src.h;
    int w = src.w;
    dst.reshape(c, h, w);
    for (int ch = 0; ch < c; ch++) {
      for (int y = 0; y < h; y++) {
        int s = (ch * h + (vertical ? h - 1 - y : y)) * w;
        int d = (ch * h + y) * w;
        for (int x = 0; x < w; x++) {
          dst.px[d + x] = src.px[vertical ? s + x : s + w - 1 - x];
        }
      }
    }
  }

  /**
   * dst [C, h, w] = the window of src whose top-left pixel is (top, left), which may reach past the
   * borders (padding); pixels outside src take fill[c].
   */
  static void crop(Image src, int top, int left, int h, int w, float[] fill, Image dst) {
    int c = src.c;
    dst.reshape(c, h, w);
    for (int ch = 0; ch < c; ch++) {
      for (int y = 0; y < h; y++) {
        int sy = top + y;
        int d = (ch * h + y) * w;
        for (int x = 0; x < w; x++) {
          int sx = left + x;
          boolean inside = sy >= 0 && sy < src.h && sx >= 0 && sx < src.w;
          dst.px[d + x] = inside ? src.px[(ch * src.h + sy) * src.w + sx] : fill[ch];
        }
      }
    }
  }

  /**
   * dst [C, outH, outW] = the box of src at (top, left) of size bh x bw, resampled. Each axis uses
   * a triangle filter whose radius is one source pixel when enlarging (bilinear interpolation) and
   * the scale factor when shrinking (so every source pixel counts, as PIL's bilinear resize with
   * antialiasing); taps outside the box are dropped and the weights renormalised. Horizontal pass
   * into a spare buffer [C, bh, outW], then the vertical pass.
   */
  static void resize(Image src, int top, int left, int bh, int bw, int outH, int outW, Image dst) {
    resize(src, 0, 0, top, left, bh, bw, outH, outW, dst);
  }

  /**
   * resize of an image of which src holds only the part whose top-left pixel is (oy, ox): the same
   * box, in the whole image's coordinates, must lie inside src; the same numbers as resizing the
   * whole image (the filters are computed in its coordinates).
   */
  static void resize(
      Image src, int oy, int ox, int top, int left, int bh, int bw, int outH, int outW, Image dst) {
    int c = src.c;
    Taps tx = Taps.of(left, bw, outW);
    Taps ty = Taps.of(top, bh, outH);
    float[] mid = dst.spare(c * bh * outW);
    if (tx.padded == null) {
      horizontalReference(src, oy, ox, top, bh, outW, tx, mid);
    } else {
      horizontal(src, oy, ox, top, bh, outW, tx, mid);
    }
    vertical(c, top, bh, outH, outW, ty, mid, dst);
  }

  /**
   * The horizontal pass, mid [C, bh, outW]: each output sums its taps in order. The plain loop over
   * each output's own taps, the reference of horizontal.
   */
  static void horizontalReference(
      Image src, int oy, int ox, int top, int bh, int outW, Taps tx, float[] mid) {
    for (int ch = 0; ch < src.c; ch++) {
      for (int y = 0; y < bh; y++) {
        int s = (ch * src.h + top - oy + y) * src.w - ox;
        int d = (ch * bh + y) * outW;
        for (int x = 0; x < outW; x++) {
          float sum = 0;
          for (int t = 0; t < tx.count[x]; t++) {
            sum += tx.weight[x * tx.width + t] * src.px[s + tx.first[x] + t];
          }
          mid[d + x] = sum;
        }
      }
    }
  }

  /**
   * The horizontal pass with every output reading width taps (Taps.padded: zero weights around its
   * own), a fixed trip count the JIT unrolls. The zeros add +0 to a sum that starts at +0 and is
   * never -0, so the sums are horizontalReference's, bit for bit.
   */
  static void horizontal(
      Image src, int oy, int ox, int top, int bh, int outW, Taps tx, float[] mid) {
    int width = tx.width;
    int[] first = tx.paddedFirst;
    float[] wt = tx.padded;
    float[] px = src.px;
    for (int ch = 0; ch < src.c; ch++) {
      for (int y = 0; y < bh; y++) {
        int s = (ch * src.h + top - oy + y) * src.w - ox;
        int d = (ch * bh + y) * outW;
        if (width == 5) {
          for (int x = 0; x < outW; x++) {
            int p = s + first[x];
            int k = x * 5;
            float sum = 0;
            sum += wt[k] * px[p];
            sum += wt[k + 1] * px[p + 1];
            sum += wt[k + 2] * px[p + 2];
            sum += wt[k + 3] * px[p + 3];
            sum += wt[k + 4] * px[p + 4];
            mid[d + x] = sum;
          }
        } else {
          for (int x = 0; x < outW; x++) {
            int p = s + first[x];
            int k = x * width;
            float sum = 0;
            for (int t = 0; t < width; t++) {
              sum += wt[k + t] * px[p + t];
            }
            mid[d + x] = sum;
          }
        }
      }
    }
  }

  /** The vertical pass, dst [C, outH, outW] from mid [C, bh, outW]. */
  private static void vertical(
      int c, int top, int bh, int outH, int outW, Taps ty, float[] mid, Image dst) {
    dst.reshape(c, outH, outW);
    for (int ch = 0; ch < c; ch++) {
      for (int y = 0; y < outH; y++) {
        int d = (ch * outH + y) * outW;
        for (int x = 0; x < outW; x++) {
          dst.px[d + x] = 0;
        }
        for (int t = 0; t < ty.count[y]; t++) {
          float wt = ty.weight[y * ty.width + t];
          int s = (ch * bh + ty.first[y] - top + t) * outW;
          for (int x = 0; x < outW; x++) {
            dst.px[d + x] += wt * mid[s + x];
          }
        }
      }
    }
  }

  /**
   * One axis's filter: output i reads count[i] source pixels from first[i] on. Where the box is at
   * least width long, the same filter with width taps for every output: from paddedFirst[i],
   * weights padded (zero outside the output's own taps) and inside the box; else both null.
   */
  record Taps(
      int[] first, int[] count, float[] weight, int width, int[] paddedFirst, float[] padded) {
    static Taps of(int start, int len, int outLen) {
      double scale = (double) len / outLen;
      double radius = Math.max(1.0, scale);
      int width = (int) Math.ceil(radius) * 2 + 1;
      int[] first = new int[outLen];
      int[] count = new int[outLen];
      float[] weight = new float[outLen * width];
      for (int i = 0; i < outLen; i++) {
        double centre = start + (i + 0.5) * scale; // in source coordinates
        int lo = Math.max(start, (int) Math.floor(centre - radius));
        int hi = Math.min(start + len, (int) Math.ceil(centre + radius)); // exclusive
        double total = 0;
        for (int j = lo; j < hi; j++) {
          total += Math.max(0, 1 - Math.abs(j + 0.5 - centre) / radius);
        }
        first[i] = lo;
        count[i] = hi - lo;
        for (int j = lo; j < hi; j++) {
          weight[i * width + j - lo] =
              (float) (Math.max(0, 1 - Math.abs(j + 0.5 - centre) / radius) / total);
        }
      }
      if (len < width) {
        return new Taps(first, count, weight, width, null, null);
      }
      int[] paddedFirst = new int[outLen];
      float[] padded = new float[outLen * width];
      for (int i = 0; i < outLen; i++) {
        paddedFirst[i] = Math.min(first[i], start + len - width);
        int shift = first[i] - paddedFirst[i];
        System.arraycopy(weight, i * width, padded, i * width + shift, count[i]);
      }
      return new Taps(first, count, weight, width, paddedFirst, padded);
    }
  }

  /**
   * dst [C, outH, outW]: output pixel centre (x, y) reads src bilinearly at (m[0] x + m[1] y +
   * m[2], m[3] x + m[4] y + m[5]), in pixel-centre coordinates of both images; a tap outside src
   * reads fill[c].
   */
  static void warp(Image src, double[] m, float[] fill, int outH, int outW, Image dst) {
    int c = src.c;
    int h = src.h;
    int w = src.w;
    dst.reshape(c, outH, outW);
    for (int y = 0; y < outH; y++) {
      for (int x = 0; x < outW; x++) {
        double sx = m[0] * (x + 0.5) + m[1] * (y + 0.5) + m[2] - 0.5; // pixel index coordinates
        double sy = m[3] * (x + 0.5) + m[4] * (y + 0.5) + m[5] - 0.5;
        int x0 = (int) Math.floor(sx);
        int y0 = (int) Math.floor(sy);
        float fx = (float) (sx - x0);
        float fy = (float) (sy - y0);
        for (int ch = 0; ch < c; ch++) {
          int base = ch * h * w;
          float f = fill[ch];
          float v00 = y0 >= 0 && y0 < h && x0 >= 0 && x0 < w ? src.px[base + y0 * w + x0] : f;
          float v01 =
              y0 >= 0 && y0 < h && x0 + 1 >= 0 && x0 + 1 < w ? src.px[base + y0 * w + x0 + 1] : f;
          float v10 =
              y0 + 1 >= 0 && y0 + 1 < h && x0 >= 0 && x0 < w ? src.px[base + (y0 + 1) * w + x0] : f;
          float v11 =
              y0 + 1 >= 0 && y0 + 1 < h && x0 + 1 >= 0 && x0 + 1 < w
                  ? src.px[base + (y0 + 1) * w + x0 + 1]
                  : f;
          float top = v00 + fx * (v01 - v00);
          float bottom = v10 + fx * (v11 - v10);
          dst.px[(ch * outH + y) * outW + x] = top + fy * (bottom - top);
        }
      }
    }
  }

  /**
   * The inverse map for warp of a forward transform about the image centre: a destination point p =
   * A (q - centre) + centre + t for source point q, with A the 2x2 matrix {a, b; c, d} and t the
   * translation, so q = A^-1 (p - centre - t) + centre.
   */
  static double[] inverseAbout(
      double a, double b, double c, double d, double tx, double ty, int h, int w) {
    double det = a * d - b * c;
    double ia = d / det;
    double ib = -b / det;
    double ic = -c / det;
    double id = a / det;
    double cx = w / 2.0;
    double cy = h / 2.0;
    double ox = -cx - tx;
    double oy = -cy - ty;
    return new double[] {ia, ib, ia * ox + ib * oy + cx, ic, id, ic * ox + id * oy + cy};
  }
}

/*
 * Stride-1 convolution without lowering ("implicit GEMM"). Copied once into a zero-padded grid
 * xp[C, Hp, Wp], an image's im2col matrix is a set of shifted views of that grid: the tap
 * (c, ki, kj) of the output at q = oh * Wp + ow is xp[c * Hp * Wp + q + ki * dh * Wp + kj * dw].
 * Each row of the column matrix is then one contiguous run of xp (Operand.shifted), so the GEMM
 * packs it by plain copying, whatever the image width, and no boundary test is left in the loop.
 * The price: the product runs over the wide output grid [Ho, Wp], whose columns ow >= Wo read
 * across the row's end and are dropped by crop; that is (Wp - Wo) / Wp more work (6 % at 32
 * pixels with padding 1, 20 % at 8). A sample's last wide column reads up to (kw - 1) * dw floats
 * past its grid, so the batch's grids end with that many zeros of slack.
 *
 * The same grid serves the input gradient: with dy padded by (k - 1) * d - p on each side, dx is
 * the stride-1 convolution of dy with the kernels flipped and their channels swapped.
 */
package org.sparkcnn.engine.kernels;

import java.util.Arrays;

/** A batch of [c, h, w] images, with top, left, bottom and right zeros around each plane. */
public record PaddedGrid(int c, int h, int w, int top, int left, int bottom, int right, int slack) {

  public PaddedGrid {
    if (top < 0 || left < 0 || bottom < 0 || right < 0 || slack < 0) {
      throw new IllegalArgumentException(
          "a padded grid needs padding >= 0, got top "
              + top
              + " left "
              + left
              + " bottom "
              + bottom
              + " right "
              + right
              + " slack "
              + slack);
    }
  }

  public int hp() {
    return h + top + bottom;
  }

  public int wp() {
    return w + left + right;
  }

  public int plane() {
    return hp() * wp();
  }

  /** Floats from one sample's grid to the next. */
  public int sampleSize() {
    return c * plane();
  }

  /** Floats of n samples' grids and the slack after them. */
  public int length(int n) {
    return n * sampleSize() + slack;
  }

  /** True when the grid is the images themselves: no zero is added. */
  public boolean isIdentity() {
    return top == 0 && left == 0 && bottom == 0 && right == 0 && slack == 0;
  }

  /**
   * dst[0, length(n)) = the n images of x from xOff, each padded (every zero written, so dst may
   * hold anything before). The samples are spread over Parallel's threads.
   */
  public void pad(float[] x, int xOff, int n, float[] dst) {
    if (dst.length < length(n)) {
      throw new IllegalArgumentException(
          "a padded grid of " + n + " samples needs " + length(n) + " floats, got " + dst.length);
    }
    int wp = wp();
    int plane = plane();
    Parallel.forEach(
        n,
        s -> {
          for (int ch = 0; ch < c; ch++) {
            int d = s * sampleSize() + ch * plane;
            int src = xOff + (s * c + ch) * h * w;
            Arrays.fill(dst, d, d + top * wp + left, 0f);
            d += top * wp + left;
            for (int y = 0; y < h; y++, d += wp, src += w) {
              Copy.copy(x, src, dst, d, w);
              // the right and next left padding: a few floats, too few for a call to Arrays.fill
              for (int i = d + w, end = d + (y == h - 1 ? wp - left : wp); i < end; i++) {
                dst[i] = 0f;
              }
            }
            d -= left;
            Arrays.fill(dst, d, d + bottom * wp, 0f);
          }
        });
    Arrays.fill(dst, n * sampleSize(), length(n), 0f);
  }

  /**
   * The offset of each tap (ch, ki, kj) of a kh x kw kernel with dilation (dh, dw) over the first
   * channels of this grid, in im2col's row order: ch * Hp * Wp + ki * dh * Wp + kj * dw.
   */
  public int[] taps(int channels, int kh, int kw, int dh, int dw) {
    int[] t = new int[channels * kh * kw];
    int r = 0;
    for (int ch = 0; ch < channels; ch++) {
      for (int ki = 0; ki < kh; ki++) {
        for (int kj = 0; kj < kw; kj++) {
          t[r++] = ch * plane() + ki * dh * wp() + kj * dw;
        }
      }
    }
    return t;
  }

  /**
   * dst[n, c, rows, cols] at dstOff = the first cols columns of each row of the wide planes src[n,
   * c, rows, wide] (wide >= cols); the samples spread over Parallel's threads.
   */
  public static void crop(
      float[] src, int n, int c, int rows, int cols, int wide, float[] dst, int dstOff) {
    Parallel.forEach(
        n,
        s -> {
          int from = s * c * rows * wide;
          int to = dstOff + s * c * rows * cols;
          for (int r = 0, all = c * rows; r < all; r++, from += wide, to += cols) {
            Copy.copy(src, from, dst, to, cols);
          }
        });
  }
}

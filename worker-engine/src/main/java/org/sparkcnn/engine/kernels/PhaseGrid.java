/*
 * Strided convolution without lowering: the padded image cut into its s x s phases. With stride s
 * and the tap (ki, kj) = (s u + a, s v + b), the output (oh, ow) reads the padded image at
 * (s (oh + u) + a, s (ow + v) + b), which is the point (oh + u, ow + v) of phase (a, b):
 * P_ab[c, i, j] = xpad[c, s i + a, s j + b]. Each tap is then a shifted run of one phase plane,
 * and the convolution is the implicit GEMM of PaddedGrid over the phases: its wide output grid
 * [Ho, wh] has wh - Wo columns past each row's end (the largest v), which crop drops. The input
 * gradient of phase (a, b) is likewise the stride-1 correlation of dy, padded by the largest u
 * and v, with the taps of that phase flipped; gather puts the phases back in image order.
 */
package org.sparkcnn.engine.kernels;

import java.util.Arrays;

/**
 * A batch of [c, h, w] images padded by top and left (and zeros wherever the phases reach past the
 * image) in s x s phase planes of hh x wh: [n][c][s * s][hh][wh], then slack zeros.
 */
public record PhaseGrid(int c, int h, int w, int top, int left, int s, int hh, int wh, int slack) {

  public PhaseGrid {
    if (s < 1 || top < 0 || left < 0 || hh < 1 || wh < 1 || slack < 0) {
      throw new IllegalArgumentException(
          "a phase grid needs stride >= 1, padding >= 0 and "
              + "planes >= 1, got stride "
              + s
              + " top "
              + top
              + " left "
              + left
              + " planes "
              + hh
              + "x"
              + wh
              + " slack "
              + slack);
    }
  }

  public int plane() {
    return hh * wh;
  }

  /** Floats from one sample's phases to the next. */
  public int sampleSize() {
    return c * s * s * plane();
  }

  /** Floats of n samples' phases and the slack after them. */
  public int length(int n) {
    return n * sampleSize() + slack;
  }

  /** Where phase (a, b) of channel ch starts in a sample's block. */
  public int phaseStart(int ch, int a, int b) {
    return ((ch * s + a) * s + b) * plane();
  }

  /**
   * dst[0, length(n)) = the phases of the n images of x from image s0 on, those in read (phase (a,
   * b) at a * s + b); the others, which no tap reads (three of four for a 1 x 1 kernel of stride
   * 2), are zeros, as a product's columns past a row's end may run into them. Every float is
   * written, so dst may hold anything before. The samples are spread over Parallel's threads.
   */
  public void split(float[] x, int s0, int n, boolean[] read, float[] dst) {
    if (dst.length < length(n)) {
      throw new IllegalArgumentException(
          "a phase grid of " + n + " samples needs " + length(n) + " floats, got " + dst.length);
    }
    Parallel.forEach(
        n,
        smp -> {
          for (int ch = 0; ch < c; ch++) {
            int src = ((s0 + smp) * c + ch) * h * w;
            for (int a = 0; a < s; a++) {
              for (int b = 0; b < s; b++) {
                int d = smp * sampleSize() + phaseStart(ch, a, b);
                if (!read[a * s + b]) {
                  Arrays.fill(dst, d, d + plane(), 0f);
                  continue;
                }
                // columns j whose image column s j + b - left lies in [0, w)
                int lo = Math.min(wh, Math.max(0, Math.floorDiv(left - b + s - 1, s)));
                int hi = Math.max(lo, Math.min(wh, Math.floorDiv(w + left - b + s - 1, s)));
                for (int i = 0; i < hh; i++, d += wh) {
                  int y = s * i + a - top;
                  if (y < 0 || y >= h) {
                    Arrays.fill(dst, d, d + wh, 0f);
                    continue;
                  }
                  Arrays.fill(dst, d, d + lo, 0f);
                  int from = src + y * w + b - left;
                  for (int j = lo; j < hi; j++) {
                    dst[d + j] = x[from + s * j];
                  }
                  Arrays.fill(dst, d + hi, d + wh, 0f);
                }
              }
            }
          }
        });
    Arrays.fill(dst, n * sampleSize(), length(n), 0f);
  }

  /**
   * dx[s0 + smp, c, h, w] for smp < n = the phases' values in image order, from src: phase (a, b)
   * of channel ch of sample smp at src[((smp * c + ch) * s * s + a * s + b) * hh * wide + i * wide
   * + j], a grid of hh x wide per phase (wide >= wh, the first wh columns used); phases absent from
   * present (phases no tap reads) give zeros. The samples are spread over Parallel's threads.
   */
  public void gather(float[] src, int wide, boolean[] present, int s0, int n, float[] dx) {
    int phasePlane = hh * wide;
    Parallel.forEach(
        n,
        smp -> {
          int image = c * h * w;
          Arrays.fill(dx, (s0 + smp) * image, (s0 + smp + 1) * image, 0f); // what no phase covers
          for (int ch = 0; ch < c; ch++) {
            int to = ((s0 + smp) * c + ch) * h * w;
            for (int a = 0; a < s; a++) {
              for (int b = 0; b < s; b++) {
                if (!present[a * s + b]) {
                  continue;
                }
                int from = ((smp * c + ch) * s * s + a * s + b) * phasePlane;
                // as in split: the columns j whose image column s j + b - left lies in [0, w)
                int lo = Math.min(wh, Math.max(0, Math.floorDiv(left - b + s - 1, s)));
                int hi = Math.max(lo, Math.min(wh, Math.floorDiv(w + left - b + s - 1, s)));
                for (int i = 0; i < hh; i++, from += wide) {
                  int y = s * i + a - top;
                  if (y < 0 || y >= h) {
                    continue;
                  }
                  int row = to + y * w + b - left;
                  for (int j = lo; j < hi; j++) {
                    dx[row + s * j] = src[from + j];
                  }
                }
              }
            }
          }
        });
  }
}

/*
 * Reduces convolution to matrix multiplication: im2col lays every receptive field of one image
 * out as a column, so that the convolution is W[Cout, C*KH*KW] x col[C*KH*KW, H'*W'];
 * col2im adds a column gradient back onto the image positions it was read from.
 */
package org.sparkcnn.engine.kernels;

import java.util.Arrays;

public final class Im2col {
  private Im2col() {}

  /** x: [C, H, W] at xOff; col: [C*KH*KW, H'*W'] at 0. Out-of-image taps read zero. */
  public static void im2col(ConvGeometry g, float[] x, int xOff, float[] col) {
    int ho = g.ho();
    int wo = g.wo();
    int hw = ho * wo;
    for (int c = 0; c < g.c(); c++) {
      for (int ki = 0; ki < g.kh(); ki++) {
        for (int kj = 0; kj < g.kw(); kj++) {
          int row = ((c * g.kh() + ki) * g.kw() + kj) * hw;
          for (int oh = 0; oh < ho; oh++) {
            int ih = oh * g.sh() - g.ph() + ki * g.dh();
            int dst = row + oh * wo;
            if (ih < 0 || ih >= g.h()) {
              Arrays.fill(col, dst, dst + wo, 0f);
              continue;
            }
            int src = xOff + (c * g.h() + ih) * g.w();
            for (int ow = 0; ow < wo; ow++) {
              int iw = ow * g.sw() - g.pw() + kj * g.dw();
              col[dst + ow] = iw >= 0 && iw < g.w() ? x[src + iw] : 0f;
            }
          }
        }
      }
    }
  }

  /**
   * A block of the column matrix of one image: dst[dOff + (r - r0) * dRow + (q - q0) * dCol] =
   * col[r, q] for rows [r0, r0 + rows) and output positions [q0, q0 + w). Walks each row's
   * positions one output row at a time; with stride 1 into consecutive slots, the in-image part of
   * a span is one Copy.copy.
   */
  public static void lowerBlock(
      ConvGeometry g,
      float[] x,
      int xOff,
      int r0,
      int rows,
      int q0,
      int w,
      float[] dst,
      int dOff,
      int dRow,
      int dCol) {
    int h = g.h();
    int width = g.w();
    int wo = g.wo();
    int kw = g.kw();
    int taps = g.kh() * kw;
    int oh0 = q0 / wo;
    int ow0 = q0 - oh0 * wo;
    int c = r0 / taps;
    int ki = (r0 - c * taps) / kw;
    int kj = r0 - c * taps - ki * kw;
    boolean contiguous = g.sw() == 1 && dCol == 1;
    for (int r = 0; r < rows; r++) {
      int shift = kj * g.dw() - g.pw(); // iw = ow * sw + shift
      int rowShift = ki * g.dh() - g.ph(); // ih = oh * sh + rowShift
      int chan = xOff + c * h * width;
      int d = dOff + r * dRow;
      int oh = oh0;
      int ow = ow0;
      for (int left = w; left > 0; oh++, ow = 0) {
        int span = Math.min(left, wo - ow);
        int ih = oh * g.sh() + rowShift;
        if (ih < 0 || ih >= h) {
          for (int t = 0; t < span; t++) {
            dst[d + t * dCol] = 0f;
          }
        } else if (contiguous) {
          int src = chan + ih * width + shift; // x[src + u] for output column u
          int o = d - ow; // dst[o + u] for output column u
          int end = ow + span;
          int lo = Math.min(Math.max(-shift, ow), end); // first column inside the image
          int hi = Math.max(Math.min(width - shift, end), lo); // first column past it
          for (int u = ow; u < lo; u++) {
            dst[o + u] = 0f;
          }
          Copy.copy(x, src + lo, dst, o + lo, hi - lo);
          for (int u = hi; u < end; u++) {
            dst[o + u] = 0f;
          }
        } else { // strided or scattered: the columns inside the image found first, then no tests
          int sw = g.sw();
          int src = chan + ih * width + shift; // x[src + u * sw] for output column u
          int o = d - ow * dCol; // dst[o + u * dCol] for output column u
          int end = ow + span;
          int lo = Math.min(Math.max(Math.floorDiv(-shift + sw - 1, sw), ow), end);
          int hi = Math.max(Math.min(Math.floorDiv(width - shift + sw - 1, sw), end), lo);
          for (int u = ow; u < lo; u++) {
            dst[o + u * dCol] = 0f;
          }
          for (int u = lo; u < hi; u++) {
            dst[o + u * dCol] = x[src + u * sw];
          }
          for (int u = hi; u < end; u++) {
            dst[o + u * dCol] = 0f;
          }
        }
        d += span * dCol;
        left -= span;
      }
      if (++kj == kw) {
        kj = 0;
        if (++ki == g.kh()) {
          ki = 0;
          c++;
        }
      }
    }
  }

  /** dx[C, H, W] at dxOff += the column gradient dcol[C*KH*KW, H'*W'] at dcolOff. */
  public static void col2im(ConvGeometry g, float[] dcol, int dcolOff, float[] dx, int dxOff) {
    int ho = g.ho();
    int wo = g.wo();
    int hw = ho * wo;
    for (int c = 0; c < g.c(); c++) {
      for (int ki = 0; ki < g.kh(); ki++) {
        for (int kj = 0; kj < g.kw(); kj++) {
          int row = dcolOff + ((c * g.kh() + ki) * g.kw() + kj) * hw;
          for (int oh = 0; oh < ho; oh++) {
            int ih = oh * g.sh() - g.ph() + ki * g.dh();
            if (ih < 0 || ih >= g.h()) {
              continue;
            }
            int dst = dxOff + (c * g.h() + ih) * g.w();
            int src = row + oh * wo;
            int shift = kj * g.dw() - g.pw(); // iw = ow * sw + shift
            if (g.sw() == 1) {
              int lo = Math.max(0, -shift);
              int hi = Math.min(wo, g.w() - shift);
              if (hi > lo) {
                Copy.add(dcol, src + lo, dx, dst + shift + lo, hi - lo);
              }
            } else {
              for (int ow = 0; ow < wo; ow++) {
                int iw = ow * g.sw() + shift;
                if (iw >= 0 && iw < g.w()) {
                  dx[dst + iw] += dcol[src + ow];
                }
              }
            }
          }
        }
      }
    }
  }
}

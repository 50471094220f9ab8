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

  /** dx[C, H, W] at dxOff += the column gradient dcol[C*KH*KW, H'*W'] scattered back. */
  public static void col2im(ConvGeometry g, float[] dcol, float[] dx, int dxOff) {
    int ho = g.ho();
    int wo = g.wo();
    int hw = ho * wo;
    for (int c = 0; c < g.c(); c++) {
      for (int ki = 0; ki < g.kh(); ki++) {
        for (int kj = 0; kj < g.kw(); kj++) {
          int row = ((c * g.kh() + ki) * g.kw() + kj) * hw;
          for (int oh = 0; oh < ho; oh++) {
            int ih = oh * g.sh() - g.ph() + ki * g.dh();
            if (ih < 0 || ih >= g.h()) {
              continue;
            }
            int dst = dxOff + (c * g.h() + ih) * g.w();
            int src = row + oh * wo;
            for (int ow = 0; ow < wo; ow++) {
              int iw = ow * g.sw() - g.pw() + kj * g.dw();
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

/*
 * im2col in three dimensions (as Caffe's vol2col): every receptive field of one [C, D, H, W]
 * volume becomes a column of col[C*KD*KH*KW, D'*H'*W'], row (c, a, b, e) holding
 * x[c, z*SD - PD + a*DD, i*SH - PH + b*DH, j*SW - PW + e*DW] for output position (z, i, j), zero
 * outside the volume. col2vol is its adjoint: it adds a column gradient back onto the positions
 * read. The innermost loop runs along the output width, as in Im2col.
 */
package org.sparkcnn.engine.kernels;

import java.util.Arrays;

public final class Vol2col {
  private Vol2col() {}

  /** x: [C, D, H, W] at xOff; col: [C*KD*KH*KW, D'*H'*W'] at 0. */
  public static void vol2col(VolGeometry g, float[] x, int xOff, float[] col) {
    walk(g, x, xOff, col, false);
  }

  /** dx[C, D, H, W] at dxOff += dcol[C*KD*KH*KW, D'*H'*W'] scattered back. */
  public static void col2vol(VolGeometry g, float[] dcol, float[] dx, int dxOff) {
    walk(g, dx, dxOff, dcol, true);
  }

  /** Copies x into col, or (back) adds col into x, along every receptive field. */
  private static void walk(VolGeometry g, float[] x, int xOff, float[] col, boolean back) {
    ConvAxis ad = g.d();
    ConvAxis ah = g.h();
    ConvAxis aw = g.w();
    int dOut = ad.out();
    int hOut = ah.out();
    int wOut = aw.out();
    int row = 0;
    for (int c = 0; c < g.c(); c++) {
      for (int a = 0; a < ad.k(); a++) {
        for (int b = 0; b < ah.k(); b++) {
          for (int e = 0; e < aw.k(); e++, row++) {
            int dst = row * dOut * hOut * wOut;
            for (int z = 0; z < dOut; z++) {
              int iz = z * ad.s() - ad.lo() + a * ad.d();
              for (int i = 0; i < hOut; i++, dst += wOut) {
                int ih = i * ah.s() - ah.lo() + b * ah.d();
                if (iz < 0 || iz >= ad.in() || ih < 0 || ih >= ah.in()) {
                  if (!back) {
                    Arrays.fill(col, dst, dst + wOut, 0f);
                  }
                  continue;
                }
                int src = xOff + ((c * ad.in() + iz) * ah.in() + ih) * aw.in();
                int iw0 = e * aw.d() - aw.lo();
                if (back) {
                  for (int j = 0, iw = iw0; j < wOut; j++, iw += aw.s()) {
                    if (iw >= 0 && iw < aw.in()) {
                      x[src + iw] += col[dst + j];
                    }
                  }
                } else {
                  for (int j = 0, iw = iw0; j < wOut; j++, iw += aw.s()) {
                    col[dst + j] = iw >= 0 && iw < aw.in() ? x[src + iw] : 0f;
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}

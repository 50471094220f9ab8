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
    walk(g, x, xOff, col, 0, false);
  }

  /** dx[C, D, H, W] at dxOff += dcol[C*KD*KH*KW, D'*H'*W'] at dcolOff, scattered back. */
  public static void col2vol(VolGeometry g, float[] dcol, int dcolOff, float[] dx, int dxOff) {
    walk(g, dx, dxOff, dcol, dcolOff, true);
  }

  /** A block of col, as Lowering.lowerBlock: one element at a time (3D is rare). */
  public static void lowerBlock(
      VolGeometry g,
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
    ConvAxis ad = g.d();
    ConvAxis ah = g.h();
    ConvAxis aw = g.w();
    int hOut = ah.out();
    int wOut = aw.out();
    int plane = ah.k() * aw.k();
    for (int r = r0; r < r0 + rows; r++) {
      int c = r / (ad.k() * plane);
      int t = r - c * ad.k() * plane;
      int a = t / plane;
      int b = (t - a * plane) / aw.k();
      int e = t - a * plane - b * aw.k();
      for (int q = q0; q < q0 + w; q++) {
        int z = q / (hOut * wOut);
        int i = q / wOut - z * hOut;
        int j = q - (z * hOut + i) * wOut;
        int iz = z * ad.s() - ad.lo() + a * ad.d();
        int ih = i * ah.s() - ah.lo() + b * ah.d();
        int iw = j * aw.s() - aw.lo() + e * aw.d();
        boolean inside =
            iz >= 0 && iz < ad.in() && ih >= 0 && ih < ah.in() && iw >= 0 && iw < aw.in();
        dst[dOff + (r - r0) * dRow + (q - q0) * dCol] =
            inside ? x[xOff + ((c * ad.in() + iz) * ah.in() + ih) * aw.in() + iw] : 0f;
      }
    }
  }

  /** Copies x into col, or (back) adds col into x, along every receptive field. */
  private static void walk(
      VolGeometry g, float[] x, int xOff, float[] col, int colOff, boolean back) {
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
            int dst = colOff + row * dOut * hOut * wOut;
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

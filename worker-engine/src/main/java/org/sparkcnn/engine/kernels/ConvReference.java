/*
 * The direct 2D convolution and transposed convolution, written as their definitions: the scalar
 * references that the im2col + GEMM paths are tested against. One image at a time; groups split
 * the channels into G independent convolutions (channel o of the output reads input channels
 * [gi * C/G, (gi + 1) * C/G) with gi = o / (Cout/G)), as in PyTorch.
 *   convolution:  y[o, i, j] = b[o] + sum_{c, u, v} w[o, c, u, v] * x[gi*C/G + c, i*SH - PH + u*DH,
 *                 j*SW - PW + v*DW], zero outside the image (ph, pw pad the top and left; the
 *                 geometry's output size counts phEnd, pwEnd as well);
 *   transposed:   each input value scatters its kernel, y[gi*Cout/G + o, i*SH - PH + u*DH,
 *                 j*SW - PW + v*DW] += x[c, i, j] * w[c, o, u, v], w: [Cin, Cout/G, KH, KW],
 *                 positions outside y dropped (PyTorch's conv_transpose2d; Dumoulin and Visin,
 *                 "A guide to convolution arithmetic for deep learning", 2016, section 4).
 */
package org.sparkcnn.engine.kernels;

import java.util.Arrays;

public final class ConvReference {
  private ConvReference() {}

  /**
   * x: [C, H, W], w: [Cout, C/groups, KH, KW], b: [Cout] or null; y: [Cout, H', W'] (overwritten).
   */
  public static void forward(
      ConvGeometry g,
      int cout,
      int groups,
      float[] x,
      int xOff,
      float[] w,
      int wOff,
      float[] b,
      int bOff,
      float[] y,
      int yOff) {
    int ho = g.ho();
    int wo = g.wo();
    int cg = g.c() / groups;
    for (int o = 0; o < cout; o++) {
      int c0 = o / (cout / groups) * cg;
      for (int i = 0; i < ho; i++) {
        for (int j = 0; j < wo; j++) {
          float s = b == null ? 0f : b[bOff + o];
          for (int c = 0; c < cg; c++) {
            for (int u = 0; u < g.kh(); u++) {
              int ih = i * g.sh() - g.ph() + u * g.dh();
              for (int v = 0; v < g.kw(); v++) {
                int iw = j * g.sw() - g.pw() + v * g.dw();
                if (ih >= 0 && ih < g.h() && iw >= 0 && iw < g.w()) {
                  s +=
                      w[wOff + ((o * cg + c) * g.kh() + u) * g.kw() + v]
                          * x[xOff + ((c0 + c) * g.h() + ih) * g.w() + iw];
                }
              }
            }
          }
          y[yOff + (o * ho + i) * wo + j] = s;
        }
      }
    }
  }

  /** Adds the gradients of one image: dx (if not null), dw and db (if not null) from dy. */
  public static void backward(
      ConvGeometry g,
      int cout,
      int groups,
      float[] x,
      int xOff,
      float[] w,
      int wOff,
      float[] dy,
      int dyOff,
      float[] dx,
      int dxOff,
      float[] dw,
      int dwOff,
      float[] db,
      int dbOff) {
    int ho = g.ho();
    int wo = g.wo();
    int cg = g.c() / groups;
    for (int o = 0; o < cout; o++) {
      int c0 = o / (cout / groups) * cg;
      for (int i = 0; i < ho; i++) {
        for (int j = 0; j < wo; j++) {
          float gy = dy[dyOff + (o * ho + i) * wo + j];
          if (db != null) {
            db[dbOff + o] += gy;
          }
          for (int c = 0; c < cg; c++) {
            for (int u = 0; u < g.kh(); u++) {
              int ih = i * g.sh() - g.ph() + u * g.dh();
              for (int v = 0; v < g.kw(); v++) {
                int iw = j * g.sw() - g.pw() + v * g.dw();
                if (ih < 0 || ih >= g.h() || iw < 0 || iw >= g.w()) {
                  continue;
                }
                int wi = ((o * cg + c) * g.kh() + u) * g.kw() + v;
                int xi = ((c0 + c) * g.h() + ih) * g.w() + iw;
                dw[dwOff + wi] += gy * x[xOff + xi];
                if (dx != null) {
                  dx[dxOff + xi] += gy * w[wOff + wi];
                }
              }
            }
          }
        }
      }
    }
  }

  /**
   * The transposed convolution of x: [cin, hin, win] into y: [g.c(), g.h(), g.w()] (overwritten),
   * with g's kernel, stride, top-left padding and dilation; w: [cin, g.c()/groups, KH, KW], b:
   * [g.c()] or null.
   */
  public static void transposeForward(
      ConvGeometry g,
      int cin,
      int hin,
      int win,
      int groups,
      float[] x,
      int xOff,
      float[] w,
      int wOff,
      float[] b,
      int bOff,
      float[] y,
      int yOff) {
    int og = g.c() / groups;
    int cg = cin / groups;
    int plane = g.h() * g.w();
    for (int o = 0; o < g.c(); o++) {
      Arrays.fill(y, yOff + o * plane, yOff + (o + 1) * plane, b == null ? 0f : b[bOff + o]);
    }
    for (int c = 0; c < cin; c++) {
      int o0 = c / cg * og;
      for (int i = 0; i < hin; i++) {
        for (int j = 0; j < win; j++) {
          float xv = x[xOff + (c * hin + i) * win + j];
          for (int o = 0; o < og; o++) {
            for (int u = 0; u < g.kh(); u++) {
              int oh = i * g.sh() - g.ph() + u * g.dh();
              for (int v = 0; v < g.kw(); v++) {
                int ow = j * g.sw() - g.pw() + v * g.dw();
                if (oh >= 0 && oh < g.h() && ow >= 0 && ow < g.w()) {
                  y[yOff + ((o0 + o) * g.h() + oh) * g.w() + ow] +=
                      xv * w[wOff + ((c * og + o) * g.kh() + u) * g.kw() + v];
                }
              }
            }
          }
        }
      }
    }
  }

  /** Adds the gradients of one image of the transposed convolution: dx (if not null), dw, db. */
  public static void transposeBackward(
      ConvGeometry g,
      int cin,
      int hin,
      int win,
      int groups,
      float[] x,
      int xOff,
      float[] w,
      int wOff,
      float[] dy,
      int dyOff,
      float[] dx,
      int dxOff,
      float[] dw,
      int dwOff,
      float[] db,
      int dbOff) {
    int og = g.c() / groups;
    int cg = cin / groups;
    int plane = g.h() * g.w();
    for (int o = 0; o < g.c() && db != null; o++) {
      for (int p = 0; p < plane; p++) {
        db[dbOff + o] += dy[dyOff + o * plane + p];
      }
    }
    for (int c = 0; c < cin; c++) {
      int o0 = c / cg * og;
      for (int i = 0; i < hin; i++) {
        for (int j = 0; j < win; j++) {
          int xi = (c * hin + i) * win + j;
          for (int o = 0; o < og; o++) {
            for (int u = 0; u < g.kh(); u++) {
              int oh = i * g.sh() - g.ph() + u * g.dh();
              for (int v = 0; v < g.kw(); v++) {
                int ow = j * g.sw() - g.pw() + v * g.dw();
                if (oh < 0 || oh >= g.h() || ow < 0 || ow >= g.w()) {
                  continue;
                }
                int wi = ((c * og + o) * g.kh() + u) * g.kw() + v;
                float gy = dy[dyOff + ((o0 + o) * g.h() + oh) * g.w() + ow];
                dw[dwOff + wi] += gy * x[xOff + xi];
                if (dx != null) {
                  dx[dxOff + xi] += gy * w[wOff + wi];
                }
              }
            }
          }
        }
      }
    }
  }
}

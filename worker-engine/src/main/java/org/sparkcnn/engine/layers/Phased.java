/*
 * The implicit path of a strided 2D convolution (stride s in both directions, no dilation): the
 * batch cut into its s x s phases (PhaseGrid), over which every tap (ki, kj) = (s u + a, s v + b)
 * is a shifted run of phase (a, b), so the GEMMs read the images where they lie as on the
 * stride-1 path (Implicit), with no lowering and no col2im:
 *   forward: y = W x taps of the phases, on the wide grid [Ho, Wh], cropped;
 *   dW:      dY on the same wide grid (zeros past Wo) times the same taps, or the tap
 *            products of dY^T (TapProducts) where the output channels fill its tiles;
 *   dx:      for each phase (a, b), the stride-1 correlation of dy padded by (umax, vmax) with
 *            that phase's taps flipped: dP_ab[c, i, j] = sum W[o, c, s u + a, s v + b] *
 *            dy[o, i - u, j - v]; gather puts the phases back in image order.
 * Each runs on a chunk of samples (GridPath), in Convolution's two per-thread scratch
 * slots.
 */
package org.sparkcnn.engine.layers;

import org.sparkcnn.engine.kernels.ConvGeometry;
import org.sparkcnn.engine.kernels.Gemm;
import org.sparkcnn.engine.kernels.Operand;
import org.sparkcnn.engine.kernels.PaddedGrid;
import org.sparkcnn.engine.kernels.PhaseGrid;
import org.sparkcnn.engine.kernels.TapProducts;

record Phased(
    ConvGeometry g,
    int cout,
    int groups,
    PhaseGrid in,
    PaddedGrid dyWide,
    PaddedGrid dyPad,
    int[] inTaps,
    int[][] dyTaps,
    float[][] phaseW,
    boolean[] present,
    Gemm.Impl gemm)
    implements GridPath {

  /** The phased path for g, or null where it does not apply (stride 1, dilation, 1D-only). */
  static Phased of(ConvGeometry g, int cout, int groups, Gemm.Impl gemm) {
    int s = g.sh();
    if (s < 2 || g.sw() != s || g.dh() != 1 || g.dw() != 1 || g.ph() < 0 || g.pw() < 0) {
      return null;
    }
    int umax = (g.kh() - 1) / s;
    int vmax = (g.kw() - 1) / s;
    int hh = g.ho() + umax;
    int wh = g.wo() + vmax;
    PhaseGrid in = new PhaseGrid(g.c(), g.h(), g.w(), g.ph(), g.pw(), s, hh, wh, vmax);
    PaddedGrid dyWide = new PaddedGrid(cout, g.ho(), g.wo(), 0, 0, 0, wh - g.wo(), 0);
    PaddedGrid dyPad = new PaddedGrid(cout, g.ho(), g.wo(), umax, vmax, umax, vmax, vmax);
    int cinG = g.c() / groups;
    int coutG = cout / groups;
    // forward and dW: tap (c, ki, kj) of a group, in the weights' order
    int[] inTaps = new int[cinG * g.kh() * g.kw()];
    for (int c = 0, r = 0; c < cinG; c++) {
      for (int ki = 0; ki < g.kh(); ki++) {
        for (int kj = 0; kj < g.kw(); kj++) {
          inTaps[r++] = in.phaseStart(c, ki % s, kj % s) + ki / s * wh + kj / s;
        }
      }
    }
    // dx: per phase, the taps (o, u, v) with s u + a < kh and s v + b < kw, over padded dy; a
    // phase no tap reads (present false) is neither split nor gathered
    int[][] dyTaps = new int[s * s][];
    float[][] phaseW = new float[s * s][];
    boolean[] present = new boolean[s * s];
    for (int a = 0; a < s; a++) {
      for (int b = 0; b < s; b++) {
        int nu = a < g.kh() ? (g.kh() - 1 - a) / s + 1 : 0;
        int nv = b < g.kw() ? (g.kw() - 1 - b) / s + 1 : 0;
        int[] t = new int[coutG * nu * nv];
        for (int o = 0, r = 0; o < coutG; o++) {
          for (int u = 0; u < nu; u++) {
            for (int v = 0; v < nv; v++) {
              t[r++] = o * dyPad.plane() + (umax - u) * dyPad.wp() + (vmax - v);
            }
          }
        }
        dyTaps[a * s + b] = t;
        phaseW[a * s + b] = new float[groups * cinG * t.length];
        present[a * s + b] = t.length > 0;
      }
    }
    return new Phased(g, cout, groups, in, dyWide, dyPad, inTaps, dyTaps, phaseW, present, gemm);
  }

  @Override
  public long bytesPerSample() {
    int phases = in.s() * in.s();
    long forward = in.sampleSize() + (long) cout * g.ho() * in.wh();
    long backward =
        Math.max(in.sampleSize(), dyPad.sampleSize())
            + Math.max(dyWide.sampleSize(), (long) g.c() * phases * in.hh() * dyPad.wp())
            + tapFloatsPerSample();
    return 4 * Math.max(forward, backward);
  }

  @Override
  public void forward(float[] p, int pOff, float[] x, int s0, int n, float[] y) {
    float[] xs = Grids.grid(0, in.length(n));
    in.split(x, s0, n, present, xs);
    int wide = g.ho() * in.wh();
    boolean cropped = in.wh() != g.wo();
    float[] yw = cropped ? Grids.grid(1, n * cout * wide) : y;
    int yOff = cropped ? 0 : s0 * cout * wide;
    int cinG = g.c() / groups;
    int coutG = cout / groups;
    int kdimG = inTaps.length;
    int phases = in.s() * in.s();
    for (int gr = 0; gr < groups; gr++) {
      Gemm.multiply(
          gemm,
          coutG,
          n * wide,
          kdimG,
          Operand.dense(p, pOff + gr * coutG * kdimG, kdimG),
          Operand.shifted(xs, gr * cinG * phases * in.plane(), inTaps, wide, in.sampleSize()),
          yw,
          yOff + gr * coutG * wide,
          wide,
          wide,
          cout * wide,
          false);
    }
    if (cropped) {
      PaddedGrid.crop(yw, n, cout, g.ho(), g.wo(), in.wh(), y, s0 * cout * g.ho() * g.wo());
    }
  }

  /** phaseW_g[ab][c, (o, u, v)] = W_g[o, c, s u + a, s v + b] for each phase (a, b). */
  @Override
  public void prepareInputGrad(float[] p, int pOff) {
    int s = in.s();
    int kh = g.kh();
    int kw = g.kw();
    int cinG = g.c() / groups;
    int coutG = cout / groups;
    int kdimG = inTaps.length;
    for (int a = 0; a < s; a++) {
      for (int b = 0; b < s; b++) {
        int ab = a * s + b;
        int nu = present[ab] ? (kh - 1 - a) / s + 1 : 0;
        int nv = present[ab] ? (kw - 1 - b) / s + 1 : 0;
        float[] w = phaseW[ab];
        int kAb = dyTaps[ab].length;
        for (int gr = 0; gr < groups; gr++) {
          for (int c = 0; c < cinG; c++) {
            int to = (gr * cinG + c) * kAb;
            for (int o = 0; o < coutG; o++) {
              int from = pOff + gr * coutG * kdimG + (o * cinG + c) * kh * kw;
              for (int u = 0; u < nu; u++) {
                for (int v = 0; v < nv; v++) {
                  w[to++] = p[from + (s * u + a) * kw + s * v + b];
                }
              }
            }
          }
        }
      }
    }
  }

  @Override
  public void backward(
      float[] p,
      int pOff,
      float[] x,
      float[] dy,
      int s0,
      int n,
      float[] dw,
      int dwOff,
      float[] dx) {
    float[] xs = Grids.grid(0, in.length(n));
    in.split(x, s0, n, present, xs);
    int cinG = g.c() / groups;
    int coutG = cout / groups;
    int kdimG = inTaps.length;
    int phases = in.s() * in.s();
    if (transposedGrad()) {
      Grids.tapGrad(
          xs,
          0,
          cinG * phases * in.plane(),
          inTaps,
          new TapProducts.Walk(n, g.ho(), g.wo(), in.wh(), in.sampleSize()),
          dy,
          s0,
          cout,
          groups,
          dw,
          dwOff);
    } else {
      float[] dyw = Grids.padded(dyWide, dy, s0, n, 1);
      int wide = g.ho() * in.wh();
      for (int gr = 0; gr < groups; gr++) {
        Gemm.multiplyTransposed(
            gemm,
            coutG,
            kdimG,
            n * wide,
            Operand.batched(
                dyw, Grids.start(dyWide, s0) + gr * coutG * wide, wide, wide, dyWide.sampleSize()),
            Operand.shifted(xs, gr * cinG * phases * in.plane(), inTaps, wide, in.sampleSize()),
            dw,
            dwOff + gr * coutG * kdimG,
            kdimG,
            false);
      }
    }
    if (dx == null) {
      return;
    }
    // dx: x's phases in slot 0 and dy's wide grid in slot 1 are free again
    float[] dyp = Grids.padded(dyPad, dy, s0, n, 0);
    int dypOff = Grids.start(dyPad, s0);
    int wideX = in.hh() * dyPad.wp(); // each phase's output, rows of dy's padded width
    float[] dxw = Grids.grid(1, n * g.c() * phases * wideX);
    for (int ab = 0; ab < phases; ab++) {
      int[] taps = dyTaps[ab];
      if (taps.length == 0) {
        continue; // no tap reads this phase: gather writes its zeros
      }
      int kAb = taps.length;
      for (int gr = 0; gr < groups; gr++) {
        Gemm.multiply(
            gemm,
            cinG,
            n * wideX,
            kAb,
            Operand.dense(phaseW[ab], gr * cinG * kAb, kAb),
            Operand.shifted(
                dyp, dypOff + gr * coutG * dyPad.plane(), taps, wideX, dyPad.sampleSize()),
            dxw,
            (gr * cinG * phases + ab) * wideX,
            phases * wideX,
            wideX,
            g.c() * phases * wideX,
            false);
      }
    }
    in.gather(dxw, dyPad.wp(), present, s0, n, dx);
  }
}

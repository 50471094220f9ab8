/*
 * The implicit path of a stride-1 convolution (GridPath): the batch copied once into
 * a zero-padded grid, every kernel tap a shifted view of it, and dx the stride-1 convolution of
 * the padded dy with the flipped kernels, so there is neither im2col nor col2im.
 */
package org.sparkcnn.engine.layers;

import org.sparkcnn.engine.kernels.ConvGeometry;
import org.sparkcnn.engine.kernels.Gemm;
import org.sparkcnn.engine.kernels.Operand;
import org.sparkcnn.engine.kernels.PaddedGrid;
import org.sparkcnn.engine.kernels.TapProducts;

/**
 * The implicit path of a stride-1 convolution with geometry g: x padded on g's grid (in), dy on the
 * forward's wide grid with zero columns past Wo (dyWide, for dW), and dy padded by d(k - 1) - p
 * around (dyPad, for dx); null where the padding exceeds d(k - 1), which leaves no room for the
 * flipped convolution.
 */
record Implicit(
    ConvGeometry g,
    int cout,
    int groups,
    PaddedGrid in,
    PaddedGrid dyWide,
    PaddedGrid dyPad,
    int[] inTaps,
    int[] dyTaps,
    float[] flipped,
    Gemm.Impl gemm)
    implements GridPath {
  static Implicit of(ConvGeometry g, int cout, int groups, Gemm.Impl gemm) {
    int reachH = (g.kh() - 1) * g.dh();
    int reachW = (g.kw() - 1) * g.dw();
    if (g.sh() != 1
        || g.sw() != 1
        || g.ph() < 0
        || g.pw() < 0
        || g.phEnd() < 0
        || g.pwEnd() < 0
        || g.ph() > reachH
        || g.phEnd() > reachH
        || g.pw() > reachW
        || g.pwEnd() > reachW) {
      return null;
    }
    PaddedGrid in =
        new PaddedGrid(g.c(), g.h(), g.w(), g.ph(), g.pw(), g.phEnd(), g.pwEnd(), reachW);
    PaddedGrid dyWide = new PaddedGrid(cout, g.ho(), g.wo(), 0, 0, 0, in.wp() - g.wo(), 0);
    PaddedGrid dyPad =
        new PaddedGrid(
            cout,
            g.ho(),
            g.wo(),
            reachH - g.ph(),
            reachW - g.pw(),
            reachH - g.phEnd(),
            reachW - g.pwEnd(),
            reachW);
    int cinG = g.c() / groups;
    int coutG = cout / groups;
    return new Implicit(
        g,
        cout,
        groups,
        in,
        dyWide,
        dyPad,
        in.taps(cinG, g.kh(), g.kw(), g.dh(), g.dw()),
        dyPad.taps(coutG, g.kh(), g.kw(), g.dh(), g.dw()),
        new float[cout * cinG * g.kh() * g.kw()],
        gemm);
  }

  @Override
  public long bytesPerSample() {
    long forward = in.sampleSize() + (long) cout * g.ho() * in.wp();
    long backward =
        Math.max(dyPad.sampleSize(), dyWide.sampleSize())
            + in.sampleSize()
            + (long) g.c() * g.h() * dyPad.wp()
            + tapFloatsPerSample();
    return 4 * Math.max(forward, backward);
  }

  /** y = W x col for the chunk: on the wide grid, cropped into y unless it is y's own. */
  @Override
  public void forward(float[] p, int pOff, float[] x, int s0, int n, float[] y) {
    float[] xp = Grids.padded(in, x, s0, n, 0);
    int wide = g.ho() * in.wp();
    boolean cropped = in.wp() != g.wo();
    float[] yw = cropped ? Grids.grid(1, n * cout * wide) : y;
    int yOff = cropped ? 0 : s0 * cout * wide;
    int cinG = g.c() / groups;
    int coutG = cout / groups;
    int kdimG = inTaps.length;
    for (int gr = 0; gr < groups; gr++) {
      Gemm.multiply(
          gemm,
          coutG,
          n * wide,
          kdimG,
          Operand.dense(p, pOff + gr * coutG * kdimG, kdimG),
          Operand.shifted(
              xp, Grids.start(in, s0) + gr * cinG * in.plane(), inTaps, wide, in.sampleSize()),
          yw,
          yOff + gr * coutG * wide,
          wide,
          wide,
          cout * wide,
          false);
    }
    if (cropped) {
      PaddedGrid.crop(yw, n, cout, g.ho(), g.wo(), in.wp(), y, s0 * cout * g.ho() * g.wo());
    }
  }

  /** flipped_g[ci, (co, ki, kj)] = W_g[co, ci, kh - 1 - ki, kw - 1 - kj]. */
  @Override
  public void prepareInputGrad(float[] p, int pOff) {
    int taps = g.kh() * g.kw();
    int cinG = g.c() / groups;
    int coutG = cout / groups;
    for (int gr = 0; gr < groups; gr++) {
      int base = gr * coutG * cinG * taps;
      for (int co = 0; co < coutG; co++) {
        for (int ci = 0; ci < cinG; ci++) {
          int from = pOff + base + (co * cinG + ci) * taps;
          int to = base + (ci * coutG + co) * taps;
          for (int t = 0; t < taps; t++) {
            flipped[to + taps - 1 - t] = p[from + t];
          }
        }
      }
    }
  }

  /**
   * dW by tap products (transposedGrad) over x's grid; or else dW = dY x col^T over the wide grid,
   * where dY's extra columns are zeros. When the input gradient follows and dy's padded grid for it
   * has the input grid's width, its interior read row after row is dY on the wide grid: the padding
   * closes each row (and the bottom row the last), so dy is padded once for both products. dx is
   * the stride-1 convolution of dy padded by d(k - 1) - p with the kernels flipped in space and
   * their in and out channels swapped (per group), on the wide grid, then cropped.
   */
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
    boolean taps = transposedGrad();
    boolean shared =
        !taps && dx != null && dyPad.wp() == in.wp() && (dyPad.bottom() > 0 || dyPad.left() == 0);
    float[] dyp = shared ? Grids.padded(dyPad, dy, s0, n, 1) : null;
    float[] xp = Grids.padded(in, x, s0, n, 0);
    int cinG = g.c() / groups;
    int coutG = cout / groups;
    if (taps) {
      Grids.tapGrad(
          xp,
          Grids.start(in, s0),
          cinG * in.plane(),
          inTaps,
          new TapProducts.Walk(n, g.ho(), g.wo(), in.wp(), in.sampleSize()),
          dy,
          s0,
          cout,
          groups,
          dw,
          dwOff);
    } else {
      float[] dyw = shared ? dyp : Grids.padded(dyWide, dy, s0, n, 1);
      PaddedGrid dyGrid = shared ? dyPad : dyWide;
      // where row 0 of the chunk's dY starts
      int first = Grids.start(dyGrid, s0) + dyGrid.top() * dyGrid.wp() + dyGrid.left();
      int wide = g.ho() * in.wp();
      int kdimG = inTaps.length;
      for (int gr = 0; gr < groups; gr++) {
        Gemm.multiplyTransposed(
            gemm,
            coutG,
            kdimG,
            n * wide,
            Operand.batched(
                dyw,
                first + gr * coutG * dyGrid.plane(),
                dyGrid.plane(),
                wide,
                dyGrid.sampleSize()),
            Operand.shifted(
                xp, Grids.start(in, s0) + gr * cinG * in.plane(), inTaps, wide, in.sampleSize()),
            dw,
            dwOff + gr * coutG * kdimG,
            kdimG,
            false);
      }
    }
    if (dx == null) {
      return;
    }
    // dy padded above (in slot 1; x's grid in slot 0 is free), or here: in slot 1 after the
    // tap products (which leave it free), else in slot 0
    if (!shared) {
      dyp = Grids.padded(dyPad, dy, s0, n, taps ? 1 : 0);
    }
    int wideX = g.h() * dyPad.wp();
    boolean cropped = dyPad.wp() != g.w();
    float[] dxw = cropped ? Grids.grid(shared || taps ? 0 : 1, n * g.c() * wideX) : dx;
    int dxOff = cropped ? 0 : s0 * g.c() * wideX;
    int kdimX = coutG * g.kh() * g.kw();
    for (int gr = 0; gr < groups; gr++) {
      Gemm.multiply(
          gemm,
          cinG,
          n * wideX,
          kdimX,
          Operand.dense(flipped, gr * cinG * kdimX, kdimX),
          Operand.shifted(
              dyp,
              Grids.start(dyPad, s0) + gr * coutG * dyPad.plane(),
              dyTaps,
              wideX,
              dyPad.sampleSize()),
          dxw,
          dxOff + gr * cinG * wideX,
          wideX,
          wideX,
          g.c() * wideX,
          false);
    }
    if (cropped) {
      PaddedGrid.crop(dxw, n, g.c(), g.h(), g.w(), dyPad.wp(), dx, s0 * g.c() * g.h() * g.w());
    }
  }
}

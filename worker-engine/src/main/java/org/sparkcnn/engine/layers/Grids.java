/*
 * The grid paths' scratch (GridPath): three grids per thread, shared by all layers, the padding
 * of a chunk of samples onto a grid, and the tap products' dW.
 */
package org.sparkcnn.engine.layers;

import org.sparkcnn.engine.kernels.PaddedGrid;
import org.sparkcnn.engine.kernels.TapProducts;

final class Grids {
  /**
   * The grid paths' three grids (padded input or dy; wide output; dy transposed for the tap
   * products), shared by all layers.
   */
  private static final ThreadLocal<float[][]> GRIDS =
      ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0], new float[0]});

  private Grids() {}

  /**
   * The chunk's dW by tap products (TapProducts): dy's n samples from s0 transposed into grid slot
   * 2, then for each group g, dw[dwOff + g * kdim * coutG..] = its [kdim, coutG] block of dW^T over
   * the taps of x's grid xg (group g's channels groupStride further on).
   */
  static void tapGrad(
      float[] xg,
      int xOff,
      int groupStride,
      int[] taps,
      TapProducts.Walk walk,
      float[] dy,
      int s0,
      int cout,
      int groups,
      float[] dw,
      int dwOff) {
    int n = walk.samples();
    int plane = walk.rows() * walk.cols();
    int outSize = cout * plane;
    float[] dyt = grid(2, n * outSize);
    TapProducts.transpose(dy, s0 * outSize, n, cout, plane, outSize, dyt);
    int coutG = cout / groups;
    for (int g = 0; g < groups; g++) {
      TapProducts.weightGrad(
          taps.length,
          coutG,
          xg,
          xOff + g * groupStride,
          taps,
          walk,
          dyt,
          g * coutG,
          cout,
          dw,
          dwOff + g * taps.length * coutG);
    }
  }

  /** The scratch grid i of this thread, at least len floats. */
  static float[] grid(int i, int len) {
    float[][] grids = GRIDS.get();
    if (grids[i].length < len) {
      grids[i] = new float[len];
    }
    return grids[i];
  }

  /**
   * The n samples of x from s0 on grid: x itself when the grid adds nothing (the chunk then starts
   * at start(grid, s0)), else scratch grid slot.
   */
  static float[] padded(PaddedGrid grid, float[] x, int s0, int n, int slot) {
    if (grid.isIdentity()) {
      return x;
    }
    float[] g = grid(slot, grid.length(n));
    grid.pad(x, s0 * grid.c() * grid.h() * grid.w(), n, g);
    return g;
  }

  /** Where sample s0 starts in what padded returned: 0 on a scratch grid. */
  static int start(PaddedGrid grid, int s0) {
    return grid.isIdentity() ? s0 * grid.sampleSize() : 0;
  }
}

/*
 * The index arithmetic of a 3D convolution over one [C, D, H, W] volume: one ConvAxis each for
 * depth, height and width (kernel, stride, padding before and after, dilation), with the output
 * size of DESIGN.md contract 5 on each. As a Lowering it is vol2col, the 3D im2col of Conv3d.
 */
package org.sparkcnn.engine.kernels;

import java.io.Serializable;

public record VolGeometry(int c, ConvAxis d, ConvAxis h, ConvAxis w)
    implements Serializable, Lowering {

  /** Rows of the column matrix: C * KD * KH * KW. */
  @Override
  public int colRows() {
    return c * d.k() * h.k() * w.k();
  }

  /** Columns of the column matrix: D' * H' * W'. */
  @Override
  public int colCols() {
    return d.out() * h.out() * w.out();
  }

  @Override
  public void im2col(float[] x, int xOff, float[] col) {
    Vol2col.vol2col(this, x, xOff, col);
  }

  @Override
  public void lowerBlock(
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
    Vol2col.lowerBlock(this, x, xOff, r0, rows, q0, w, dst, dOff, dRow, dCol);
  }

  @Override
  public void col2im(float[] dcol, int dcolOff, float[] dx, int dxOff) {
    Vol2col.col2vol(this, dcol, dcolOff, dx, dxOff);
  }
}

/*
 * How a convolution reduces to matrix multiplication (Chellapilla et al., "High performance
 * convolutional neural networks for document processing", 2006): im2col lays each receptive field
 * of one sample out as a column, so that y[Cout, out] = W[Cout, rows] x col[rows, out] with
 * rows = C * prod(K) ordered by channel first (a group's rows are contiguous); col2im is its
 * adjoint and adds a column gradient back onto the input positions it was read from.
 * ConvGeometry (1D and 2D) and VolGeometry (3D) are the implementations.
 */
package org.sparkcnn.engine.kernels;

public interface Lowering {
  /** Rows of the column matrix: C * prod(K). */
  int colRows();

  /** Columns of the column matrix: the number of output positions. */
  int colCols();

  /** x: one sample at xOff; col: [colRows, colCols] at 0 (overwritten). */
  void im2col(float[] x, int xOff, float[] col);

  /**
   * A block of one sample's column matrix, written where a packed GEMM wants it: dst[dOff + (r -
   * r0) * dRow + (q - q0) * dCol] = col[r, q] for r in [r0, r0 + rows) and q in [q0, q0 + w). The
   * same values im2col writes, without the whole matrix.
   */
  void lowerBlock(
      float[] x,
      int xOff,
      int r0,
      int rows,
      int q0,
      int w,
      float[] dst,
      int dOff,
      int dRow,
      int dCol);

  /** dx: one sample at dxOff, += the column gradient dcol: [colRows, colCols] at dcolOff. */
  void col2im(float[] dcol, int dcolOff, float[] dx, int dxOff);
}

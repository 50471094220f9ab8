/*
 * The index arithmetic of a 2D convolution or pooling window over one [C, H, W] image: kernel,
 * stride, padding and dilation per axis, and the output size of DESIGN.md contract 5,
 * H' = floor((H + 2P - D(K - 1) - 1) / S) + 1. ph and pw pad the top and left; phEnd and pwEnd
 * the bottom and right, equal to them except for "same" padding (ConvAxis), and negative for a
 * transposed convolution's output_padding rows, which no input reaches. As a Lowering it is the
 * im2col of Conv1d (H = 1) and Conv2d.
 */
package org.sparkcnn.engine.kernels;

import java.io.Serializable;

public record ConvGeometry(
    int c,
    int h,
    int w,
    int kh,
    int kw,
    int sh,
    int sw,
    int ph,
    int pw,
    int dh,
    int dw,
    int phEnd,
    int pwEnd)
    implements Serializable, Lowering {

  /** Symmetric padding. */
  public ConvGeometry(
      int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {
    this(c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, ph, pw);
  }

  public static ConvGeometry square(int c, int h, int w, int k, int s, int p) {
    return new ConvGeometry(c, h, w, k, k, s, s, p, p, 1, 1);
  }

  /** The geometry of c channels with the given vertical and horizontal axes. */
  public static ConvGeometry of(int c, ConvAxis h, ConvAxis w) {
    return new ConvGeometry(
        c, h.in(), w.in(), h.k(), w.k(), h.s(), w.s(), h.lo(), w.lo(), h.d(), w.d(), h.hi(),
        w.hi());
  }

  public static int outSize(int in, int k, int s, int p, int d) {
    return Math.floorDiv(in + 2 * p - d * (k - 1) - 1, s) + 1;
  }

  /** Output height: ConvAxis.out() of the vertical axis (written out: hot loops call it). */
  public int ho() {
    return Math.floorDiv(h + ph + phEnd - dh * (kh - 1) - 1, sh) + 1;
  }

  public int wo() {
    return Math.floorDiv(w + pw + pwEnd - dw * (kw - 1) - 1, sw) + 1;
  }

  /** Rows of the im2col matrix: C * KH * KW. */
  @Override
  public int colRows() {
    return c * kh * kw;
  }

  /** Columns of the im2col matrix: H' * W'. */
  @Override
  public int colCols() {
    return ho() * wo();
  }

  @Override
  public void im2col(float[] x, int xOff, float[] col) {
    Im2col.im2col(this, x, xOff, col);
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
    Im2col.lowerBlock(this, x, xOff, r0, rows, q0, w, dst, dOff, dRow, dCol);
  }

  @Override
  public void col2im(float[] dcol, int dcolOff, float[] dx, int dxOff) {
    Im2col.col2im(this, dcol, dcolOff, dx, dxOff);
  }
}

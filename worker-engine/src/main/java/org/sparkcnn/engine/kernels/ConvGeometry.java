/*
 * The index arithmetic of a 2D convolution or pooling window over one [C, H, W] image: kernel,
 * stride, padding and dilation per axis, and the output size of DESIGN.md contract 5,
 * H' = floor((H + 2P - D(K - 1) - 1) / S) + 1.
 */
package org.sparkcnn.engine.kernels;

import java.io.Serializable;

public record ConvGeometry(
    int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw)
    implements Serializable {

  public static ConvGeometry square(int c, int h, int w, int k, int s, int p) {
    return new ConvGeometry(c, h, w, k, k, s, s, p, p, 1, 1);
  }

  public static int outSize(int in, int k, int s, int p, int d) {
    return Math.floorDiv(in + 2 * p - d * (k - 1) - 1, s) + 1;
  }

  public int ho() {
    return outSize(h, kh, sh, ph, dh);
  }

  public int wo() {
    return outSize(w, kw, sw, pw, dw);
  }

  /** Rows of the im2col matrix: C * KH * KW. */
  public int colRows() {
    return c * kh * kw;
  }

  /** Columns of the im2col matrix: H' * W'. */
  public int colCols() {
    return ho() * wo();
  }
}

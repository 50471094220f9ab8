/*
 * One spatial axis of a convolution window: input size, kernel size, stride, zero padding before
 * and after, and dilation. out() is DESIGN.md contract 5 with the two paddings summed,
 * out = floor((in + lo + hi - d(k - 1) - 1) / s) + 1; lo == hi except for PyTorch's "same" padding
 * with an even dilated kernel, where the extra zero goes after (right, bottom). Convolution specs
 * build one per axis and the geometries (ConvGeometry, VolGeometry) are made of them.
 */
package org.sparkcnn.engine.kernels;

import java.io.Serializable;

public record ConvAxis(int in, int k, int s, int lo, int hi, int d) implements Serializable {
  /** The axis a lower-rank convolution adds: size 1, kernel 1, no padding. */
  public static final ConvAxis UNIT = new ConvAxis(1, 1, 1, 0, 0, 1);

  public int out() {
    return Math.floorDiv(in + lo + hi - d * (k - 1) - 1, s) + 1;
  }
}

/*
 * The windows of 2D pooling over one [C, H, W] image, per axis as PyTorch takes them: a KH x KW
 * window, strides SH, SW, paddings PH, PW and (max pooling) dilations DH, DW. The output size is
 * PyTorch's (aten/src/ATen/native/Pool.h, pooling_output_shape):
 * H' = floor((H + 2P - D(K - 1) - 1) / S) + 1, or with ceil_mode ceil(...) + 1, less one if the
 * last window would then start at or past H + P, since every window must start inside the input
 * or its left padding. Window i covers input rows i S - P + u D for u in [0, K), which callers
 * clip to the input.
 */
package org.sparkcnn.engine.layers;

import org.sparkcnn.engine.Shape;

record PoolGeometry(
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
    boolean ceilMode) {
  static PoolGeometry of(
      Shape s, PerAxis k, PerAxis stride, PerAxis pad, PerAxis dil, boolean ceilMode) {
    return new PoolGeometry(
        s.c(),
        s.h(),
        s.w(),
        k.get(0),
        k.get(1),
        stride.get(0),
        stride.get(1),
        pad.get(0),
        pad.get(1),
        dil.get(0),
        dil.get(1),
        ceilMode);
  }

  /** [C, H', W'] for a pooling layer, or a ShapeMismatch naming it if the window does not fit. */
  static Shape outputShape(
      LayerSpec layer, Shape in, PerAxis k, PerAxis s, PerAxis p, PerAxis d, boolean ceilMode) {
    if (in.rank() != 3) {
      throw new ShapeMismatch(layer, in, "expected [C, H, W]");
    }
    PoolGeometry g = of(in, k, s, p, d, ceilMode);
    if (g.ho() < 1 || g.wo() < 1) {
      throw new ShapeMismatch(
          layer, in, "a " + k.get(0) + "x" + k.get(1) + " window does not" + " fit");
    }
    return Shape.of(in.c(), g.ho(), g.wo());
  }

  /** Checks kernel, stride, padding and dilation of a pooling layer (PyTorch's rules). */
  static void check(String type, String name, PerAxis k, PerAxis s, PerAxis p, PerAxis d) {
    String at = type + " '" + name + "': ";
    if (k == null || !k.fits(2) || !s.fits(2) || !p.fits(2) || !d.fits(2)) {
      throw new IllegalArgumentException(
          at
              + "kernel, stride, padding and dilation must be one"
              + " int or [h, w] (kernel="
              + k
              + ", stride="
              + s
              + ", padding="
              + p
              + ")");
    }
    boolean ok = k.min() > 0 && s.min() > 0 && p.min() >= 0 && d.min() > 0;
    for (int i = 0; ok && i < 2; i++) {
      ok = 2 * p.get(i) <= d.get(i) * (k.get(i) - 1) + 1;
    }
    if (!ok) {
      throw new IllegalArgumentException(
          at
              + "kernel, stride and dilation must be positive and"
              + " padding at most half the kernel (kernel="
              + k
              + ", stride="
              + s
              + ", padding="
              + p
              + ", dilation="
              + d
              + ")");
    }
  }

  static int outSize(int in, int k, int s, int p, int d, boolean ceilMode) {
    int o = Math.floorDiv(in + 2 * p - d * (k - 1) - 1 + (ceilMode ? s - 1 : 0), s) + 1;
    if (ceilMode && (o - 1) * s >= in + p) {
      o--;
    }
    return o;
  }

  int ho() {
    return outSize(h, kh, sh, ph, dh, ceilMode);
  }

  int wo() {
    return outSize(w, kw, sw, pw, dw, ceilMode);
  }
}

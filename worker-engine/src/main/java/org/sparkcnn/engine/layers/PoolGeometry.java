/*
 * The windows of 2D pooling over one [C, H, W] image with a square K x K window, stride S and
 * padding P. The output size is PyTorch's (aten/src/ATen/native/Pool.h, pooling_output_shape):
 * H' = floor((H + 2P - K) / S) + 1, or with ceil_mode ceil(...) + 1, less one if the last window
 * would then start at or past H + P, since every window must start inside the input or its left
 * padding. A window covers input rows [i S - P, i S - P + K), which callers clip to the input.
 */
package org.sparkcnn.engine.layers;

import org.sparkcnn.engine.Shape;

record PoolGeometry(int c, int h, int w, int k, int s, int p, boolean ceilMode) {
  /** [C, H', W'] for a pooling layer, or a ShapeMismatch naming it if the window does not fit. */
  static Shape outputShape(LayerSpec layer, Shape in, int k, int s, int p, boolean ceilMode) {
    if (in.rank() != 3) {
      throw new ShapeMismatch(layer, in, "expected [C, H, W]");
    }
    int ho = outSize(in.h(), k, s, p, ceilMode);
    int wo = outSize(in.w(), k, s, p, ceilMode);
    if (ho < 1 || wo < 1) {
      throw new ShapeMismatch(layer, in, "a " + k + "x" + k + " window does not fit");
    }
    return Shape.of(in.c(), ho, wo);
  }

  static int outSize(int in, int k, int s, int p, boolean ceilMode) {
    int o = Math.floorDiv(in + 2 * p - k + (ceilMode ? s - 1 : 0), s) + 1;
    if (ceilMode && (o - 1) * s >= in + p) {
      o--;
    }
    return o;
  }

  int ho() {
    return outSize(h, k, s, p, ceilMode);
  }

  int wo() {
    return outSize(w, k, s, p, ceilMode);
  }
}

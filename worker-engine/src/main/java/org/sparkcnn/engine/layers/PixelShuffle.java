/*
 * Sub-pixel rearrangement (Shi et al., "Real-Time Single Image and Video Super-Resolution Using an
 * Efficient Sub-Pixel Convolutional Neural Network", CVPR 2016), as PyTorch's PixelShuffle with
 * upscale factor r: [C r^2, H, W] to [C, H r, W r] with
 *   y[c, h r + i, w r + j] = x[c r^2 + i r + j, h, w].
 * It only moves values, so backward applies the inverse permutation to dy.
 */
package org.sparkcnn.engine.layers;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.sparkcnn.engine.EngineOptions;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

public final class PixelShuffle extends Layer {
  public record Spec(String name, @JsonProperty("upscale_factor") int upscaleFactor)
      implements LayerSpec {
    public Spec {
      if (upscaleFactor <= 0) {
        throw new IllegalArgumentException(
            "pixel_shuffle '" + name + "': upscale_factor must be positive, got " + upscaleFactor);
      }
    }

    @Override
    public Shape outputShape(Shape in) {
      long r2 = (long) upscaleFactor * upscaleFactor;
      if (in.rank() != 3 || in.c() % r2 != 0) {
        throw new ShapeMismatch(this, in, "expected [C, H, W] with C divisible by " + r2);
      }
      long h = (long) in.h() * upscaleFactor;
      long w = (long) in.w() * upscaleFactor;
      if (h > Integer.MAX_VALUE || w > Integer.MAX_VALUE) {
        throw new ShapeMismatch(this, in, "an output of " + h + "x" + w + " is too large");
      }
      return Shape.of((int) (in.c() / r2), (int) h, (int) w);
    }

    @Override
    public Layer bind(Shape in, Vectors v, int pOff, int bOff, EngineOptions o) {
      return new PixelShuffle(in, outputShape(in), v, upscaleFactor);
    }
  }

  private final int[] source; // [C, H r, W r]: the input index (within a sample) of each output
  private float[] y; // [n, C, H r, W r]
  private float[] dx; // [n, C r^2, H, W]

  private PixelShuffle(Shape in, Shape out, Vectors v, int r) {
    super(in, out, v, 0, 0);
    this.source = new int[out.size()];
    int h = in.h();
    int w = in.w();
    int o = 0;
    for (int c = 0; c < out.c(); c++) {
      for (int oh = 0; oh < h * r; oh++) {
        for (int ow = 0; ow < w * r; ow++, o++) {
          int ch = c * r * r + (oh % r) * r + ow % r;
          source[o] = (ch * h + oh / r) * w + ow / r;
        }
      }
    }
  }

  @Override
  public float[] forward(float[] x, int n, boolean training) {
    int size = out.size();
    y = ensure(y, n * size);
    for (int i = 0; i < n; i++) {
      int off = i * size;
      for (int o = 0; o < size; o++) {
        y[off + o] = x[off + source[o]];
      }
    }
    return y;
  }

  @Override
  public float[] backward(float[] dy, int n) {
    int size = out.size();
    dx = inputGrad(dx, n, dy);
    for (int i = 0; i < n; i++) {
      int off = i * size;
      for (int o = 0; o < size; o++) {
        dx[off + source[o]] = dy[off + o];
      }
    }
    return dx;
  }
}

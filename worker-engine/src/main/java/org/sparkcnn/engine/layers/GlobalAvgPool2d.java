/*
 * Global average pooling, [C, H, W] to [C]: each channel's mean over its H x W plane, as PyTorch's
 * AdaptiveAvgPool2d(1) followed by flatten (the head of ResNet and GoogLeNet).
 *   forward:  y[c] = sum over (h, w) of x[c, h, w] / (H W)
 *   backward: dx[c, h, w] = dy[c] / (H W)
 */
package org.sparkcnn.engine.layers;

import org.sparkcnn.engine.EngineOptions;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

public final class GlobalAvgPool2d extends Layer {
  public record Spec(String name) implements LayerSpec {
    @Override
    public Shape outputShape(Shape s) {
      if (s.rank() != 3) {
        throw new ShapeMismatch(this, s, "expected [C, H, W]");
      }
      return Shape.of(s.c());
    }

    @Override
    public Layer bind(Shape s, Vectors v, int pOff, int bOff, EngineOptions o) {
      return new GlobalAvgPool2d(s, outputShape(s), v);
    }
  }

  private final int hw; // H * W
  private float[] y; // [n, C]
  private float[] dx; // [n, C, H, W]

  private GlobalAvgPool2d(Shape in, Shape out, Vectors v) {
    super(in, out, v, 0, 0);
    this.hw = in.h() * in.w();
  }

  @Override
  public float[] forward(float[] x, int n, boolean training) {
    int planes = n * in.c();
    y = ensure(y, planes);
    for (int p = 0; p < planes; p++) {
      float sum = 0f;
      for (int j = p * hw; j < (p + 1) * hw; j++) {
        sum += x[j];
      }
      y[p] = sum / hw;
    }
    return y;
  }

  @Override
  public float[] backward(float[] dy, int n) {
    int planes = n * in.c();
    dx = inputGrad(dx, n, dy);
    for (int p = 0; p < planes; p++) {
      float d = dy[p] / hw;
      for (int j = p * hw; j < (p + 1) * hw; j++) {
        dx[j] = d;
      }
    }
    return dx;
  }
}

/*
 * Leaky rectified linear unit (Maas, Hannun and Ng 2013), as PyTorch's LeakyReLU:
 * y = x for x > 0, else negative_slope * x (default 0.01); dx = dy or negative_slope * dy.
 */
package org.sparkcnn.engine.layers;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.sparkcnn.engine.EngineOptions;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

public final class LeakyReLU extends Layer {
  /** negative_slope defaults to 0.01, as in PyTorch. */
  public record Spec(String name, @JsonProperty("negative_slope") Double negativeSlope)
      implements LayerSpec {
    public Spec {
      negativeSlope = negativeSlope == null ? 0.01 : negativeSlope;
      if (!Double.isFinite(negativeSlope)) {
        throw new IllegalArgumentException(
            "leaky_relu '"
                + name
                + "': negative_slope must be a finite number, got "
                + negativeSlope);
      }
    }

    public Spec(String name) {
      this(name, null);
    }

    @Override
    public Shape outputShape(Shape in) {
      return in;
    }

    @Override
    public Layer bind(Shape in, Vectors v, int pOff, int bOff, EngineOptions o) {
      return new LeakyReLU(in, v, negativeSlope.floatValue());
    }
  }

  private final float slope;
  private float[] x; // input of the last forward: [n, ...]
  private float[] y; // [n, ...]
  private float[] dx; // [n, ...]

  private LeakyReLU(Shape in, Vectors v, float slope) {
    super(in, in, v, 0, 0);
    this.slope = slope;
  }

  @Override
  public float[] forward(float[] x, int n, boolean training) {
    this.x = x;
    int len = n * in.size();
    y = ensure(y, len);
    for (int i = 0; i < len; i++) {
      y[i] = x[i] > 0f ? x[i] : slope * x[i];
    }
    return y;
  }

  @Override
  public float[] backward(float[] dy, int n) {
    int len = n * in.size();
    dx = inputGrad(dx, n, dy);
    for (int i = 0; i < len; i++) {
      dx[i] = x[i] > 0f ? dy[i] : slope * dy[i];
    }
    return dx;
  }
}

/* Rectified linear unit, y = max(0, x); the gradient passes where the output is positive. */
package org.sparkcnn.engine.layers;

import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

public final class ReLU extends Layer {
  public record Spec(String name) implements LayerSpec {
    @Override
    public Shape outputShape(Shape in) {
      return in;
    }

    @Override
    public Layer bind(Shape in, Vectors v, int pOff, int bOff) {
      return new ReLU(in, v);
    }
  }

  private float[] y; // [n, ...]
  private float[] dx; // [n, ...]

  private ReLU(Shape in, Vectors v) {
    super(in, in, v, 0, 0);
  }

  @Override
  public float[] forward(float[] x, int n, boolean training) {
    int len = n * in.size();
    y = ensure(y, len);
    for (int i = 0; i < len; i++) {
      y[i] = Math.max(x[i], 0f);
    }
    return y;
  }

  @Override
  public float[] backward(float[] dy, int n) {
    int len = n * in.size();
    dx = ensure(dx, len);
    for (int i = 0; i < len; i++) {
      dx[i] = y[i] > 0f ? dy[i] : 0f;
    }
    return dx;
  }
}

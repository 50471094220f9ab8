/*
 * The hyperbolic tangent, y = tanh(x); its derivative is 1 - y^2, so backward needs only the
 * output: dx = dy * (1 - y^2).
 */
package org.sparkcnn.engine.layers;

import org.sparkcnn.engine.EngineOptions;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

public final class Tanh extends Layer {
  public record Spec(String name) implements LayerSpec {
    @Override
    public Shape outputShape(Shape in) {
      return in;
    }

    @Override
    public Layer bind(Shape in, Vectors v, int pOff, int bOff, EngineOptions o) {
      return new Tanh(in, v);
    }
  }

  private float[] y; // [n, ...]
  private float[] dx; // [n, ...]

  private Tanh(Shape in, Vectors v) {
    super(in, in, v, 0, 0);
  }

  @Override
  public float[] forward(float[] x, int n, boolean training) {
    int len = n * in.size();
    y = ensure(y, len);
    for (int i = 0; i < len; i++) {
      y[i] = (float) Math.tanh(x[i]);
    }
    return y;
  }

  @Override
  public float[] backward(float[] dy, int n) {
    int len = n * in.size();
    dx = inputGrad(dx, n, dy);
    for (int i = 0; i < len; i++) {
      dx[i] = dy[i] * (1f - y[i] * y[i]);
    }
    return dx;
  }
}

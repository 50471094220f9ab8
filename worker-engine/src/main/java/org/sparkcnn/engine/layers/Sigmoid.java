/*
 * The logistic sigmoid, y = 1 / (1 + exp(-x)); its derivative is y (1 - y), so backward needs only
 * the output: dx = dy * y * (1 - y).
 */
package org.sparkcnn.engine.layers;

import org.sparkcnn.engine.EngineOptions;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

public final class Sigmoid extends Layer {
  public record Spec(String name) implements LayerSpec {
    @Override
    public Shape outputShape(Shape in) {
      return in;
    }

    @Override
    public Layer bind(Shape in, Vectors v, int pOff, int bOff, EngineOptions o) {
      return new Sigmoid(in, v);
    }
  }

  private float[] y; // [n, ...]
  private float[] dx; // [n, ...]

  private Sigmoid(Shape in, Vectors v) {
    super(in, in, v, 0, 0);
  }

  @Override
  public float[] forward(float[] x, int n, boolean training) {
    int len = n * in.size();
    y = ensure(y, len);
    for (int i = 0; i < len; i++) {
      y[i] = (float) (1.0 / (1.0 + Math.exp(-x[i])));
    }
    return y;
  }

  @Override
  public float[] backward(float[] dy, int n) {
    int len = n * in.size();
    dx = inputGrad(dx, n, dy);
    for (int i = 0; i < len; i++) {
      dx[i] = dy[i] * y[i] * (1f - y[i]);
    }
    return dx;
  }
}

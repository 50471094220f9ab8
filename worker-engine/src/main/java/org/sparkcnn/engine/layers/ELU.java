/*
 * Exponential linear unit (Clevert, Unterthiner and Hochreiter, "Fast and Accurate Deep Network
 * Learning by Exponential Linear Units", ICLR 2016), as PyTorch's ELU:
 *   forward:  y = x for x > 0, else alpha (exp(x) - 1) (alpha defaults to 1)
 *   backward: dx = dy for x > 0, else dy alpha exp(x), as PyTorch's elu_backward takes it from x
 */
package org.sparkcnn.engine.layers;

import org.sparkcnn.engine.EngineOptions;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

public final class ELU extends Layer {
  /** alpha defaults to 1.0, as in PyTorch. */
  public record Spec(String name, Double alpha) implements LayerSpec {
    public Spec {
      alpha = alpha == null ? 1.0 : alpha;
      if (!Double.isFinite(alpha)) {
        throw new IllegalArgumentException(
            "elu '" + name + "': alpha must be a finite number," + " got " + alpha);
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
      return new ELU(in, v, alpha);
    }
  }

  private final double alpha;
  private float[] x; // input of the last forward: [n, ...]
  private float[] y; // [n, ...]
  private float[] dx; // [n, ...]

  private ELU(Shape in, Vectors v, double alpha) {
    super(in, in, v, 0, 0);
    this.alpha = alpha;
  }

  @Override
  public float[] forward(float[] x, int n, boolean training) {
    this.x = x;
    int len = n * in.size();
    y = ensure(y, len);
    for (int i = 0; i < len; i++) {
      y[i] = x[i] > 0f ? x[i] : (float) (alpha * Math.expm1(x[i]));
    }
    return y;
  }

  @Override
  public float[] backward(float[] dy, int n) {
    int len = n * in.size();
    dx = inputGrad(dx, n, dy);
    for (int i = 0; i < len; i++) {
      dx[i] = x[i] > 0f ? dy[i] : (float) (dy[i] * alpha * Math.exp(x[i]));
    }
    return dx;
  }
}

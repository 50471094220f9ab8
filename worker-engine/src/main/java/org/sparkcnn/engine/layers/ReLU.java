/* Rectified linear unit, y = max(0, x); the gradient passes where the output is positive. */
package org.sparkcnn.engine.layers;

import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;
import org.sparkcnn.engine.kernels.Parallel;

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
    float[] out = y;
    Parallel.forEach(n, s -> {
      for (int i = s * in.size(), end = i + in.size(); i < end; i++) {
        out[i] = Math.max(x[i], 0f);
      }
    });
    return y;
  }

  @Override
  public float[] backward(float[] dy, int n) {
    int len = n * in.size();
    dx = ensure(dx, len);
    float[] out = y;
    float[] d = dx;
    Parallel.forEach(n, s -> {
      for (int i = s * in.size(), end = i + in.size(); i < end; i++) {
        // y >= 0, so y > 0 exactly when its bits are a positive int: -bits >> 31 is then all ones
        int keep = -Float.floatToRawIntBits(out[i]) >> 31;
        d[i] = Float.intBitsToFloat(Float.floatToRawIntBits(dy[i]) & keep);
      }
    });
    return dx;
  }
}

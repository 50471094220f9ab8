/*
 * Rectified linear unit, y = max(0, x); the gradient passes where the output is positive. A ReLU
 * right after a layer that takes it over (Layer.fuseReLU: batch norm, a residual block) is bound
 * as a pass-through: that layer has applied it already.
 */
package org.sparkcnn.engine.layers;

import org.sparkcnn.engine.EngineOptions;
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
    public Layer bind(Shape in, Vectors v, int pOff, int bOff, EngineOptions o) {
      return new ReLU(in, v);
    }
  }

  private final boolean passThrough; // the layer before applied it
  private float[] y; // [n, ...]
  private float[] dx; // [n, ...]

  private ReLU(Shape in, Vectors v, boolean passThrough) {
    super(in, in, v, 0, 0);
    this.passThrough = passThrough;
  }

  private ReLU(Shape in, Vectors v) {
    this(in, v, false);
  }

  /** The ReLU after a layer that took it over: forward and backward hand their input on. */
  static ReLU passThrough(Shape in, Vectors v) {
    return new ReLU(in, v, true);
  }

  @Override
  protected long keptFloats(int n) {
    return passThrough ? 0 : super.keptFloats(n);
  }

  @Override
  protected long inputGradFloats(int n) {
    return passThrough ? 0 : super.inputGradFloats(n);
  }

  @Override
  public float[] forward(float[] x, int n, boolean training) {
    if (passThrough) {
      return x;
    }
    int len = n * in.size();
    y = ensure(y, len);
    float[] out = y;
    Parallel.forEach(
        n,
        s -> {
          for (int i = s * in.size(), end = i + in.size(); i < end; i++) {
            out[i] = Math.max(x[i], 0f);
          }
        });
    return y;
  }

  @Override
  public float[] backward(float[] dy, int n) {
    if (passThrough) {
      return dy;
    }
    dx = inputGrad(dx, n, dy);
    return gate(y, dy, n, in.size(), dx);
  }

  /**
   * dx = dy where the ReLU's output y > 0, else 0, for n samples of size floats, on the compute
   * threads; returns dx.
   */
  static float[] gate(float[] y, float[] dy, int n, int size, float[] dx) {
    Parallel.forEach(
        n,
        s -> {
          for (int i = s * size, end = i + size; i < end; i++) {
            // y >= 0, so y > 0 exactly when its bits are a positive int: -bits >> 31 is then all
            // ones
            int keep = -Float.floatToRawIntBits(y[i]) >> 31;
            dx[i] = Float.intBitsToFloat(Float.floatToRawIntBits(dy[i]) & keep);
          }
        });
    return dx;
  }
}

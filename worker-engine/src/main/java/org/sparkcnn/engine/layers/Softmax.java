/*
 * Softmax over the flat feature dimension of each sample ([F] to [F], as PyTorch's Softmax(dim=1)
 * on [N, F]): y_j = exp(x_j - max x) / sum_k exp(x_k - max x), shifted by the maximum so that large
 * inputs do not overflow. Its Jacobian is dy_j/dx_i = y_j (delta_ij - y_i), so
 *   backward: dx_i = y_i (dy_i - sum_j dy_j y_j).
 * For training a classifier, SoftmaxCrossEntropy on the logits is both cheaper and more accurate.
 */
package org.sparkcnn.engine.layers;

import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

public final class Softmax extends Layer {
  public record Spec(String name) implements LayerSpec {
    @Override
    public Shape outputShape(Shape in) {
      if (in.rank() != 1) {
        throw new ShapeMismatch(this, in, "expected a flat [F] input (add a flatten layer)");
      }
      return in;
    }

    @Override
    public Layer bind(Shape in, Vectors v, int pOff, int bOff) {
      return new Softmax(outputShape(in), v);
    }
  }

  private final int f;
  private float[] y; // [n, F]
  private float[] dx; // [n, F]

  private Softmax(Shape in, Vectors v) {
    super(in, in, v, 0, 0);
    this.f = in.size();
  }

  @Override
  public float[] forward(float[] x, int n, boolean training) {
    y = ensure(y, n * f);
    for (int i = 0; i < n; i++) {
      int off = i * f;
      double max = Double.NEGATIVE_INFINITY; // double: x - max in float would round
      for (int j = 0; j < f; j++) {
        max = Math.max(max, x[off + j]);
      }
      double sum = 0;
      for (int j = 0; j < f; j++) {
        sum += Math.exp(x[off + j] - max);
      }
      for (int j = 0; j < f; j++) {
        y[off + j] = (float) (Math.exp(x[off + j] - max) / sum);
      }
    }
    return y;
  }

  @Override
  public float[] backward(float[] dy, int n) {
    dx = ensure(dx, n * f);
    for (int i = 0; i < n; i++) {
      int off = i * f;
      double dot = 0;
      for (int j = 0; j < f; j++) {
        dot += (double) dy[off + j] * y[off + j];
      }
      for (int j = 0; j < f; j++) {
        dx[off + j] = (float) (y[off + j] * (dy[off + j] - dot));
      }
    }
    return dx;
  }
}

/*
 * Softmax along one axis, as PyTorch's Softmax(dim): dim counts the batch as axis 0 and negative
 * values count from the end, so dim 1 (the default) is the features of [F] or the channels of
 * [C, H, W] (a softmax per pixel), dim -1 the last axis. Along that axis of length L, at each
 * position of the other axes, y_j = exp(x_j - max x) / sum_k exp(x_k - max x), shifted by the
 * maximum so that large inputs do not overflow. Its Jacobian is dy_j/dx_i = y_j (delta_ij - y_i),
 * so
 *   backward: dx_i = y_i (dy_i - sum_j dy_j y_j).
 * For training a classifier, SoftmaxCrossEntropy on the logits is both cheaper and more accurate.
 */
package org.sparkcnn.engine.layers;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.sparkcnn.engine.EngineOptions;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;
import org.sparkcnn.engine.kernels.Parallel;

public final class Softmax extends Layer {
  /** dim defaults to 1 (PyTorch's implicit choice for [N, F] and [N, C, H, W]); 0 is refused. */
  public record Spec(
      String name,
      @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = OneFilter.class) Integer dim)
      implements LayerSpec {
    public Spec {
      dim = dim == null ? 1 : dim;
      if (dim == 0) {
        throw new IllegalArgumentException(
            "softmax '"
                + name
                + "': dim 0 is the batch, which a"
                + " layer does not mix; use dim 1 or more (or negative, from the last axis)");
      }
    }

    public Spec(String name) {
      this(name, null);
    }

    /** For JsonInclude: 1, the default dim, which is not written. */
    static final class OneFilter {
      @Override
      public boolean equals(Object o) {
        return Integer.valueOf(1).equals(o);
      }

      @Override
      public int hashCode() {
        return 1;
      }
    }

    /** dim as an axis of the batched input [N, ...in], in [1, in.rank()]; checks it fits. */
    public int axis(Shape in) {
      int a = dim < 0 ? dim + in.rank() + 1 : dim;
      if (a < 1 || a > in.rank()) {
        throw new ShapeMismatch(
            this,
            in,
            "dim "
                + dim
                + " names no axis after the batch (1 to "
                + in.rank()
                + ", or -"
                + in.rank()
                + " to -1)");
      }
      return a;
    }

    @Override
    public Shape outputShape(Shape in) {
      axis(in);
      return in;
    }

    @Override
    public Layer bind(Shape in, Vectors v, int pOff, int bOff, EngineOptions o) {
      return new Softmax(in, axis(in) - 1, v);
    }
  }

  private final int outer; // sample axes before the softmax axis, multiplied
  private final int len; // the softmax axis
  private final int inner; // sample axes after it, multiplied: the stride along it
  private float[] y; // [n, outer, len, inner]
  private float[] dx; // [n, outer, len, inner]

  /** axis: the softmax axis among the sample's axes, 0-based. */
  private Softmax(Shape in, int axis, Vectors v) {
    super(in, in, v, 0, 0);
    int o = 1;
    int i = 1;
    for (int d = 0; d < in.rank(); d++) {
      if (d < axis) {
        o *= in.dim(d);
      } else if (d > axis) {
        i *= in.dim(d);
      }
    }
    this.outer = o;
    this.len = in.dim(axis);
    this.inner = i;
  }

  // x: [n, outer, len, inner]
  @Override
  public float[] forward(float[] x, int n, boolean training) {
    y = ensure(y, n * in.size());
    float[] out = y;
    Parallel.forEach(
        n,
        s -> {
          for (int o = 0; o < outer; o++) {
            for (int k = 0; k < inner; k++) {
              int off = (s * outer + o) * len * inner + k;
              double max = Double.NEGATIVE_INFINITY; // double: x - max in float would round
              for (int j = 0; j < len; j++) {
                max = Math.max(max, x[off + j * inner]);
              }
              double sum = 0;
              for (int j = 0; j < len; j++) {
                sum += Math.exp(x[off + j * inner] - max);
              }
              for (int j = 0; j < len; j++) {
                out[off + j * inner] = (float) (Math.exp(x[off + j * inner] - max) / sum);
              }
            }
          }
        });
    return y;
  }

  // dy: [n, outer, len, inner]
  @Override
  public float[] backward(float[] dy, int n) {
    dx = inputGrad(dx, n, dy);
    float[] g = dx;
    float[] out = y;
    Parallel.forEach(
        n,
        s -> {
          for (int o = 0; o < outer; o++) {
            for (int k = 0; k < inner; k++) {
              int off = (s * outer + o) * len * inner + k;
              double dot = 0;
              for (int j = 0; j < len; j++) {
                dot += (double) dy[off + j * inner] * out[off + j * inner];
              }
              for (int j = 0; j < len; j++) {
                int i = off + j * inner;
                g[i] = (float) (out[i] * (dy[i] - dot));
              }
            }
          }
        });
    return dx;
  }
}

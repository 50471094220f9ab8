/*
 * Local response normalisation across channels (Krizhevsky, Sutskever and Hinton, "ImageNet
 * Classification with Deep Convolutional Neural Networks", NIPS 2012, section 3.3), with PyTorch's
 * definition (torch.nn.functional.local_response_norm): for channel c at each position,
 *   s_c = k + alpha / size * (sum of x_j^2 for j = c - floor(size / 2) .. c + floor((size-1) / 2))
 *   y_c = x_c * s_c^(-beta)
 * channels outside [0, C) count as zero but alpha is always divided by size. AlexNet uses size 5,
 * alpha 1e-4, beta 0.75, k 2. Since ds_c/dx_j = 2 alpha x_j / size for every j in c's window,
 *   dx_j = dy_j s_j^(-beta) - 2 alpha beta / size * x_j * sum over c whose window holds j of
 *          dy_c x_c s_c^(-beta - 1).
 */
package org.sparkcnn.engine.layers;

import org.sparkcnn.engine.EngineOptions;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

public final class LocalResponseNorm extends Layer {
  /** alpha 1e-4, beta 0.75 and k 1 by default, as in PyTorch. */
  public record Spec(String name, int size, Double alpha, Double beta, Double k)
      implements LayerSpec {
    public Spec {
      alpha = alpha == null ? 1e-4 : alpha;
      beta = beta == null ? 0.75 : beta;
      k = k == null ? 1.0 : k;
      if (size <= 0 || !(k > 0) || !(alpha >= 0) || !Double.isFinite(beta)) {
        throw new IllegalArgumentException(
            "local_response_norm '"
                + name
                + "': size and k must"
                + " be positive and alpha non-negative (size="
                + size
                + ", alpha="
                + alpha
                + ", beta="
                + beta
                + ", k="
                + k
                + ")");
      }
    }

    @Override
    public Shape outputShape(Shape in) {
      if (in.rank() != 3) {
        throw new ShapeMismatch(this, in, "expected [C, H, W]");
      }
      return in;
    }

    @Override
    public Layer bind(Shape in, Vectors v, int pOff, int bOff, EngineOptions o) {
      return new LocalResponseNorm(this, outputShape(in), v);
    }
  }

  private final int c;
  private final int hw;
  private final int before; // floor(size / 2) channels before c in its window
  private final int after; // floor((size - 1) / 2) channels after
  private final double alphaOverSize;
  private final double beta;
  private final double k;
  private float[] x; // input of the last forward: [n, C, H, W]
  private float[] scale; // [n, C, H, W]: s of the last forward
  private float[] y; // [n, C, H, W]
  private float[] dx; // [n, C, H, W]

  private LocalResponseNorm(Spec spec, Shape in, Vectors v) {
    super(in, in, v, 0, 0);
    this.c = in.c();
    this.hw = in.h() * in.w();
    this.before = spec.size() / 2;
    this.after = (spec.size() - 1) / 2;
    this.alphaOverSize = spec.alpha() / spec.size();
    this.beta = spec.beta();
    this.k = spec.k();
  }

  @Override
  protected long keptFloats(int n) { // y, scale
    return 2L * n * out.size();
  }

  @Override
  public float[] forward(float[] x, int n, boolean training) {
    this.x = x;
    int len = n * c * hw;
    scale = ensure(scale, len);
    y = ensure(y, len);
    for (int i = 0; i < n; i++) {
      int base = i * c * hw;
      for (int ch = 0; ch < c; ch++) {
        int lo = Math.max(ch - before, 0);
        int hi = Math.min(ch + after, c - 1);
        for (int q = 0; q < hw; q++) {
          double sq = 0;
          for (int j = lo; j <= hi; j++) {
            double a = x[base + j * hw + q];
            sq += a * a;
          }
          int at = base + ch * hw + q;
          double s = k + alphaOverSize * sq;
          scale[at] = (float) s;
          y[at] = (float) (x[at] * Math.pow(s, -beta));
        }
      }
    }
    return y;
  }

  @Override
  public float[] backward(float[] dy, int n) {
    dx = inputGrad(dx, n, dy);
    for (int i = 0; i < n; i++) {
      int base = i * c * hw;
      for (int j = 0; j < c; j++) {
        // the channels whose window holds j: c - before <= j <= c + after
        int lo = Math.max(j - after, 0);
        int hi = Math.min(j + before, c - 1);
        for (int q = 0; q < hw; q++) {
          double sum = 0;
          for (int ch = lo; ch <= hi; ch++) {
            int at = base + ch * hw + q;
            sum += (double) dy[at] * x[at] * Math.pow(scale[at], -beta - 1);
          }
          int at = base + j * hw + q;
          dx[at] =
              (float)
                  (dy[at] * Math.pow(scale[at], -beta) - 2 * alphaOverSize * beta * x[at] * sum);
        }
      }
    }
    return dx;
  }
}

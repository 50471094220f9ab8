/*
 * Fully connected layer, y = x W^T + b with W [out, in] then b [out], as in PyTorch.
 *   forward:  y[n, out] = x[n, in] x W^T[in, out] + b
 *   backward: dW[out, in] += dy^T[out, n] x x[n, in];  db += column sums of dy;
 *             dx[n, in] = dy[n, out] x W[out, in]
 */
package org.sparkcnn.engine.layers;

import java.util.Arrays;
import org.sparkcnn.engine.EngineOptions;
import org.sparkcnn.engine.Init;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;
import org.sparkcnn.engine.kernels.Gemm;

public final class Linear extends Layer {
  /** in = 0 takes the feature count from the (flat) input; bias defaults to true. */
  public record Spec(String name, int in, int out, Boolean bias) implements LayerSpec {
    public Spec {
      bias = bias == null || bias;
      if (out <= 0 || in < 0) {
        throw new IllegalArgumentException(
            "linear '" + name + "': out must be positive (out=" + out + ", in=" + in + ")");
      }
    }

    public static Spec of(String name, int in, int out) {
      return new Spec(name, in, out, true);
    }

    @Override
    public Shape outputShape(Shape s) {
      if (s.rank() != 1) {
        throw new ShapeMismatch(this, s, "expected a flat [F] input (add a flatten layer)");
      }
      if (in != 0 && s.dim(0) != in) {
        throw new ShapeMismatch(this, s, "expected " + in + " input features");
      }
      return Shape.of(out);
    }

    @Override
    public int paramCount(Shape s) {
      return Math.addExact(Math.multiplyExact(out, s.size()), bias ? out : 0);
    }

    @Override
    public long macs(Shape s) {
      return (long) out * s.size();
    }

    @Override
    public String weightShape(Shape s) {
      return out + "x" + s.size();
    }

    @Override
    public void init(float[] p, int off, Shape s, Init scheme, Rng rng) {
      scheme.fill(p, off, out * s.size(), s.size(), out, rng);
      if (bias) {
        Arrays.fill(p, off + out * s.size(), off + out * s.size() + out, 0f);
      }
    }

    @Override
    public Layer bind(Shape s, Vectors v, int pOff, int bOff, EngineOptions o) {
      return new Linear(this, s, v, pOff, bOff, o.gemmImpl());
    }
  }

  private final int fin;
  private final int fout;
  private final int biasOff;
  private final Gemm.Impl gemm;
  private float[] x; // [n, in]
  private float[] y; // [n, out]
  private float[] dx; // [n, in]

  private Linear(Spec spec, Shape in, Vectors v, int pOff, int bOff, Gemm.Impl gemm) {
    super(in, spec.outputShape(in), v, pOff, bOff);
    this.fin = in.size();
    this.fout = spec.out();
    this.biasOff = spec.bias() ? pOff + fout * fin : -1;
    this.gemm = gemm;
  }

  @Override
  protected long inputGradFloats(int n) {
    return needInputGrad ? super.inputGradFloats(n) : 0;
  }

  @Override
  public float[] forward(float[] x, int n, boolean training) {
    this.x = x;
    y = ensure(y, n * fout);
    float[] p = v.params;
    Gemm.sgemm(gemm, false, true, n, fout, fin, x, 0, fin, p, pOff, fin, 0f, y, 0, fout);
    if (biasOff >= 0) {
      for (int i = 0; i < n; i++) {
        for (int o = 0; o < fout; o++) {
          y[i * fout + o] += p[biasOff + o];
        }
      }
    }
    return y;
  }

  @Override
  public float[] backward(float[] dy, int n) {
    float[] gr = v.grads;
    Gemm.sgemm(gemm, true, false, fout, fin, n, dy, 0, fout, x, 0, fin, 1f, gr, pOff, fin);
    if (biasOff >= 0) {
      for (int i = 0; i < n; i++) {
        for (int o = 0; o < fout; o++) {
          gr[biasOff + o] += dy[i * fout + o];
        }
      }
    }
    if (!needInputGrad) {
      return null;
    }
    dx = inputGrad(dx, n, dy);
    Gemm.sgemm(gemm, false, false, n, fin, fout, dy, 0, fout, v.params, pOff, fin, 0f, dx, 0, fin);
    return dx;
  }
}

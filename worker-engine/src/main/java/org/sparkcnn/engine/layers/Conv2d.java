/*
 * 2D convolution over NCHW batches, as im2col + GEMM one image at a time (the direct loop in
 * ConvReference is the reference it is tested against). Parameters: weight [Cout, Cin, K, K] then
 * bias [Cout], as in PyTorch.
 *   forward:  y_n[Cout, H'W'] = W[Cout, CinKK] x col(x_n)[CinKK, H'W'] + b
 *   backward: dW += dy_n x col(x_n)^T;  db += row sums of dy_n;  dx_n = col2im(W^T x dy_n)
 */
package org.sparkcnn.engine.layers;

import java.util.Arrays;
import org.sparkcnn.engine.Init;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;
import org.sparkcnn.engine.kernels.ConvGeometry;
import org.sparkcnn.engine.kernels.Gemm;
import org.sparkcnn.engine.kernels.Im2col;

public final class Conv2d extends Layer {
  /** in = 0 takes the channel count from the input; bias defaults to true. */
  public record Spec(String name, int in, int out, int kernel, int stride, int padding, Boolean bias)
      implements LayerSpec {
    public Spec {
      stride = stride == 0 ? 1 : stride;
      bias = bias == null || bias;
      if (out <= 0 || kernel <= 0 || stride <= 0 || padding < 0 || in < 0) {
        throw new IllegalArgumentException("conv2d '" + name + "': out, kernel and stride must be"
            + " positive and padding non-negative (out=" + out + ", kernel=" + kernel + ", stride="
            + stride + ", padding=" + padding + ")");
      }
    }

    public static Spec of(String name, int in, int out, int kernel, int stride, int padding) {
      return new Spec(name, in, out, kernel, stride, padding, true);
    }

    ConvGeometry geometry(Shape s) {
      return ConvGeometry.square(s.c(), s.h(), s.w(), kernel, stride, padding);
    }

    @Override
    public Shape outputShape(Shape s) {
      if (s.rank() != 3) {
        throw new ShapeMismatch(this, s, "expected [C, H, W]");
      }
      if (in != 0 && s.c() != in) {
        throw new ShapeMismatch(this, s, "expected " + in + " input channels");
      }
      ConvGeometry g = geometry(s);
      if (g.ho() < 1 || g.wo() < 1) {
        throw new ShapeMismatch(this, s, "kernel " + kernel + " with padding " + padding
            + " leaves no output");
      }
      return Shape.of(out, g.ho(), g.wo());
    }

    @Override
    public int paramCount(Shape s) {
      return out * s.c() * kernel * kernel + (bias ? out : 0);
    }

    @Override
    public long macs(Shape s) {
      Shape o = outputShape(s);
      return (long) o.size() * s.c() * kernel * kernel;
    }

    @Override
    public void init(float[] p, int off, Shape s, Init scheme, Rng rng) {
      int fanIn = s.c() * kernel * kernel;
      scheme.fill(p, off, out * fanIn, fanIn, out * kernel * kernel, rng);
      if (bias) {
        Arrays.fill(p, off + out * fanIn, off + out * fanIn + out, 0f);
      }
    }

    @Override
    public Layer bind(Shape s, Vectors v, int pOff, int bOff) {
      return new Conv2d(this, s, v, pOff, bOff);
    }
  }

  private final Spec spec;
  private final ConvGeometry g;
  private final int cout;
  private final int kdim; // Cin * K * K
  private final int hw; // H' * W'
  private final int biasOff;
  private float[] x; // input of the last forward: [n, Cin, H, W]
  private float[] y; // [n, Cout, H', W']
  private float[] dx; // [n, Cin, H, W]
  private float[] col; // [CinKK, H'W']
  private float[] dcol; // [CinKK, H'W']

  private Conv2d(Spec spec, Shape in, Vectors v, int pOff, int bOff) {
    super(in, spec.outputShape(in), v, pOff, bOff);
    this.spec = spec;
    this.g = spec.geometry(in);
    this.cout = spec.out();
    this.kdim = g.colRows();
    this.hw = g.colCols();
    this.biasOff = spec.bias() ? pOff + cout * kdim : -1;
    this.col = new float[kdim * hw];
    this.dcol = new float[kdim * hw];
  }

  @Override
  public float[] forward(float[] x, int n, boolean training) {
    this.x = x;
    y = ensure(y, n * out.size());
    float[] p = v.params;
    for (int i = 0; i < n; i++) {
      Im2col.im2col(g, x, i * in.size(), col);
      int yOff = i * out.size();
      Gemm.sgemm(false, false, cout, hw, kdim, p, pOff, kdim, col, 0, hw, 0f, y, yOff, hw);
      if (biasOff >= 0) {
        for (int o = 0; o < cout; o++) {
          float b = p[biasOff + o];
          int r = yOff + o * hw;
          for (int j = 0; j < hw; j++) {
            y[r + j] += b;
          }
        }
      }
    }
    return y;
  }

  @Override
  public float[] backward(float[] dy, int n) {
    float[] p = v.params;
    float[] gr = v.grads;
    if (needInputGrad) {
      dx = ensure(dx, n * in.size());
      Arrays.fill(dx, 0, n * in.size(), 0f);
    }
    for (int i = 0; i < n; i++) {
      int dyOff = i * out.size();
      Im2col.im2col(g, x, i * in.size(), col);
      // dW[Cout, CinKK] += dy_i[Cout, H'W'] x col^T[H'W', CinKK]
      Gemm.sgemm(false, true, cout, kdim, hw, dy, dyOff, hw, col, 0, hw, 1f, gr, pOff, kdim);
      if (biasOff >= 0) {
        for (int o = 0; o < cout; o++) {
          float s = 0f;
          int r = dyOff + o * hw;
          for (int j = 0; j < hw; j++) {
            s += dy[r + j];
          }
          gr[biasOff + o] += s;
        }
      }
      if (needInputGrad) {
        // dcol[CinKK, H'W'] = W^T[CinKK, Cout] x dy_i[Cout, H'W']
        Gemm.sgemm(true, false, kdim, hw, cout, p, pOff, kdim, dy, dyOff, hw, 0f, dcol, 0, hw);
        Im2col.col2im(g, dcol, dx, i * in.size());
      }
    }
    return needInputGrad ? dx : null;
  }

  public Spec spec() {
    return spec;
  }
}

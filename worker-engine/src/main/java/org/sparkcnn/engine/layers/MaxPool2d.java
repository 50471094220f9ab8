/*
 * Max pooling over K x K windows with stride S and padding P (padding never wins: it counts as
 * minus infinity, as in PyTorch). With ceil_mode the output size rounds up (PoolGeometry: the last
 * window must start inside the input or its left padding) and windows are clipped to the input.
 * Forward records the flat input index of each window's maximum in argmax; backward routes each
 * output gradient to that one input.
 */
package org.sparkcnn.engine.layers;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;
import org.sparkcnn.engine.kernels.Parallel;

public final class MaxPool2d extends Layer {
  /** stride 0 means stride = kernel, as in PyTorch; ceil_mode defaults to false. */
  public record Spec(String name, int kernel, int stride, int padding,
      @JsonProperty("ceil_mode") Boolean ceilMode) implements LayerSpec {
    public Spec {
      stride = stride == 0 ? kernel : stride;
      ceilMode = ceilMode != null && ceilMode;
      if (kernel <= 0 || stride <= 0 || padding < 0 || 2 * padding > kernel) {
        throw new IllegalArgumentException("max_pool2d '" + name + "': kernel and stride must be"
            + " positive and padding at most half the kernel (kernel=" + kernel + ", stride="
            + stride + ", padding=" + padding + ")");
      }
    }

    public Spec(String name, int kernel, int stride, int padding) {
      this(name, kernel, stride, padding, false);
    }

    PoolGeometry geometry(Shape s) {
      return new PoolGeometry(s.c(), s.h(), s.w(), kernel, stride, padding, ceilMode);
    }

    @Override
    public Shape outputShape(Shape s) {
      return PoolGeometry.outputShape(this, s, kernel, stride, padding, ceilMode);
    }

    @Override
    public Layer bind(Shape s, Vectors v, int pOff, int bOff) {
      return new MaxPool2d(this, s, v);
    }
  }

  private final PoolGeometry g;
  private float[] y; // [n, C, H', W']
  private int[] argmax; // [n, C, H', W']: index into the input batch
  private float[] dx; // [n, C, H, W]

  private MaxPool2d(Spec spec, Shape in, Vectors v) {
    super(in, spec.outputShape(in), v, 0, 0);
    this.g = spec.geometry(in);
  }

  @Override
  public float[] forward(float[] x, int n, boolean training) {
    y = ensure(y, n * out.size());
    argmax = ensure(argmax, n * out.size());
    int ho = g.ho();
    int wo = g.wo();
    float[] ys = y;
    int[] arg = argmax;
    Parallel.forEach(n, sample -> {
      int o = sample * out.size();
      for (int plane = sample * g.c(); plane < (sample + 1) * g.c(); plane++) {
        int base = plane * g.h() * g.w();
        for (int i = 0; i < ho; i++) {
          int h0 = i * g.s() - g.p();
          int h1 = Math.min(h0 + g.k(), g.h());
          h0 = Math.max(h0, 0);
          for (int j = 0; j < wo; j++, o++) {
            int w0 = j * g.s() - g.p();
            int w1 = Math.min(w0 + g.k(), g.w());
            w0 = Math.max(w0, 0);
            float best = Float.NEGATIVE_INFINITY;
            int at = base + h0 * g.w() + w0;
            for (int r = h0; r < h1; r++) {
              for (int c = w0; c < w1; c++) {
                float val = x[base + r * g.w() + c];
                if (!(val <= best)) { // larger, or NaN (which propagates, as in PyTorch)
                  best = val;
                  at = base + r * g.w() + c;
                }
              }
            }
            ys[o] = best;
            arg[o] = at;
          }
        }
      }
    });
    return y;
  }

  @Override
  public float[] backward(float[] dy, int n) {
    dx = ensure(dx, n * in.size());
    float[] d = dx;
    Parallel.forEach(n, sample -> { // a sample's argmax points into its own input
      Arrays.fill(d, sample * in.size(), (sample + 1) * in.size(), 0f);
      for (int o = sample * out.size(), end = o + out.size(); o < end; o++) {
        d[argmax[o]] += dy[o];
      }
    });
    return dx;
  }
}

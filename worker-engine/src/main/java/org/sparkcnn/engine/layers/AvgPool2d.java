/*
 * Average pooling over K x K windows with stride S, padding P and optionally ceil_mode, with
 * PyTorch's divisor (aten/src/ATen/native/cpu/AvgPoolKernel.cpp): a window [h0, h0 + K) is first
 * clipped to the padded input [-P, H + P); with count_include_pad (the default) its divisor is the
 * size of that clipped window, so padding counts but a window that ceil_mode pushes past the
 * padded input does not; without it the divisor counts only the input elements. Then the window is
 * clipped to the input and averaged.
 *   forward:  y[c, i, j] = sum of x over the window / divisor
 *   backward: dx[c, r, q] += dy[c, i, j] / divisor for every window (i, j) that holds (r, q)
 */
package org.sparkcnn.engine.layers;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

public final class AvgPool2d extends Layer {
  /** stride 0 means stride = kernel; ceil_mode defaults to false, count_include_pad to true. */
  public record Spec(String name, int kernel, int stride, int padding,
      @JsonProperty("ceil_mode") Boolean ceilMode,
      @JsonProperty("count_include_pad") Boolean countIncludePad) implements LayerSpec {
    public Spec {
      stride = stride == 0 ? kernel : stride;
      ceilMode = ceilMode != null && ceilMode;
      countIncludePad = countIncludePad == null || countIncludePad;
      if (kernel <= 0 || stride <= 0 || padding < 0 || 2 * padding > kernel) {
        throw new IllegalArgumentException("avg_pool2d '" + name + "': kernel and stride must be"
            + " positive and padding at most half the kernel (kernel=" + kernel + ", stride="
            + stride + ", padding=" + padding + ")");
      }
    }

    public static Spec of(String name, int kernel, int stride, int padding) {
      return new Spec(name, kernel, stride, padding, false, true);
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
      return new AvgPool2d(this, s, v);
    }
  }

  private final PoolGeometry g;
  private final int ho;
  private final int wo;
  private final float[] inv; // [H', W']: 1 / divisor of each window, the same for every plane
  private float[] y; // [n, C, H', W']
  private float[] dx; // [n, C, H, W]

  private AvgPool2d(Spec spec, Shape in, Vectors v) {
    super(in, spec.outputShape(in), v, 0, 0);
    this.g = spec.geometry(in);
    this.ho = g.ho();
    this.wo = g.wo();
    this.inv = new float[ho * wo];
    int h = g.h();
    int w = g.w();
    for (int i = 0; i < ho; i++) {
      int h0 = i * g.s() - g.p();
      int h1 = Math.min(h0 + g.k(), h + g.p());
      for (int j = 0; j < wo; j++) {
        int w0 = j * g.s() - g.p();
        int w1 = Math.min(w0 + g.k(), w + g.p());
        int count = spec.countIncludePad() ? (h1 - h0) * (w1 - w0)
            : (Math.min(h1, h) - Math.max(h0, 0)) * (Math.min(w1, w) - Math.max(w0, 0));
        inv[i * wo + j] = 1f / count;
      }
    }
  }

  @Override
  public float[] forward(float[] x, int n, boolean training) {
    y = ensure(y, n * out.size());
    int h = g.h();
    int w = g.w();
    int o = 0;
    for (int plane = 0; plane < n * g.c(); plane++) {
      int base = plane * h * w;
      for (int i = 0; i < ho; i++) {
        int h0 = Math.max(i * g.s() - g.p(), 0);
        int h1 = Math.min(i * g.s() - g.p() + g.k(), h);
        for (int j = 0; j < wo; j++, o++) {
          int w0 = Math.max(j * g.s() - g.p(), 0);
          int w1 = Math.min(j * g.s() - g.p() + g.k(), w);
          float sum = 0f;
          for (int r = h0; r < h1; r++) {
            for (int c = w0; c < w1; c++) {
              sum += x[base + r * w + c];
            }
          }
          y[o] = sum * inv[i * wo + j];
        }
      }
    }
    return y;
  }

  @Override
  public float[] backward(float[] dy, int n) {
    dx = ensure(dx, n * in.size());
    Arrays.fill(dx, 0, n * in.size(), 0f);
    int h = g.h();
    int w = g.w();
    int o = 0;
    for (int plane = 0; plane < n * g.c(); plane++) {
      int base = plane * h * w;
      for (int i = 0; i < ho; i++) {
        int h0 = Math.max(i * g.s() - g.p(), 0);
        int h1 = Math.min(i * g.s() - g.p() + g.k(), h);
        for (int j = 0; j < wo; j++, o++) {
          int w0 = Math.max(j * g.s() - g.p(), 0);
          int w1 = Math.min(j * g.s() - g.p() + g.k(), w);
          float d = dy[o] * inv[i * wo + j];
          for (int r = h0; r < h1; r++) {
            for (int c = w0; c < w1; c++) {
              dx[base + r * w + c] += d;
            }
          }
        }
      }
    }
    return dx;
  }
}

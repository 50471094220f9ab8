/*
 * Max pooling over KH x KW windows with strides, paddings and dilations per axis, as PyTorch's
 * MaxPool2d (padding never wins: it counts as minus infinity). With ceil_mode the output size
 * rounds up (PoolGeometry: the last window must start inside the input or its left padding) and
 * windows are clipped to the input.
 * Forward records the flat input index of each window's maximum in argmax; backward routes each
 * output gradient to that one input.
 */
package org.sparkcnn.engine.layers;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import org.sparkcnn.engine.EngineOptions;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;
import org.sparkcnn.engine.kernels.Parallel;

public final class MaxPool2d extends Layer {
  /**
   * kernel, stride, padding and dilation: one int or [h, w], as in PyTorch; stride left out (or 0)
   * means the kernel, padding 0, dilation 1, ceil_mode false.
   */
  public record Spec(
      String name,
      PerAxis kernel,
      PerAxis stride,
      PerAxis padding,
      @JsonProperty("ceil_mode") Boolean ceilMode,
      PerAxis dilation)
      implements LayerSpec {
    public Spec {
      stride = stride == null || stride.min() == 0 ? kernel : stride;
      padding = padding == null ? PerAxis.ZERO : padding;
      dilation = dilation == null ? PerAxis.ONE : dilation;
      ceilMode = ceilMode != null && ceilMode;
      PoolGeometry.check("max_pool2d", name, kernel, stride, padding, dilation);
    }

    public Spec(String name, int kernel, int stride, int padding, Boolean ceilMode) {
      this(name, PerAxis.of(kernel), PerAxis.of(stride), PerAxis.of(padding), ceilMode, null);
    }

    public Spec(String name, int kernel, int stride, int padding) {
      this(name, kernel, stride, padding, false);
    }

    PoolGeometry geometry(Shape s) {
      return PoolGeometry.of(s, kernel, stride, padding, dilation, ceilMode);
    }

    @Override
    public Shape outputShape(Shape s) {
      return PoolGeometry.outputShape(this, s, kernel, stride, padding, dilation, ceilMode);
    }

    @Override
    public Layer bind(Shape s, Vectors v, int pOff, int bOff, EngineOptions o) {
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
  protected long keptFloats(int n) { // y, argmax
    return 2L * n * out.size();
  }

  @Override
  public float[] forward(float[] x, int n, boolean training) {
    y = ensure(y, n * out.size());
    argmax = ensure(argmax, n * out.size());
    int ho = g.ho();
    int wo = g.wo();
    float[] ys = y;
    int[] arg = argmax;
    Parallel.forEach(
        n,
        sample -> {
          int o = sample * out.size();
          for (int plane = sample * g.c(); plane < (sample + 1) * g.c(); plane++) {
            int base = plane * g.h() * g.w();
            for (int i = 0; i < ho; i++) {
              int r0 = i * g.sh() - g.ph();
              for (int j = 0; j < wo; j++, o++) {
                int c0 = j * g.sw() - g.pw();
                float best = Float.NEGATIVE_INFINITY;
                int at = -1;
                for (int u = 0; u < g.kh(); u++) {
                  int r = r0 + u * g.dh();
                  if (r < 0 || r >= g.h()) {
                    continue;
                  }
                  for (int q = 0; q < g.kw(); q++) {
                    int c = c0 + q * g.dw();
                    if (c < 0 || c >= g.w()) {
                      continue;
                    }
                    float val = x[base + r * g.w() + c];
                    if (at < 0
                        || !(val <= best)) { // larger, or NaN (which propagates, as in PyTorch)
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
    dx = inputGrad(dx, n, dy);
    float[] d = dx;
    Parallel.forEach(
        n,
        sample -> { // a sample's argmax points into its own input
          Arrays.fill(d, sample * in.size(), (sample + 1) * in.size(), 0f);
          for (int o = sample * out.size(), end = o + out.size(); o < end; o++) {
            d[argmax[o]] += dy[o];
          }
        });
    return dx;
  }
}

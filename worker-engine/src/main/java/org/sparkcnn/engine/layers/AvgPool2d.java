/*
 * Average pooling over KH x KW windows with strides and paddings per axis (one int or [h, w], as
 * PyTorch's AvgPool2d) and optionally ceil_mode, with
 * PyTorch's divisor (aten/src/ATen/native/cpu/AvgPoolKernel.cpp): a window [h0, h0 + K) is first
 * clipped to the padded input [-P, H + P); with count_include_pad (the default) its divisor is the
 * size of that clipped window, so padding counts but a window that ceil_mode pushes past the
 * padded input does not; without it the divisor counts only the input elements. Then the window is
 * clipped to the input and averaged. divisor_override, when given, is every window's divisor
 * instead (any non-zero int, as PyTorch allows), whatever the window holds.
 *   forward:  y[c, i, j] = sum of x over the window / divisor
 *   backward: dx[c, r, q] += dy[c, i, j] / divisor for every window (i, j) that holds (r, q)
 */
package org.sparkcnn.engine.layers;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import org.sparkcnn.engine.EngineOptions;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

public final class AvgPool2d extends Layer {
  /**
   * kernel, stride and padding: one int or [h, w], as in PyTorch; stride left out (or 0) means the
   * kernel; ceil_mode defaults to false, count_include_pad to true, divisor_override to none
   * (null).
   */
  public record Spec(
      String name,
      PerAxis kernel,
      PerAxis stride,
      PerAxis padding,
      @JsonProperty("ceil_mode") Boolean ceilMode,
      @JsonProperty("count_include_pad") Boolean countIncludePad,
      @JsonProperty("divisor_override") @JsonInclude(JsonInclude.Include.NON_NULL)
          Integer divisorOverride)
      implements LayerSpec {
    public Spec {
      stride = stride == null || stride.min() == 0 ? kernel : stride;
      padding = padding == null ? PerAxis.ZERO : padding;
      ceilMode = ceilMode != null && ceilMode;
      countIncludePad = countIncludePad == null || countIncludePad;
      PoolGeometry.check("avg_pool2d", name, kernel, stride, padding, PerAxis.ONE);
      if (divisorOverride != null && divisorOverride == 0) {
        throw new IllegalArgumentException(
            "avg_pool2d '"
                + name
                + "': divisor_override must not"
                + " be zero (leave it out to divide by the window's size)");
      }
    }

    /** Without divisor_override. */
    public Spec(
        String name,
        PerAxis kernel,
        PerAxis stride,
        PerAxis padding,
        Boolean ceilMode,
        Boolean countIncludePad) {
      this(name, kernel, stride, padding, ceilMode, countIncludePad, null);
    }

    public Spec(
        String name,
        int kernel,
        int stride,
        int padding,
        Boolean ceilMode,
        Boolean countIncludePad) {
      this(
          name,
          PerAxis.of(kernel),
          PerAxis.of(stride),
          PerAxis.of(padding),
          ceilMode,
          countIncludePad);
    }

    public static Spec of(String name, int kernel, int stride, int padding) {
      return new Spec(name, kernel, stride, padding, false, true);
    }

    PoolGeometry geometry(Shape s) {
      return PoolGeometry.of(s, kernel, stride, padding, PerAxis.ONE, ceilMode);
    }

    @Override
    public Shape outputShape(Shape s) {
      return PoolGeometry.outputShape(this, s, kernel, stride, padding, PerAxis.ONE, ceilMode);
    }

    @Override
    public Layer bind(Shape s, Vectors v, int pOff, int bOff, EngineOptions o) {
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
      int h0 = i * g.sh() - g.ph();
      int h1 = Math.min(h0 + g.kh(), h + g.ph());
      for (int j = 0; j < wo; j++) {
        int w0 = j * g.sw() - g.pw();
        int w1 = Math.min(w0 + g.kw(), w + g.pw());
        int count =
            spec.divisorOverride() != null
                ? spec.divisorOverride()
                : spec.countIncludePad()
                    ? (h1 - h0) * (w1 - w0)
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
        int h0 = Math.max(i * g.sh() - g.ph(), 0);
        int h1 = Math.min(i * g.sh() - g.ph() + g.kh(), h);
        for (int j = 0; j < wo; j++, o++) {
          int w0 = Math.max(j * g.sw() - g.pw(), 0);
          int w1 = Math.min(j * g.sw() - g.pw() + g.kw(), w);
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
    dx = inputGrad(dx, n, dy);
    Arrays.fill(dx, 0, n * in.size(), 0f);
    int h = g.h();
    int w = g.w();
    int o = 0;
    for (int plane = 0; plane < n * g.c(); plane++) {
      int base = plane * h * w;
      for (int i = 0; i < ho; i++) {
        int h0 = Math.max(i * g.sh() - g.ph(), 0);
        int h1 = Math.min(i * g.sh() - g.ph() + g.kh(), h);
        for (int j = 0; j < wo; j++, o++) {
          int w0 = Math.max(j * g.sw() - g.pw(), 0);
          int w1 = Math.min(j * g.sw() - g.pw() + g.kw(), w);
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

/*
 * Adaptive max pooling, [C, H, W] to [C, OH, OW] for a given output_size, as PyTorch's
 * AdaptiveMaxPool2d, over AdaptiveAvgPool2d's windows: output row i takes input rows
 * [floor(i H / OH), ceil((i + 1) H / OH)), and likewise for columns. As PyTorch's CPU kernel
 * (AdaptiveMaxPoolKernel.cpp), a value wins if it is larger than the best so far or NaN, so ties
 * go to the first maximum in row-major order and a NaN propagates.
 * Forward records the flat input index of each window's maximum in argmax; backward adds each
 * output gradient into that one input (windows may overlap, so an input can win twice).
 */
package org.sparkcnn.engine.layers;

import static org.sparkcnn.engine.layers.AdaptiveAvgPool2d.end;
import static org.sparkcnn.engine.layers.AdaptiveAvgPool2d.start;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import org.sparkcnn.engine.EngineOptions;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

public final class AdaptiveMaxPool2d extends Layer {
  /** output_size: one int for both axes or [h, w], each positive. */
  public record Spec(String name, @JsonProperty("output_size") PerAxis outputSize)
      implements LayerSpec {
    public Spec {
      AdaptiveAvgPool2d.check("adaptive_max_pool2d", name, outputSize);
    }

    public static Spec of(String name, int... outputSize) {
      return new Spec(name, PerAxis.of(outputSize));
    }

    @Override
    public Shape outputShape(Shape in) {
      return AdaptiveAvgPool2d.outputShape(this, in, outputSize);
    }

    @Override
    public Layer bind(Shape in, Vectors v, int pOff, int bOff, EngineOptions o) {
      return new AdaptiveMaxPool2d(in, outputShape(in), v);
    }
  }

  private final int h; // input rows
  private final int w; // input columns
  private final int oh;
  private final int ow;
  private float[] y; // [n, C, OH, OW]
  private int[] argmax; // [n, C, OH, OW]: index into the input batch
  private float[] dx; // [n, C, H, W]

  private AdaptiveMaxPool2d(Shape in, Shape out, Vectors v) {
    super(in, out, v, 0, 0);
    this.h = in.h();
    this.w = in.w();
    this.oh = out.h();
    this.ow = out.w();
  }

  @Override
  protected long keptFloats(int n) { // y, argmax
    return 2L * n * out.size();
  }

  @Override
  public float[] forward(float[] x, int n, boolean training) {
    y = ensure(y, n * out.size());
    argmax = ensure(argmax, n * out.size());
    int o = 0;
    for (int plane = 0; plane < n * in.c(); plane++) {
      int base = plane * h * w;
      for (int i = 0; i < oh; i++) {
        int r0 = start(i, h, oh);
        int r1 = end(i, h, oh);
        for (int j = 0; j < ow; j++, o++) {
          int c0 = start(j, w, ow);
          int c1 = end(j, w, ow);
          float best = Float.NEGATIVE_INFINITY;
          int at = base + r0 * w + c0;
          for (int r = r0; r < r1; r++) {
            for (int c = c0; c < c1; c++) {
              float val = x[base + r * w + c];
              if (val > best || Float.isNaN(val)) {
                best = val;
                at = base + r * w + c;
              }
            }
          }
          y[o] = best;
          argmax[o] = at;
        }
      }
    }
    return y;
  }

  @Override
  public float[] backward(float[] dy, int n) {
    dx = inputGrad(dx, n, dy);
    Arrays.fill(dx, 0, n * in.size(), 0f);
    for (int o = 0; o < n * out.size(); o++) {
      dx[argmax[o]] += dy[o];
    }
    return dx;
  }
}

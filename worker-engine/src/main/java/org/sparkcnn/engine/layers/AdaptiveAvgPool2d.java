/*
 * Adaptive average pooling, [C, H, W] to [C, OH, OW] for a given output_size, as PyTorch's
 * AdaptiveAvgPool2d. Output row i averages input rows [floor(i H / OH), ceil((i + 1) H / OH)),
 * and likewise for columns (aten/src/ATen/native/AdaptivePooling.h, start_index and end_index):
 * the windows cover the input and overlap where OH does not divide H.
 *   forward:  y[c, i, j] = sum of x over window (i, j) / its size
 *   backward: dx[c, r, q] += dy[c, i, j] / size of (i, j), for every window (i, j) holding (r, q)
 */
package org.sparkcnn.engine.layers;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import org.sparkcnn.engine.EngineOptions;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

public final class AdaptiveAvgPool2d extends Layer {
  /** output_size: one int for both axes or [h, w], each positive. */
  public record Spec(String name, @JsonProperty("output_size") PerAxis outputSize)
      implements LayerSpec {
    public Spec {
      check("adaptive_avg_pool2d", name, outputSize);
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
      return new AdaptiveAvgPool2d(in, outputShape(in), v);
    }
  }

  /** Checks an adaptive pool's output_size (shared with AdaptiveMaxPool2d). */
  static void check(String type, String name, PerAxis outputSize) {
    if (outputSize == null || !outputSize.fits(2) || outputSize.min() < 1) {
      throw new IllegalArgumentException(
          type
              + " '"
              + name
              + "': output_size must be one"
              + " positive int or [h, w], got "
              + outputSize);
    }
  }

  static Shape outputShape(LayerSpec layer, Shape in, PerAxis outputSize) {
    if (in.rank() != 3) {
      throw new ShapeMismatch(layer, in, "expected [C, H, W]");
    }
    return Shape.of(in.c(), outputSize.get(0), outputSize.get(1));
  }

  /** The first input index of window i of out over an axis of size in: floor(i in / out). */
  static int start(int i, int in, int out) {
    return (int) ((long) i * in / out);
  }

  /** One past the last input index of window i: ceil((i + 1) in / out). */
  static int end(int i, int in, int out) {
    return (int) (((long) (i + 1) * in + out - 1) / out);
  }

  private final int h; // input rows
  private final int w; // input columns
  private final int oh;
  private final int ow;
  private float[] y; // [n, C, OH, OW]
  private float[] dx; // [n, C, H, W]

  private AdaptiveAvgPool2d(Shape in, Shape out, Vectors v) {
    super(in, out, v, 0, 0);
    this.h = in.h();
    this.w = in.w();
    this.oh = out.h();
    this.ow = out.w();
  }

  @Override
  public float[] forward(float[] x, int n, boolean training) {
    y = ensure(y, n * out.size());
    int o = 0;
    for (int plane = 0; plane < n * in.c(); plane++) {
      int base = plane * h * w;
      for (int i = 0; i < oh; i++) {
        int r0 = start(i, h, oh);
        int r1 = end(i, h, oh);
        for (int j = 0; j < ow; j++, o++) {
          int c0 = start(j, w, ow);
          int c1 = end(j, w, ow);
          float sum = 0f;
          for (int r = r0; r < r1; r++) {
            for (int c = c0; c < c1; c++) {
              sum += x[base + r * w + c];
            }
          }
          y[o] = sum / ((r1 - r0) * (c1 - c0));
        }
      }
    }
    return y;
  }

  @Override
  public float[] backward(float[] dy, int n) {
    dx = inputGrad(dx, n, dy);
    Arrays.fill(dx, 0, n * in.size(), 0f);
    int o = 0;
    for (int plane = 0; plane < n * in.c(); plane++) {
      int base = plane * h * w;
      for (int i = 0; i < oh; i++) {
        int r0 = start(i, h, oh);
        int r1 = end(i, h, oh);
        for (int j = 0; j < ow; j++, o++) {
          int c0 = start(j, w, ow);
          int c1 = end(j, w, ow);
          float d = dy[o] / ((r1 - r0) * (c1 - c0));
          for (int r = r0; r < r1; r++) {
            for (int c = c0; c < c1; c++) {
              dx[base + r * w + c] += d;
            }
          }
        }
      }
    }
    return dx;
  }
}

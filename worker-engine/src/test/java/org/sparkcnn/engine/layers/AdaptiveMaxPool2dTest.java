/*
 * AdaptiveMaxPool2d against a direct loop over PyTorch's windows computed here, the first
 * maximum winning a tie (forward and where backward sends the gradient), overlapping windows
 * adding into one input, finite differences on distinct values, and the checks of output_size.
 */
package org.sparkcnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

class AdaptiveMaxPool2dTest {
  /** x: [n, C, H, W]; the maximum of each window, by the window rule. */
  private static float[] reference(float[] x, int n, Shape in, int oh, int ow) {
    float[] y = new float[n * in.c() * oh * ow];
    int o = 0;
    for (int plane = 0; plane < n * in.c(); plane++) {
      for (int i = 0; i < oh; i++) {
        int r0 = (int) Math.floor((double) i * in.h() / oh);
        int r1 = (int) Math.ceil((double) (i + 1) * in.h() / oh);
        for (int j = 0; j < ow; j++, o++) {
          int c0 = (int) Math.floor((double) j * in.w() / ow);
          int c1 = (int) Math.ceil((double) (j + 1) * in.w() / ow);
          float best = Float.NEGATIVE_INFINITY;
          for (int r = r0; r < r1; r++) {
            for (int c = c0; c < c1; c++) {
              best = Math.max(best, x[(plane * in.h() + r) * in.w() + c]);
            }
          }
          y[o] = best;
        }
      }
    }
    return y;
  }

  /** n * size distinct values 0.05 apart, shuffled: no tie within a finite-difference step. */
  private static float[] distinct(Rng rng, int len) {
    float[] x = new float[len];
    for (int i = 0; i < len; i++) {
      x[i] = (i - len / 2) * 0.05f;
    }
    for (int i = len - 1; i > 0; i--) {
      int k = (int) (rng.uniform(0f, 1f) * (i + 1)) % (i + 1);
      float t = x[i];
      x[i] = x[k];
      x[k] = t;
    }
    return x;
  }

  @Test
  void matchesTheWindowRule() {
    Rng rng = Rng.of(7, 32);
    Shape in = Shape.of(3, 7, 10);
    float[] x = GradCheck.uniform(rng, 2 * in.size(), -2f, 2f);
    for (int[] s : new int[][] {{1, 1}, {7, 5}, {3, 4}, {4, 3}, {9, 13}, {2, 10}}) {
      Layer pool = AdaptiveMaxPool2d.Spec.of("pool", s).bind(in, new Vectors(0, 0), 0, 0);
      assertEquals(Shape.of(3, s[0], s[1]), pool.outputShape());
      int len = 2 * 3 * s[0] * s[1];
      assertArrayEquals(
          reference(x, 2, in, s[0], s[1]),
          Arrays.copyOf(pool.forward(x, 2, false), len),
          Arrays.toString(s));
    }
  }

  @Test
  void tiesGoToTheFirstMaximumAndOverlapsAdd() {
    // one 3x3 plane to 2x2 (windows rows [0, 2), [1, 3), columns alike): 5 everywhere but a 1 in
    // the corner, so each window's first 5 wins
    float[] x = {1, 5, 5, 5, 5, 5, 5, 5, 5};
    Layer pool =
        AdaptiveMaxPool2d.Spec.of("pool", 2).bind(Shape.of(1, 3, 3), new Vectors(0, 0), 0, 0);
    assertArrayEquals(new float[] {5, 5, 5, 5}, Arrays.copyOf(pool.forward(x, 1, true), 4));
    float[] dx = pool.backward(new float[] {1, 2, 3, 4}, 1);
    // window (0, 0) picks (0, 1); (0, 1) picks (0, 1); (1, 0) picks (1, 0); (1, 1) picks (1, 1)
    assertArrayEquals(new float[] {0, 3, 0, 3, 4, 0, 0, 0, 0}, Arrays.copyOf(dx, 9));
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Rng rng = Rng.of(7, 33);
    Shape in = Shape.of(2, 5, 7);
    float[] x = distinct(rng, 2 * in.size());
    for (int[] s : new int[][] {{1, 1}, {3, 3}, {5, 7}, {2, 4}, {6, 9}}) {
      Vectors v = new Vectors(0, 0);
      GradCheck.check(
          AdaptiveMaxPool2d.Spec.of("pool", s).bind(in, v, 0, 0), v, x, 2, 1e-2, 1e-4, rng);
    }
  }

  @Test
  void rejectsBadOutputSizes() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> AdaptiveMaxPool2d.Spec.of("pool2", 3, -1));
    assertEquals(
        "adaptive_max_pool2d 'pool2': output_size must be one positive int or [h, w],"
            + " got [3, -1]",
        e.getMessage());
    assertThrows(
        ShapeMismatch.class,
        () -> AdaptiveMaxPool2d.Spec.of("pool", 2).outputShape(Shape.of(2, 8)));
  }
}

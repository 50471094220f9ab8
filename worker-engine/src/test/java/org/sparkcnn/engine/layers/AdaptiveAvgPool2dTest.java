/*
 * AdaptiveAvgPool2d against a direct loop over PyTorch's windows (rows [floor(i H / OH),
 * ceil((i + 1) H / OH))) computed here in double, for output sizes that divide the input, that do
 * not (overlapping windows), that exceed it and of 1; a hand-computed case, finite differences,
 * and the checks of output_size and the input shape.
 */
package org.sparkcnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.sparkcnn.engine.Golden;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

class AdaptiveAvgPool2dTest {
  /** x: [n, C, H, W]; the average of each window, by the window rule, in double. */
  static double[] reference(float[] x, int n, Shape in, int oh, int ow) {
    double[] y = new double[n * in.c() * oh * ow];
    int o = 0;
    for (int plane = 0; plane < n * in.c(); plane++) {
      for (int i = 0; i < oh; i++) {
        int r0 = (int) Math.floor((double) i * in.h() / oh);
        int r1 = (int) Math.ceil((double) (i + 1) * in.h() / oh);
        for (int j = 0; j < ow; j++, o++) {
          int c0 = (int) Math.floor((double) j * in.w() / ow);
          int c1 = (int) Math.ceil((double) (j + 1) * in.w() / ow);
          double sum = 0;
          for (int r = r0; r < r1; r++) {
            for (int c = c0; c < c1; c++) {
              sum += x[(plane * in.h() + r) * in.w() + c];
            }
          }
          y[o] = sum / ((r1 - r0) * (c1 - c0));
        }
      }
    }
    return y;
  }

  @Test
  void matchesTheWindowRule() {
    Rng rng = Rng.of(7, 30);
    Shape in = Shape.of(3, 7, 10);
    float[] x = GradCheck.uniform(rng, 2 * in.size(), -2f, 2f);
    int[][] sizes = {{1, 1}, {7, 5}, {3, 4}, {4, 3}, {9, 13}, {2, 10}};
    for (int[] s : sizes) {
      Layer pool = AdaptiveAvgPool2d.Spec.of("pool", s).bind(in, new Vectors(0, 0), 0, 0);
      assertEquals(Shape.of(3, s[0], s[1]), pool.outputShape());
      Golden.assertClose(
          "output " + Arrays.toString(s),
          reference(x, 2, in, s[0], s[1]),
          pool.forward(x, 2, false),
          1e-6);
    }
  }

  @Test
  void overlappingWindowsByHand() {
    // one 3x3 plane of 1..9 to 2x2: rows [0, 2) and [1, 3), columns alike, so every window is
    // 2x2 and the middle value 5 is in all four
    float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    Layer pool =
        AdaptiveAvgPool2d.Spec.of("pool", 2).bind(Shape.of(1, 3, 3), new Vectors(0, 0), 0, 0);
    assertArrayEquals(new float[] {3f, 4f, 6f, 7f}, Arrays.copyOf(pool.forward(x, 1, true), 4));
    float[] dx = pool.backward(new float[] {1f, 1f, 1f, 1f}, 1);
    assertArrayEquals(
        new float[] {0.25f, 0.5f, 0.25f, 0.5f, 1f, 0.5f, 0.25f, 0.5f, 0.25f}, Arrays.copyOf(dx, 9));
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Rng rng = Rng.of(7, 31);
    Shape in = Shape.of(2, 5, 7);
    float[] x = GradCheck.uniform(rng, 2 * in.size(), -1f, 1f);
    for (int[] s : new int[][] {{1, 1}, {3, 3}, {5, 7}, {2, 4}, {6, 9}}) {
      Vectors v = new Vectors(0, 0);
      GradCheck.check(
          AdaptiveAvgPool2d.Spec.of("pool", s).bind(in, v, 0, 0), v, x, 2, 1e-2, 1e-4, rng);
    }
  }

  @Test
  void rejectsBadOutputSizesAndInputs() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> AdaptiveAvgPool2d.Spec.of("pool1", 0));
    assertEquals(
        "adaptive_avg_pool2d 'pool1': output_size must be one positive int or [h, w]," + " got 0",
        e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class, () -> AdaptiveAvgPool2d.Spec.of("pool1", 2, 2, 2));
    assertEquals(
        "adaptive_avg_pool2d 'pool1': output_size must be one positive int or [h, w],"
            + " got [2, 2, 2]",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new AdaptiveAvgPool2d.Spec("p", null));
    assertThrows(
        ShapeMismatch.class, () -> AdaptiveAvgPool2d.Spec.of("pool", 2).outputShape(Shape.of(8)));
  }
}

/*
 * AvgPool2d against PyTorch's values (../shared/golden/avg_pool2d_*.json, padding counted in the
 * divisor, ceil_mode included), hand-computed divisors for the corners of padded and ceil_mode
 * windows and for divisor_override, and finite differences.
 */
package org.sparkcnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkcnn.engine.Golden;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

class AvgPool2dTest {
  static List<String> goldenCases() {
    return Golden.cases("avg_pool2d_*.json");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenCases")
  void matchesPyTorch(String file) {
    JsonNode c = Golden.read(file);
    int[] k = Golden.intArray(c.get("kernel"));
    int[] s = Golden.intArray(c.get("stride"));
    int[] p = Golden.intArray(c.get("padding"));
    assumeTrue(
        k[0] == k[1] && s[0] == s[1] && p[0] == p[1],
        file + ": kernel, stride and padding must be one int for both axes");
    LayerGolden.check(
        file,
        new AvgPool2d.Spec(
            "pool",
            k[0],
            s[0],
            p[0],
            c.get("ceil_mode").asBoolean(),
            c.get("count_include_pad").asBoolean()),
        c);
  }

  @Test
  void divisorsCountPaddingButNotWhatCeilModeAddsPastIt() {
    float[] ones = new float[9];
    Arrays.fill(ones, 1f);
    // 3x3 ones, k2 s2 p1 ceil: windows [-1, 1) and [1, 3) per axis, all within the padded input,
    // so every divisor is 4 and a corner window holds one input
    assertArrayEquals(
        new float[] {0.25f, 0.5f, 0.5f, 1f},
        forward(new AvgPool2d.Spec("p", 2, 2, 1, true, true), 3, ones));
    // without count_include_pad the divisor counts inputs only
    assertArrayEquals(
        new float[] {1f, 1f, 1f, 1f},
        forward(new AvgPool2d.Spec("p", 2, 2, 1, true, false), 3, ones));
    // 3x3 ones, k2 s2 p0 ceil: the last window [2, 4) sticks out past the input (no padding to
    // count), so PyTorch divides by the clipped size: every output is 1
    assertArrayEquals(
        new float[] {1f, 1f, 1f, 1f},
        forward(new AvgPool2d.Spec("p", 2, 2, 0, true, true), 3, ones));
  }

  @Test
  void divisorOverrideDividesEveryWindowByIt() {
    float[] ones = new float[9];
    Arrays.fill(ones, 1f);
    // 3x3 ones, k2 s2 p1 ceil: the windows hold 1, 2, 2 and 4 inputs, all divided by 2
    assertArrayEquals(
        new float[] {0.5f, 1f, 1f, 2f},
        forward(
            new AvgPool2d.Spec("p", PerAxis.of(2), PerAxis.of(2), PerAxis.of(1), true, true, 2),
            3,
            ones));
    // count_include_pad does not matter then, and PyTorch takes a negative divisor too
    assertArrayEquals(
        new float[] {-0.25f, -0.5f, -0.5f, -1f},
        forward(
            new AvgPool2d.Spec("p", PerAxis.of(2), PerAxis.of(2), PerAxis.of(1), true, false, -4),
            3,
            ones));
    // 4x4 of 0..15, k2 s2: window sums 10, 18, 42, 50 over 3
    float[] x = new float[16];
    for (int i = 0; i < 16; i++) {
      x[i] = i;
    }
    assertArrayEquals(
        new float[] {10f / 3, 6f, 14f, 50f / 3},
        forward(new AvgPool2d.Spec("p", PerAxis.of(2), null, null, null, null, 3), 4, x),
        1e-5f);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new AvgPool2d.Spec("p1", PerAxis.of(2), null, null, null, null, 0));
    assertEquals(
        "avg_pool2d 'p1': divisor_override must not be zero (leave it out to divide by"
            + " the window's size)",
        e.getMessage());
  }

  @Test
  void divisorOverrideGradientsMatchFiniteDifferences() {
    Rng rng = Rng.of(7, 11);
    Shape in = Shape.of(2, 5, 6);
    float[] x = GradCheck.uniform(rng, 2 * in.size(), -1f, 1f);
    for (int d : new int[] {1, 5, -3}) {
      AvgPool2d.Spec spec =
          new AvgPool2d.Spec(
              "pool", PerAxis.of(3, 2), PerAxis.of(2, 1), PerAxis.of(1, 0), true, true, d);
      Vectors v = new Vectors(0, 0);
      GradCheck.check(spec.bind(in, v, 0, 0), v, x, 2, 1e-2, 1e-4, rng);
    }
  }

  private static float[] forward(AvgPool2d.Spec spec, int size, float[] x) {
    Layer pool = spec.bind(Shape.of(1, size, size), new Vectors(0, 0), 0, 0);
    return Arrays.copyOf(pool.forward(x, 1, false), pool.outputShape().size());
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Rng rng = Rng.of(7, 10);
    Shape in = Shape.of(2, 5, 6);
    float[] x = GradCheck.uniform(rng, 2 * in.size(), -1f, 1f);
    for (AvgPool2d.Spec spec :
        new AvgPool2d.Spec[] {
          AvgPool2d.Spec.of("pool", 2, 2, 0),
          AvgPool2d.Spec.of("pool", 3, 2, 1),
          new AvgPool2d.Spec("pool", 2, 2, 1, true, true),
          new AvgPool2d.Spec("pool", 3, 2, 1, true, false),
          new AvgPool2d.Spec(
              "pool", PerAxis.of(3, 2), PerAxis.of(2, 1), PerAxis.of(1, 0), true, true)
        }) {
      Vectors v = new Vectors(0, 0);
      GradCheck.check(spec.bind(in, v, 0, 0), v, x, 2, 1e-2, 1e-4, rng);
    }
  }

  @Test
  void rejectsBadHyperParameters() {
    assertThrows(IllegalArgumentException.class, () -> AvgPool2d.Spec.of("pool", 2, 2, 2));
    assertThrows(IllegalArgumentException.class, () -> AvgPool2d.Spec.of("pool", 0, 2, 0));
    assertThrows(
        ShapeMismatch.class,
        () -> AvgPool2d.Spec.of("pool", 3, 1, 0).outputShape(Shape.of(1, 2, 2)));
    AvgPool2d.Spec defaults = new AvgPool2d.Spec("pool", 3, 0, 0, null, null);
    assertEquals(new AvgPool2d.Spec("pool", 3, 3, 0, false, true), defaults);
  }
}

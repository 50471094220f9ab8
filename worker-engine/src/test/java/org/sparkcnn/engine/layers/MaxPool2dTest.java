/*
 * MaxPool2d against PyTorch's values (../shared/golden/max_pool2d_*.json, ceil_mode included),
 * PyTorch's output-size rule for ceil_mode, and finite differences on distinct inputs.
 */
package org.sparkcnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkcnn.engine.Golden;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

class MaxPool2dTest {
  static List<String> goldenCases() {
    return Golden.cases("max_pool2d_*.json");
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
        file, new MaxPool2d.Spec("pool", k[0], s[0], p[0], c.get("ceil_mode").asBoolean()), c);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Rng rng = Rng.of(7, 4);
    Shape in = Shape.of(2, 5, 6);
    int len = 2 * in.size();
    int[] perm = rng.permutation(len);
    float[] x = new float[len];
    for (int i = 0; i < len; i++) {
      x[i] = 0.1f * (perm[i] - len / 2); // distinct, 0.1 apart: a step of 0.01 never changes a max
    }
    for (MaxPool2d.Spec spec :
        new MaxPool2d.Spec[] {
          new MaxPool2d.Spec("pool", 2, 2, 0), new MaxPool2d.Spec("pool", 3, 2, 1),
          new MaxPool2d.Spec("pool", 2, 2, 0, true), new MaxPool2d.Spec("pool", 3, 2, 1, true),
          new MaxPool2d.Spec(
                  "pool",
                  PerAxis.of(3, 2),
                  PerAxis.of(1, 2),
                  PerAxis.of(1, 0),
                  true,
                  PerAxis.of(2, 1))
        }) {
      Vectors v = new Vectors(0, 0);
      GradCheck.check(spec.bind(in, v, 0, 0), v, x, 2, 1e-2, 1e-4, rng);
    }
  }

  @Test
  void ceilModeKeepsALastWindowOnlyIfItStartsInsideTheInputOrLeftPadding() {
    // PyTorch: nn.MaxPool2d(k, s, p, ceil_mode=True) on these sizes gives these outputs
    int[][] cases = { // H, K, S, P, floor, ceil
      {7, 2, 2, 0, 3, 4},
      {6, 2, 2, 0, 3, 3},
      {5, 3, 2, 1, 3, 3},
      {6, 3, 2, 1, 3, 4},
      {4, 2, 3, 1, 2, 2},
      {5, 3, 3, 0, 1, 2},
      {10, 3, 4, 1, 3, 3}
    };
    for (int[] t : cases) {
      Shape in = Shape.of(1, t[0], t[0]);
      assertEquals(
          Shape.of(1, t[4], t[4]),
          new MaxPool2d.Spec("p", t[1], t[2], t[3], false).outputShape(in));
      assertEquals(
          Shape.of(1, t[5], t[5]),
          new MaxPool2d.Spec("p", t[1], t[2], t[3], true).outputShape(in),
          "ceil_mode on H=" + t[0] + ", K=" + t[1] + ", S=" + t[2] + ", P=" + t[3]);
    }
  }

  @Test
  void paddingNeverWins() {
    // all inputs negative: a padded window must still pick an input, not the zero padding
    Vectors v = new Vectors(0, 0);
    Layer pool = new MaxPool2d.Spec("pool", 2, 2, 1).bind(Shape.of(1, 2, 2), v, 0, 0);
    float[] y = pool.forward(new float[] {-1, -2, -3, -4}, 1, false);
    assertArrayEquals(new float[] {-1, -2, -3, -4}, java.util.Arrays.copyOf(y, 4));
  }

  @Test
  void aTieRoutesTheGradientToTheFirstMaximumAsPyTorch() {
    Vectors v = new Vectors(0, 0);
    Layer pool = new MaxPool2d.Spec("pool", 2, 2, 0).bind(Shape.of(1, 2, 2), v, 0, 0);
    pool.forward(new float[] {1, 3, 3, 3}, 1, true);
    float[] dx = pool.backward(new float[] {5}, 1);
    assertArrayEquals(new float[] {0, 5, 0, 0}, java.util.Arrays.copyOf(dx, 4));
  }

  @Test
  void rejectsBadHyperParameters() {
    assertThrows(IllegalArgumentException.class, () -> new MaxPool2d.Spec("pool", 2, 2, 2));
    assertThrows(IllegalArgumentException.class, () -> new MaxPool2d.Spec("pool", 0, 2, 0));
    assertThrows(
        ShapeMismatch.class,
        () -> new MaxPool2d.Spec("pool", 3, 1, 0).outputShape(Shape.of(1, 2, 2)));
  }
}

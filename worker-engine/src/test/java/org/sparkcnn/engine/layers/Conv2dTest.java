/*
 * Conv2d against PyTorch's values (../shared/golden/conv2d_*.json) and against finite differences.
 * The engine's convolution has square kernels, one stride and one padding for both axes, no groups
 * and no dilation; golden cases outside that are skipped, each with the reason.
 */
package org.sparkcnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
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

class Conv2dTest {
  static List<String> goldenCases() {
    return Golden.cases("conv2d_*.json");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenCases")
  void matchesPyTorch(String file) {
    JsonNode c = Golden.read(file);
    assumeTrue(c.get("groups").intValue() == 1, file + ": grouped convolution is not implemented");
    assumeTrue(symmetric(c.get("dilation"), 1), file + ": dilation is not implemented");
    assumeTrue(symmetric(c.get("stride"), -1) && symmetric(c.get("padding"), -1),
        file + ": stride and padding must be one int for both axes");
    int[] w = Golden.shape(c.get("weight"));
    assumeTrue(w[2] == w[3], file + ": kernels must be square");
    int stride = c.get("stride").get(0).intValue();
    int padding = c.get("padding").get(0).intValue();
    Conv2d.Spec spec = new Conv2d.Spec("conv", w[1], w[0], w[2], stride, padding, c.has("bias"));
    LayerGolden.check(file, spec, c);
  }

  /** The worked example of the course slides: its output begins 3.1, -3.9, -10.9. */
  @Test
  void slideExample() {
    JsonNode c = Golden.read("conv2d_slide_example.json");
    Vectors v = new Vectors(2 * 2 * 2 * 2 + 2, 0);
    System.arraycopy(Golden.floats(c.get("weight")), 0, v.params, 0, 16);
    System.arraycopy(Golden.floats(c.get("bias")), 0, v.params, 16, 2);
    Layer conv = Conv2d.Spec.of("conv", 2, 2, 2, 1, 0).bind(Shape.of(2, 4, 4), v, 0, 0);
    float[] y = conv.forward(Golden.floats(c.get("input")), 1, false);
    assertArrayEquals(new float[] {3.1f, -3.9f, -10.9f}, Arrays.copyOf(y, 3), 1e-5f);
  }

  /** [a, a] with a == want (want < 0: any value). */
  private static boolean symmetric(JsonNode pair, int want) {
    return pair.isArray() && pair.size() == 2 && pair.get(0).isInt()
        && pair.get(0).intValue() == pair.get(1).intValue()
        && (want < 0 || pair.get(0).intValue() == want);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Rng rng = Rng.of(7, 1);
    for (boolean bias : new boolean[] {true, false}) {
      Conv2d.Spec spec = new Conv2d.Spec("conv", 2, 3, 3, 2, 1, bias);
      Shape in = Shape.of(2, 7, 6);
      Vectors v = new Vectors(spec.paramCount(in), 0);
      System.arraycopy(GradCheck.uniform(rng, v.params.length, -0.5f, 0.5f), 0, v.params, 0,
          v.params.length);
      Layer conv = spec.bind(in, v, 0, 0);
      GradCheck.check(conv, v, GradCheck.uniform(rng, 2 * in.size(), -1f, 1f), 2, 1e-2, 1e-3, rng);
    }
  }

  @Test
  void rejectsInputsThatDoNotFit() {
    Conv2d.Spec spec = Conv2d.Spec.of("conv7", 3, 8, 5, 1, 0);
    ShapeMismatch e =
        assertThrows(ShapeMismatch.class, () -> spec.outputShape(Shape.of(1, 28, 28)));
    assertTrue(e.getMessage().contains("conv7") && e.getMessage().contains("1x28x28"),
        e.getMessage());
    assertThrows(ShapeMismatch.class, () -> spec.outputShape(Shape.of(3, 4, 4)));
    assertThrows(ShapeMismatch.class, () -> spec.outputShape(Shape.of(48)));
    assertThrows(IllegalArgumentException.class, () -> Conv2d.Spec.of("bad", 3, 0, 5, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> Conv2d.Spec.of("bad", 3, 8, 5, 1, -1));
  }
}

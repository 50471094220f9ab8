/* Sigmoid against PyTorch's values (../shared/golden/sigmoid_*.json) and finite differences. */
package org.sparkcnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkcnn.engine.Golden;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

class SigmoidTest {
  static List<String> goldenCases() {
    return Golden.cases("sigmoid_*.json");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenCases")
  void matchesPyTorch(String file) {
    LayerGolden.check(file, new Sigmoid.Spec("sigmoid"), Golden.read(file));
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Rng rng = Rng.of(7, 13);
    Shape in = Shape.of(3, 5);
    Vectors v = new Vectors(0, 0);
    GradCheck.check(
        new Sigmoid.Spec("sigmoid").bind(in, v, 0, 0),
        v,
        GradCheck.uniform(rng, 2 * in.size(), -4f, 4f),
        2,
        1e-2,
        1e-4,
        rng);
  }

  @Test
  void saturatesWithoutOverflow() {
    Layer s = new Sigmoid.Spec("sigmoid").bind(Shape.of(3), new Vectors(0, 0), 0, 0);
    float[] y = s.forward(new float[] {-1000f, 0f, 1000f}, 1, false);
    assertEquals(0f, y[0]);
    assertEquals(0.5f, y[1]);
    assertEquals(1f, y[2]);
  }
}

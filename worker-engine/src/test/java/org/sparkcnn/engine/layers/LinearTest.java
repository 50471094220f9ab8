/* Linear against PyTorch's values (../shared/golden/linear_*.json) and finite differences. */
package org.sparkcnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkcnn.engine.Golden;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

class LinearTest {
  static List<String> goldenCases() {
    return Golden.cases("linear_*.json");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenCases")
  void matchesPyTorch(String file) {
    JsonNode c = Golden.read(file);
    int[] w = Golden.shape(c.get("weight")); // [out, in]
    LayerGolden.check(file, new Linear.Spec("fc", w[1], w[0], c.has("bias")), c);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Rng rng = Rng.of(7, 2);
    for (boolean bias : new boolean[] {true, false}) {
      Linear.Spec spec = new Linear.Spec("fc", 0, 5, bias);
      Shape in = Shape.of(7);
      Vectors v = new Vectors(spec.paramCount(in), 0);
      System.arraycopy(
          GradCheck.uniform(rng, v.params.length, -0.5f, 0.5f), 0, v.params, 0, v.params.length);
      Layer fc = spec.bind(in, v, 0, 0);
      GradCheck.check(fc, v, GradCheck.uniform(rng, 3 * 7, -1f, 1f), 3, 1e-2, 1e-3, rng);
    }
  }

  @Test
  void rejectsInputsThatDoNotFit() {
    Linear.Spec spec = Linear.Spec.of("fc1", 100, 10);
    ShapeMismatch e = assertThrows(ShapeMismatch.class, () -> spec.outputShape(Shape.of(50)));
    assertTrue(
        e.getMessage().contains("fc1")
            && e.getMessage().contains("50")
            && e.getMessage().contains("100"),
        e.getMessage());
    e = assertThrows(ShapeMismatch.class, () -> spec.outputShape(Shape.of(4, 5, 5)));
    assertTrue(
        e.getMessage().contains("4x5x5") && e.getMessage().contains("flatten"), e.getMessage());
  }
}

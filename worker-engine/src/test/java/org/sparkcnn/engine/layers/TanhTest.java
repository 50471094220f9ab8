/* Tanh against PyTorch's values (../shared/golden/tanh_*.json) and finite differences. */
package org.sparkcnn.engine.layers;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkcnn.engine.Golden;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

class TanhTest {
  static List<String> goldenCases() {
    return Golden.cases("tanh_*.json");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenCases")
  void matchesPyTorch(String file) {
    LayerGolden.check(file, new Tanh.Spec("tanh"), Golden.read(file));
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Rng rng = Rng.of(7, 14);
    Shape in = Shape.of(3, 5);
    Vectors v = new Vectors(0, 0);
    GradCheck.check(
        new Tanh.Spec("tanh").bind(in, v, 0, 0),
        v,
        GradCheck.uniform(rng, 2 * in.size(), -2f, 2f),
        2,
        1e-2,
        1e-4,
        rng);
  }
}

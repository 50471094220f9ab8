/* ReLU against PyTorch's values (../shared/golden/relu_*.json) and finite differences. */
package org.sparkcnn.engine.layers;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkcnn.engine.Golden;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

class ReLUTest {
  static List<String> goldenCases() {
    return Golden.cases("relu_*.json");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenCases")
  void matchesPyTorch(String file) {
    LayerGolden.check(file, new ReLU.Spec("relu"), Golden.read(file));
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Rng rng = Rng.of(7, 3);
    Shape in = Shape.of(2, 3, 4);
    float[] x = GradCheck.uniform(rng, 2 * in.size(), 0.1f, 1f);
    for (int i = 0; i < x.length; i += 2) {
      x[i] = -x[i]; // half negative, none within 0.1 of the kink
    }
    Vectors v = new Vectors(0, 0);
    GradCheck.check(new ReLU.Spec("relu").bind(in, v, 0, 0), v, x, 2, 1e-2, 1e-4, rng);
  }
}

/*
 * LeakyReLU against PyTorch's values (../shared/golden/leaky_relu_*.json) and finite differences.
 */
package org.sparkcnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkcnn.engine.Golden;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

class LeakyReLUTest {
  static List<String> goldenCases() {
    return Golden.cases("leaky_relu_*.json");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenCases")
  void matchesPyTorch(String file) {
    JsonNode c = Golden.read(file);
    LayerGolden.check(file, new LeakyReLU.Spec("lrelu", c.get("negative_slope").doubleValue()), c);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Rng rng = Rng.of(7, 12);
    Shape in = Shape.of(2, 3, 4);
    float[] x = GradCheck.uniform(rng, 2 * in.size(), 0.1f, 1f);
    for (int i = 0; i < x.length; i += 2) {
      x[i] = -x[i]; // half negative, none within 0.1 of the kink
    }
    for (double slope : new double[] {0.01, 0.2, -0.5}) {
      Vectors v = new Vectors(0, 0);
      GradCheck.check(
          new LeakyReLU.Spec("lrelu", slope).bind(in, v, 0, 0), v, x, 2, 1e-2, 1e-4, rng);
    }
  }

  @Test
  void slopeDefaultsToPyTorchs() {
    assertEquals(0.01, new LeakyReLU.Spec("lrelu").negativeSlope());
  }
}

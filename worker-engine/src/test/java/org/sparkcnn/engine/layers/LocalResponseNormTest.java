/*
 * LocalResponseNorm against PyTorch's values (../shared/golden/local_response_norm_*.json,
 * AlexNet's settings), hand-computed values at the channel borders, and finite differences for odd
 * and even window sizes.
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

class LocalResponseNormTest {
  static List<String> goldenCases() {
    return Golden.cases("local_response_norm_*.json");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenCases")
  void matchesPyTorch(String file) {
    JsonNode c = Golden.read(file);
    LayerGolden.check(
        file,
        new LocalResponseNorm.Spec(
            "lrn",
            c.get("size").intValue(),
            c.get("alpha").doubleValue(),
            c.get("beta").doubleValue(),
            c.get("k").doubleValue()),
        c);
  }

  @Test
  void theWindowIsZeroPaddedButAlphaIsAlwaysDividedBySize() {
    // channels 1, 2, 3 at one position, size 3: channel 0 sees channels 0 and 1 (and padding)
    Layer lrn =
        new LocalResponseNorm.Spec("lrn", 3, 0.3, 0.5, 1.0)
            .bind(Shape.of(3, 1, 1), new Vectors(0, 0), 0, 0);
    float[] y = lrn.forward(new float[] {1, 2, 3}, 1, false);
    assertEquals(1 / Math.sqrt(1 + 0.1 * (1 + 4)), y[0], 1e-6);
    assertEquals(2 / Math.sqrt(1 + 0.1 * (1 + 4 + 9)), y[1], 1e-6);
    assertEquals(3 / Math.sqrt(1 + 0.1 * (4 + 9)), y[2], 1e-6);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Rng rng = Rng.of(7, 18);
    Shape in = Shape.of(6, 2, 3);
    float[] x = GradCheck.uniform(rng, 2 * in.size(), -2f, 2f);
    for (int size : new int[] {1, 4, 5}) {
      // a large alpha so that the normalisation, not just the identity, is checked
      LocalResponseNorm.Spec spec = new LocalResponseNorm.Spec("lrn", size, 0.5, 0.75, 2.0);
      Vectors v = new Vectors(0, 0);
      GradCheck.check(spec.bind(in, v, 0, 0), v, x, 2, 1e-2, 1e-4, rng);
    }
  }
}

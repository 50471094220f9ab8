/*
 * GlobalAvgPool2d against PyTorch's values (../shared/golden/global_avg_pool2d_*.json) and finite
 * differences.
 */
package org.sparkcnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkcnn.engine.Golden;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

class GlobalAvgPool2dTest {
  static List<String> goldenCases() {
    return Golden.cases("global_avg_pool2d_*.json");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenCases")
  void matchesPyTorch(String file) {
    LayerGolden.check(file, new GlobalAvgPool2d.Spec("gap"), Golden.read(file));
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Rng rng = Rng.of(7, 11);
    Shape in = Shape.of(3, 4, 5);
    Vectors v = new Vectors(0, 0);
    Layer gap = new GlobalAvgPool2d.Spec("gap").bind(in, v, 0, 0);
    assertEquals(Shape.of(3), gap.outputShape());
    GradCheck.check(gap, v, GradCheck.uniform(rng, 2 * in.size(), -1f, 1f), 2, 1e-2, 1e-4, rng);
  }

  @Test
  void needsFeatureMaps() {
    assertThrows(
        ShapeMismatch.class, () -> new GlobalAvgPool2d.Spec("gap").outputShape(Shape.of(8)));
  }
}

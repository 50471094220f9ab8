/*
 * PixelShuffle against PyTorch's values (../shared/golden/pixel_shuffle_*.json), a hand-worked
 * example, and finite differences.
 */
package org.sparkcnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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

class PixelShuffleTest {
  static List<String> goldenCases() {
    return Golden.cases("pixel_shuffle_*.json");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenCases")
  void matchesPyTorch(String file) {
    JsonNode c = Golden.read(file);
    LayerGolden.check(
        file, new PixelShuffle.Spec("shuffle", c.get("upscale_factor").intValue()), c);
  }

  @Test
  void interleavesTheChannelsOfEachPixel() {
    // 4 channels of 1x1 become one 2x2 channel: y[i, j] = x[2 i + j]
    Layer ps = new PixelShuffle.Spec("shuffle", 2).bind(Shape.of(4, 1, 2), new Vectors(0, 0), 0, 0);
    assertEquals(Shape.of(1, 2, 4), ps.outputShape());
    float[] y = ps.forward(new float[] {0, 1, 10, 11, 20, 21, 30, 31}, 1, false);
    assertArrayEquals(new float[] {0, 10, 1, 11, 20, 30, 21, 31}, Arrays.copyOf(y, 8));
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Rng rng = Rng.of(7, 19);
    Shape in = Shape.of(18, 2, 3);
    Vectors v = new Vectors(0, 0);
    GradCheck.check(
        new PixelShuffle.Spec("shuffle", 3).bind(in, v, 0, 0),
        v,
        GradCheck.uniform(rng, 2 * in.size(), -1f, 1f),
        2,
        1e-2,
        1e-4,
        rng);
  }

  @Test
  void channelsMustDivideBySquaredFactor() {
    assertThrows(
        ShapeMismatch.class,
        () -> new PixelShuffle.Spec("shuffle", 2).outputShape(Shape.of(6, 2, 2)));
    assertThrows(IllegalArgumentException.class, () -> new PixelShuffle.Spec("shuffle", 0));
  }
}

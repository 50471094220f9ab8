/*
 * Architecture: parameter counts and offsets, shape errors reported with the layer's name and
 * both shapes when the model is built, and the JSON form that travels inside model files.
 */
package org.sparkcnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparkcnn.engine.layers.Conv2d;
import org.sparkcnn.engine.layers.Flatten;
import org.sparkcnn.engine.layers.Linear;
import org.sparkcnn.engine.layers.MaxPool2d;
import org.sparkcnn.engine.layers.ReLU;
import org.sparkcnn.engine.layers.ShapeMismatch;

class ArchitectureTest {
  @Test
  void lenet5HasTheCourseParameterCount() {
    Architecture a = Models.lenet5(Shape.of(1, 28, 28), 10);
    assertEquals(1_256_080, a.paramCount());
    assertEquals(0, a.bufferCount());
    assertEquals(Shape.of(10), a.output());
    assertEquals(Shape.of(50, 7, 7), a.shapeBefore(6));
    assertEquals(Shape.of(2450), a.shapeBefore(7));
    // conv1 520, conv2 25,050, fc1 1,225,500, fc2 5,010 parameters, in that order
    int[] offsets = {0, 520, 520, 520, 25_570, 25_570, 25_570, 25_570, 1_251_070, 1_251_070};
    for (int i = 0; i < offsets.length; i++) {
      assertEquals(offsets[i], a.paramOffset(i), "offset of layer " + i);
    }
    assertEquals(a.layers().size() + 2, a.summary().size()); // header, one row a layer, total
    assertEquals(a.layers(), Models.byName("lenet5", Shape.of(1, 28, 28), 10).layers());
    assertThrows(IllegalArgumentException.class, () -> Models.byName("vgg99", a.input(), 10));
  }

  @Test
  void lenet5AdaptsToColourImages() {
    Architecture a = Models.lenet5(Shape.of(3, 32, 32), 10);
    assertEquals(Shape.of(3200), a.shapeBefore(7));
    assertEquals(20 * 3 * 25 + 20 + 50 * 20 * 25 + 50 + 500 * 3200 + 500 + 5010, a.paramCount());
  }

  @Test
  void aLinearLayerWithoutFlattenNamesItselfAndBothShapes() {
    ShapeMismatch e = assertThrows(ShapeMismatch.class, () -> new Architecture(Shape.of(1, 28, 28),
        List.of(Conv2d.Spec.of("conv1", 1, 4, 3, 1, 1), Linear.Spec.of("fc1", 3136, 10))));
    assertMessage(e, "fc1", "4x28x28", "[F]");
  }

  @Test
  void aConvolutionWithTheWrongChannelsNamesItselfAndBothShapes() {
    ShapeMismatch e = assertThrows(ShapeMismatch.class,
        () -> new Architecture(Shape.of(1, 28, 28), List.of(Conv2d.Spec.of("rgb", 3, 8, 3, 1, 1))));
    assertMessage(e, "rgb", "1x28x28", "3 input channels");
    // too small an image: the second pooling window no longer fits
    e = assertThrows(ShapeMismatch.class, () -> Models.lenet5(Shape.of(1, 2, 2), 10));
    assertMessage(e, "pool2", "50x1x1");
  }

  @Test
  void layersNeedUniqueNames() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Architecture(Shape.of(4), List.of(new ReLU.Spec("a"), new ReLU.Spec("a"))));
    assertMessage(e, "unique", "a");
    assertThrows(IllegalArgumentException.class, () -> new Architecture(Shape.of(4), List.of()));
  }

  @Test
  void jsonRoundTrip() throws JsonProcessingException {
    Architecture a = new Architecture(Shape.of(3, 9, 9), List.of(
        new Conv2d.Spec("c1", 0, 6, 3, 2, 1, false),
        new ReLU.Spec("r1"),
        new MaxPool2d.Spec("p1", 2, 0, 0),
        new Flatten.Spec("f"),
        new Linear.Spec("fc", 0, 5, false)));
    String json = ModelFile.JSON.writeValueAsString(a);
    assertTrue(json.contains("\"type\":\"conv2d\""), json);
    Architecture back = ModelFile.JSON.readValue(json, Architecture.class);
    assertEquals(a.layers(), back.layers());
    assertEquals(a.input(), back.input());
    assertEquals(a.paramCount(), back.paramCount());
    for (int i = 0; i <= a.layers().size(); i++) {
      assertEquals(a.shapeBefore(i), back.shapeBefore(i), "shape before layer " + i);
    }
    Architecture lenet = Models.lenet5(Shape.of(1, 28, 28), 10);
    Architecture lenetBack = ModelFile.JSON.readValue(
        ModelFile.JSON.writeValueAsString(lenet), Architecture.class);
    assertEquals(lenet.paramCount(), lenetBack.paramCount());
    assertEquals(lenet.output(), lenetBack.output());
  }

  @Test
  void initialisationIsDeterministicAndBiasesStartAtZero() {
    Architecture a = Models.lenet5(Shape.of(1, 28, 28), 10);
    Vectors v1 = a.initialise(Init.HE, Rng.of(42));
    Vectors v2 = a.initialise(Init.HE, Rng.of(42));
    assertTrue(java.util.Arrays.equals(v1.params, v2.params));
    for (int i = 500; i < 520; i++) {
      assertEquals(0f, v1.params[i], "conv1 bias");
    }
    // He: std sqrt(2 / 25) for conv1's 500 weights
    double sq = 0;
    for (int i = 0; i < 500; i++) {
      sq += v1.params[i] * v1.params[i];
    }
    assertEquals(Math.sqrt(2.0 / 25), Math.sqrt(sq / 500), 0.03);
  }

  private static void assertMessage(Exception e, String... words) {
    for (String w : words) {
      assertTrue(e.getMessage().contains(w), "'" + w + "' missing from: " + e.getMessage());
    }
  }
}

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
import org.sparkcnn.engine.layers.AvgPool2d;
import org.sparkcnn.engine.layers.BatchNorm1d;
import org.sparkcnn.engine.layers.BatchNorm2d;
import org.sparkcnn.engine.layers.Conv2d;
import org.sparkcnn.engine.layers.Dropout;
import org.sparkcnn.engine.layers.Flatten;
import org.sparkcnn.engine.layers.GlobalAvgPool2d;
import org.sparkcnn.engine.layers.LayerSpec;
import org.sparkcnn.engine.layers.LeakyReLU;
import org.sparkcnn.engine.layers.Linear;
import org.sparkcnn.engine.layers.LocalResponseNorm;
import org.sparkcnn.engine.layers.MaxPool2d;
import org.sparkcnn.engine.layers.Padding;
import org.sparkcnn.engine.layers.PerAxis;
import org.sparkcnn.engine.layers.PixelShuffle;
import org.sparkcnn.engine.layers.ReLU;
import org.sparkcnn.engine.layers.ShapeMismatch;
import org.sparkcnn.engine.layers.Sigmoid;
import org.sparkcnn.engine.layers.Softmax;
import org.sparkcnn.engine.layers.Tanh;

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
    assertEquals(
        a.layers().size() + 2,
        a.summary(EngineOptions.DEFAULT).size()); // header, one row a layer, total
    assertEquals(a.layers(), Models.byName("lenet5", Shape.of(1, 28, 28), 10).layers());
    assertThrows(IllegalArgumentException.class, () -> Models.byName("vgg99", a.input(), 10));
  }

  @Test
  void summaryNamesTheWayEachConvolutionRuns() {
    Architecture a =
        new Architecture(
            Shape.of(3, 16, 16),
            List.of(
                Conv2d.Spec.of("same", 3, 8, 3, 1, 1),
                new Conv2d.Spec("down", 8, 8, 3, 2, 1, true),
                new Conv2d.Spec(
                    "dilated",
                    8,
                    8,
                    PerAxis.of(3),
                    PerAxis.of(2),
                    Padding.of(2),
                    true,
                    PerAxis.of(2),
                    1),
                new ReLU.Spec("relu")));
    List<String> rows = a.summary(EngineOptions.DEFAULT);
    assertTrue(rows.get(0).endsWith("  conv path"), rows.get(0));
    assertTrue(rows.get(1).endsWith("  implicit"), rows.get(1)); // stride 1
    assertTrue(rows.get(2).endsWith("  phased"), rows.get(2)); // stride 2, no dilation
    assertTrue(rows.get(3).endsWith("  lowered"), rows.get(3)); // stride 2, dilation 2
    assertTrue(rows.get(4).endsWith("  0"), "no path for a ReLU: " + rows.get(4));
    // engine.conv: lowered puts every convolution on the lowering path
    List<String> lowered =
        a.summary(EngineOptions.DEFAULT.withConv(EngineOptions.ConvPaths.LOWERED));
    for (int i = 1; i <= 3; i++) {
      assertTrue(lowered.get(i).endsWith("  lowered"), lowered.get(i));
    }
  }

  @Test
  void lenet5AdaptsToColourImages() {
    Architecture a = Models.lenet5(Shape.of(3, 32, 32), 10);
    assertEquals(Shape.of(3200), a.shapeBefore(7));
    assertEquals(20 * 3 * 25 + 20 + 50 * 20 * 25 + 50 + 500 * 3200 + 500 + 5010, a.paramCount());
  }

  @Test
  void aLinearLayerWithoutFlattenNamesItselfAndBothShapes() {
    ShapeMismatch e =
        assertThrows(
            ShapeMismatch.class,
            () ->
                new Architecture(
                    Shape.of(1, 28, 28),
                    List.of(
                        Conv2d.Spec.of("conv1", 1, 4, 3, 1, 1), Linear.Spec.of("fc1", 3136, 10))));
    assertMessage(e, "fc1", "4x28x28", "[F]");
  }

  @Test
  void aConvolutionWithTheWrongChannelsNamesItselfAndBothShapes() {
    ShapeMismatch e =
        assertThrows(
            ShapeMismatch.class,
            () ->
                new Architecture(
                    Shape.of(1, 28, 28), List.of(Conv2d.Spec.of("rgb", 3, 8, 3, 1, 1))));
    assertMessage(e, "rgb", "1x28x28", "3 input channels");
    // too small an image: the second pooling window no longer fits
    e = assertThrows(ShapeMismatch.class, () -> Models.lenet5(Shape.of(1, 2, 2), 10));
    assertMessage(e, "pool2", "50x1x1");
  }

  @Test
  void layersNeedUniqueNames() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Architecture(Shape.of(4), List.of(new ReLU.Spec("a"), new ReLU.Spec("a"))));
    assertMessage(e, "unique", "a");
    assertThrows(IllegalArgumentException.class, () -> new Architecture(Shape.of(4), List.of()));
  }

  @Test
  void jsonRoundTrip() throws JsonProcessingException {
    Architecture a =
        new Architecture(
            Shape.of(3, 9, 9),
            List.of(
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
    Architecture lenetBack =
        ModelFile.JSON.readValue(ModelFile.JSON.writeValueAsString(lenet), Architecture.class);
    assertEquals(lenet.paramCount(), lenetBack.paramCount());
    assertEquals(lenet.output(), lenetBack.output());
  }

  /** Every layer kind but convolution, with non-default hyper-parameters. */
  static Architecture everyBuildingBlock() {
    return new Architecture(
        Shape.of(3, 8, 8),
        List.of(
            new BatchNorm2d.Spec("bn1", 0, null, 0.2),
            new LeakyReLU.Spec("lrelu", 0.2),
            new LocalResponseNorm.Spec("lrn", 3, null, null, 2.0),
            new MaxPool2d.Spec("maxpool", 3, 2, 1, true), // 3x5x5
            new AvgPool2d.Spec("avgpool", 2, 1, 0, true, false), // 3x4x4
            Conv2d.Spec.of("conv", 0, 8, 1, 1, 0), // 8x4x4
            new PixelShuffle.Spec("shuffle", 2), // 2x8x8
            new Sigmoid.Spec("sigmoid"),
            new Tanh.Spec("tanh"),
            new Dropout.Spec("drop", 0.25),
            new GlobalAvgPool2d.Spec("gap"), // 2
            new BatchNorm1d.Spec("bn2", 2, 1e-3, null),
            new Softmax.Spec("softmax")));
  }

  @Test
  void newLayerSpecsRoundTripThroughJson() throws JsonProcessingException {
    Architecture a = everyBuildingBlock();
    assertEquals(Shape.of(2), a.output());
    assertEquals(6 + 8 * 3 + 8 + 4, a.paramCount());
    assertEquals(6 + 4, a.bufferCount());
    assertEquals(6, a.bufferOffset(11));
    String json = ModelFile.JSON.writeValueAsString(a);
    for (String name :
        new String[] {
          "avg_pool2d",
          "global_avg_pool2d",
          "leaky_relu",
          "sigmoid",
          "tanh",
          "softmax",
          "batch_norm1d",
          "batch_norm2d",
          "dropout",
          "local_response_norm",
          "pixel_shuffle"
        }) {
      assertTrue(json.contains("\"type\":\"" + name + "\""), name + " in " + json);
    }
    for (String field :
        new String[] {"ceil_mode", "count_include_pad", "negative_slope", "upscale_factor"}) {
      assertTrue(json.contains("\"" + field + "\""), field + " in " + json);
    }
    Architecture back = ModelFile.JSON.readValue(json, Architecture.class);
    assertEquals(a.layers(), back.layers());
    assertEquals(a.bufferCount(), back.bufferCount());
    for (int i = 0; i <= a.layers().size(); i++) {
      assertEquals(a.shapeBefore(i), back.shapeBefore(i), "shape before layer " + i);
    }
  }

  @Test
  void optionalFieldsTakePyTorchsDefaults() throws JsonProcessingException {
    String json =
        "[{\"type\":\"max_pool2d\",\"name\":\"a\",\"kernel\":2},"
            + "{\"type\":\"avg_pool2d\",\"name\":\"b\",\"kernel\":3},"
            + "{\"type\":\"leaky_relu\",\"name\":\"c\"},"
            + "{\"type\":\"batch_norm2d\",\"name\":\"d\"},"
            + "{\"type\":\"dropout\",\"name\":\"e\"},"
            + "{\"type\":\"local_response_norm\",\"name\":\"f\",\"size\":5}]";
    LayerSpec[] specs = ModelFile.JSON.readValue(json, LayerSpec[].class);
    assertEquals(new MaxPool2d.Spec("a", 2, 2, 0, false), specs[0]);
    assertEquals(new AvgPool2d.Spec("b", 3, 3, 0, false, true), specs[1]);
    assertEquals(new LeakyReLU.Spec("c", 0.01), specs[2]);
    assertEquals(new BatchNorm2d.Spec("d", 0, 1e-5, 0.1), specs[3]);
    assertEquals(new Dropout.Spec("e", 0.5), specs[4]);
    assertEquals(new LocalResponseNorm.Spec("f", 5, 1e-4, 0.75, 1.0), specs[5]);
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

/*
 * Model definitions as data: the slides' worked example, LeNet-5 as data equal to the Java one,
 * named blocks with parameters, repeat, residual and concat, and errors that name their place.
 */
package org.sparkcnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparkcnn.engine.layers.Residual;

class ModelDefinitionTest {
  private static Map<String, Object> conv(Object... kv) {
    return Map.of("conv2d", map(kv));
  }

  private static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void theSlidesExampleHas760ParametersAnd768000MultiplyAdds() {
    Architecture a =
        ModelDefinition.parse(
            map(
                "input", List.of(3, 32, 32),
                "layers", List.of(conv("out", 10, "kernel", 5, "stride", 1, "padding", 2))),
            Shape.of(3, 32, 32),
            10);
    assertEquals(Shape.of(10, 32, 32), a.output());
    assertEquals(760, a.paramCount());
    assertEquals(768_000, a.macs());
    assertEquals("conv1", a.layers().get(0).name());
  }

  @Test
  void lenetAsDataEqualsTheJavaDefinition() throws Exception {
    Architecture data =
        ModelDefinition.parse(
            map(
                "layers",
                List.of(
                    conv("out", 20, "kernel", 5, "padding", 2),
                    "relu",
                    Map.of("max_pool2d", map("kernel", 2)),
                    conv("out", 50, "kernel", 5, "padding", 2),
                    "relu",
                    Map.of("max_pool2d", map("kernel", 2)),
                    "flatten",
                    Map.of("linear", map("out", 500)),
                    "relu",
                    Map.of("linear", map("out", "$classes")))),
            Shape.of(1, 28, 28),
            10);
    Architecture java = Models.lenet5(Shape.of(1, 28, 28), 10);
    assertEquals(1_256_080, data.paramCount());
    assertEquals(java.paramCount(), data.paramCount());
    for (int i = 0; i <= java.layers().size(); i++) {
      assertEquals(java.shapeBefore(i), data.shapeBefore(i));
      assertEquals(java.paramOffset(i), data.paramOffset(i));
    }
  }

  @Test
  void blocksRepeatAndResidualsBuildWithPrefixedNames() {
    Map<String, Object> doc =
        map(
            "blocks",
                map(
                    "unit",
                    map(
                        "params",
                        map("out", 4, "stride", 1),
                        "layers",
                        List.of(
                            Map.of(
                                "residual",
                                map(
                                    "body",
                                        List.of(
                                            conv(
                                                "out", "$out", "kernel", 3, "stride", "$stride",
                                                "padding", 1),
                                            "relu"),
                                    "shortcut",
                                        List.of(
                                            conv(
                                                "out", "$out", "kernel", 1, "stride",
                                                "$stride"))))))),
            "layers",
                List.of(
                    conv("out", 4, "kernel", 3, "padding", 1),
                    Map.of("unit", map("out", 8, "stride", 2)),
                    Map.of(
                        "repeat",
                        map("times", 2, "layers", List.of(Map.of("unit", map("out", 8))))),
                    Map.of("concat", List.of(List.of(conv("out", 2, "kernel", 1)), List.of())),
                    "flatten",
                    Map.of("linear", map("out", "$classes"))));
    Architecture a = ModelDefinition.parse(doc, Shape.of(3, 8, 8), 5);
    assertEquals(Shape.of(5), a.output());
    assertEquals(7, a.layers().size());
    Residual.Spec first = (Residual.Spec) a.layers().get(1);
    assertEquals("unit1.res1", first.name());
    assertEquals("unit1.conv2", first.body().get(0).name());
    assertEquals(Shape.of(8, 4, 4), a.shapeBefore(2));
    assertEquals(Shape.of(10, 4, 4), a.shapeBefore(5));
  }

  @Test
  void settingsUseTheirJsonNames() {
    Architecture a =
        ModelDefinition.parse(
            map(
                "layers",
                List.of(
                    Map.of("max_pool2d", map("kernel", 2, "ceil_mode", true)),
                    Map.of("leaky_relu", map("negative_slope", 0.2)),
                    "batch_norm2d")),
            Shape.of(2, 5, 5),
            2);
    assertEquals(Shape.of(2, 3, 3), a.output());
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ModelDefinition.parse(
                    map(
                        "layers",
                        List.of(Map.of("max_pool2d", map("kernel", 2, "ceilMode", true)))),
                    Shape.of(2, 5, 5),
                    2));
    assertTrue(
        e.getMessage().contains("unknown setting 'ceilMode'")
            && e.getMessage().contains("ceil_mode"),
        e.getMessage());
  }

  @Test
  void errorsNameTheirPlace() {
    Shape in = Shape.of(1, 8, 8);
    var unknownType =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ModelDefinition.parse(
                    map("layers", List.of("relu", Map.of("convolution", map("out", 3)))), in, 2));
    assertTrue(
        unknownType.getMessage().startsWith("layers[1].convolution: unknown layer type"),
        unknownType.getMessage());
    assertTrue(unknownType.getMessage().contains("conv2d"), unknownType.getMessage());
    var badField =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ModelDefinition.parse(map("layers", List.of(conv("out", 3, "kernal", 3))), in, 2));
    assertTrue(
        badField.getMessage().startsWith("layers[0].conv2d: ")
            && badField.getMessage().contains("kernal"),
        badField.getMessage());
    var badParam =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ModelDefinition.parse(
                    map(
                        "blocks",
                        map(
                            "b",
                            map(
                                "params",
                                map("out", 2),
                                "layers",
                                List.of(conv("out", "$width", "kernel", 1)))),
                        "layers",
                        List.of("b")),
                    in,
                    2));
    assertTrue(badParam.getMessage().contains("unknown parameter $width"), badParam.getMessage());
    var badShape =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ModelDefinition.parse(
                    map("layers", List.of(Map.of("linear", map("out", 3)))), in, 2));
    assertTrue(
        badShape.getMessage().contains("layer 'fc1' does not fit its input: got input 1x8x8"),
        badShape.getMessage());
    var wrongInput =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ModelDefinition.parse(
                    map("input", List.of(3, 32, 32), "layers", List.of("relu")), in, 2));
    assertTrue(
        wrongInput.getMessage().contains("defined for input 3x32x32, the data is 1x8x8"),
        wrongInput.getMessage());
  }
}

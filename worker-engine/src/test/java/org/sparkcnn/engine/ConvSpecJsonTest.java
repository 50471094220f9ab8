/*
 * The JSON form of the convolution specs inside an architecture (model files, configs): options
 * read as one int, a list per axis or a padding rule, left-out options take PyTorch's defaults,
 * the old conv2d form still reads, a round trip through ModelFile.JSON gives equal specs and
 * shapes, padding_mode reads from JSON and model definitions and is written only when it is not
 * zeros, and bad values are reported with the field.
 */
package org.sparkcnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparkcnn.engine.layers.Conv1d;
import org.sparkcnn.engine.layers.Conv2d;
import org.sparkcnn.engine.layers.Conv3d;
import org.sparkcnn.engine.layers.ConvTranspose2d;
import org.sparkcnn.engine.layers.Padding;
import org.sparkcnn.engine.layers.PerAxis;

class ConvSpecJsonTest {
  private static Architecture read(String json) throws JsonProcessingException {
    return ModelFile.JSON.readValue(json.replace('\'', '"'), Architecture.class);
  }

  private static Architecture roundTrip(Architecture a) throws JsonProcessingException {
    Architecture back = read(ModelFile.JSON.writeValueAsString(a));
    assertEquals(a.layers(), back.layers());
    assertEquals(a.paramCount(), back.paramCount());
    for (int i = 0; i <= a.layers().size(); i++) {
      assertEquals(a.shapeBefore(i), back.shapeBefore(i), "shape before layer " + i);
    }
    return back;
  }

  @Test
  void newOptionsReadNaturally() throws JsonProcessingException {
    Architecture a =
        read(
            "{'input': [8, 20, 20], 'layers': [{'type': 'conv2d', 'name': 'c',"
                + " 'out': 64, 'kernel': [1, 7], 'padding': 'same', 'dilation': 2, 'groups': 4}]}");
    Conv2d.Spec c = (Conv2d.Spec) a.layers().get(0);
    assertEquals(PerAxis.of(1, 7), c.kernel());
    assertEquals(Padding.SAME, c.padding());
    assertEquals(PerAxis.ONE, c.stride());
    assertEquals(4, c.groups());
    assertTrue(c.bias());
    assertEquals(Shape.of(64, 20, 20), a.output());
    assertEquals(64 * 2 * 7 + 64, a.paramCount());
    String json = ModelFile.JSON.writeValueAsString(a);
    assertTrue(
        json.contains("\"kernel\":[1,7]")
            && json.contains("\"padding\":\"same\"")
            && json.contains("\"dilation\":2"),
        json);
    roundTrip(a);
  }

  @Test
  void theOldConv2dFormStillReads() throws JsonProcessingException {
    Architecture a =
        read(
            "{'input': [3, 9, 9], 'layers': [{'type': 'conv2d', 'name': 'c1',"
                + " 'in': 0, 'out': 6, 'kernel': 3, 'stride': 2, 'padding': 1, 'bias': false}]}");
    assertEquals(
        new Conv2d.Spec("c1", 0, 6, PerAxis.of(3), PerAxis.of(2), Padding.of(1), false, null, 0),
        a.layers().get(0));
    assertEquals(Shape.of(6, 5, 5), a.output());
    assertEquals(
        new Conv2d.Spec("x", 3, 6, PerAxis.of(3), null, Padding.of(1, 1), true, null, 1),
        read("{'input': [3, 9, 9], 'layers': [{"
                + "'type': 'conv2d', 'name': 'x', 'in': 3, 'out': 6, 'kernel': 3, 'padding': [1, 1]}]}")
            .layers()
            .get(0));
    String json = ModelFile.JSON.writeValueAsString(a);
    assertTrue(json.contains("\"kernel\":3,\"stride\":2,\"padding\":1,\"bias\":false"), json);
  }

  @Test
  void everyConvolutionRoundTrips() throws JsonProcessingException {
    roundTrip(
        read(
            "{'input': [4, 30], 'layers': [{'type': 'conv1d', 'name': 'a', 'out': 8,"
                + " 'kernel': 5, 'padding': 'full', 'dilation': [2], 'groups': 2, 'bias': false}]}"));
    Architecture a =
        roundTrip(
            read(
                "{'input': [2, 6, 9, 9], 'layers': [{'type': 'conv3d',"
                    + " 'name': 'b', 'out': 4, 'kernel': [3, 3, 1], 'stride': [1, 2, 2],"
                    + " 'padding': 'valid'}]}"));
    assertEquals(Shape.of(4, 4, 4, 5), a.output());
    a =
        roundTrip(
            read(
                "{'input': [8, 4, 4], 'layers': [{'type': 'conv_transpose2d', 'name': 't',"
                    + " 'out': 4, 'kernel': 3, 'stride': 2, 'padding': 1, 'output_padding': [1, 0]}]}"));
    assertEquals(Shape.of(4, 8, 7), a.output());
    assertEquals(PerAxis.of(1, 0), ((ConvTranspose2d.Spec) a.layers().get(0)).outputPadding());
    assertTrue(ModelFile.JSON.writeValueAsString(a).contains("\"output_padding\":[1,0]"));
    roundTrip(
        new Architecture(
            Shape.of(6, 11),
            java.util.List.of(
                Conv1d.Spec.of("c1", 6, 6, 3, 1, 1),
                new Conv1d.Spec("c2", 0, 6, PerAxis.of(3), null, Padding.SAME, null, null, 6))));
    roundTrip(
        new Architecture(
            Shape.of(1, 3, 5, 5), java.util.List.of(Conv3d.Spec.of("v", 1, 2, 3, 1, 1))));
  }

  @Test
  void paddingModeReadsAndIsWrittenOnlyWhenNotZeros() throws Exception {
    Architecture a =
        roundTrip(
            read(
                "{'input': [3, 9, 9], 'layers': [{'type': 'conv2d',"
                    + " 'name': 'c', 'out': 6, 'kernel': 3, 'padding': 'same', 'padding_mode': 'reflect'},"
                    + " {'type': 'conv2d', 'name': 'z', 'out': 6, 'kernel': 3, 'padding': 1}]}"));
    assertEquals("reflect", ((Conv2d.Spec) a.layers().get(0)).paddingMode());
    assertEquals("zeros", ((Conv2d.Spec) a.layers().get(1)).paddingMode());
    String json = ModelFile.JSON.writeValueAsString(a);
    assertTrue(
        json.contains("\"padding_mode\":\"reflect\"")
            && json.indexOf("padding_mode") == json.lastIndexOf("padding_mode"),
        json);
    String yaml =
        "{'layers': [{'conv1d': {'out': 4, 'kernel': 5, 'padding': 2,"
            + " 'padding_mode': 'circular'}}]}";
    @SuppressWarnings("unchecked")
    Map<String, Object> doc = ModelFile.JSON.readValue(yaml.replace('\'', '"'), Map.class);
    Architecture defined = ModelDefinition.parse(doc, Shape.of(2, 10), 3);
    assertEquals("circular", ((Conv1d.Spec) defined.layers().get(0)).paddingMode());
    Map<String, Object> conv =
        new HashMap<>(Map.of("out", 4, "kernel", 3, "padding", 1, "padding_mode", "mirror"));
    Map<String, Object> def = Map.of("layers", List.of(Map.of("conv2d", conv)));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> ModelDefinition.parse(def, Shape.of(1, 8, 8), 3));
    assertTrue(
        e.getMessage().contains("conv2d 'conv1'")
            && e.getMessage()
                .contains(
                    "padding_mode must be one of [zeros, reflect, replicate,"
                        + " circular], got 'mirror'"),
        e.getMessage());
    conv.put("padding_mode", "reflect");
    conv.put("padding", 8);
    e =
        assertThrows(
            IllegalArgumentException.class, () -> ModelDefinition.parse(def, Shape.of(1, 8, 8), 3));
    assertTrue(
        e.getMessage().contains("'conv1'")
            && e.getMessage().contains("'reflect'")
            && e.getMessage().contains("less than"),
        e.getMessage());
  }

  @Test
  void badValuesNameTheLayerAndField() {
    JsonMappingException e =
        assertThrows(
            JsonMappingException.class,
            () ->
                read(
                    "{'input': [3,"
                        + " 9, 9], 'layers': [{'type': 'conv2d', 'name': 'c', 'out': 6, 'kernel': 3,"
                        + " 'padding': 'half'}]}"));
    assertTrue(
        e.getMessage().contains("'half'") && e.getMessage().contains("padding"), e.getMessage());
    e =
        assertThrows(
            JsonMappingException.class,
            () ->
                read(
                    "{'input': [3, 9, 9], 'layers': [{"
                        + "'type': 'conv2d', 'name': 'c', 'out': 6, 'kernel': [3, 3, 3]}]}"));
    assertTrue(
        e.getMessage().contains("conv2d 'c'") && e.getMessage().contains("2 ints"), e.getMessage());
    e =
        assertThrows(
            JsonMappingException.class,
            () ->
                read(
                    "{'input': [3, 9, 9], 'layers': [{"
                        + "'type': 'conv2d', 'name': 'c', 'out': 6, 'kernel': 2.5}]}"));
    assertTrue(e.getMessage().contains("an int or a list of ints"), e.getMessage());
    e =
        assertThrows(
            JsonMappingException.class,
            () ->
                read(
                    "{'input': [3, 9, 9], 'layers': [{"
                        + "'type': 'conv2d', 'name': 'c', 'out': 6, 'kernel': 3, 'stride': 2,"
                        + " 'padding': 'same'}]}"));
    assertTrue(e.getMessage().contains("strided"), e.getMessage());
  }
}

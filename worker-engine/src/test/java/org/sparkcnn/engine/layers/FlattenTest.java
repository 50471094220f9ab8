/*
 * Flatten moves no data: the output is the input, dx is dy. Its start_dim and end_dim (counting
 * the batch as axis 0, negative from the end) give PyTorch's shapes; the batch and a start after
 * the end are refused; the defaults are left out of JSON; the layers after a partial flatten see
 * its shape; between finds the flatten of a reshape (ONNX import).
 */
package org.sparkcnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparkcnn.engine.Architecture;
import org.sparkcnn.engine.ModelDefinition;
import org.sparkcnn.engine.ModelFile;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

class FlattenTest {
  @Test
  void flattensTheSampleShape() {
    assertEquals(Shape.of(60), new Flatten.Spec("flat").outputShape(Shape.of(3, 4, 5)));
    assertEquals(0, new Flatten.Spec("flat").paramCount(Shape.of(3, 4, 5)));
  }

  @Test
  void startAndEndDimGivePyTorchsShapes() {
    // torch.nn.Flatten(s, e)(torch.zeros(N, 3, 4, 5)).shape[1:]
    Shape in = Shape.of(3, 4, 5);
    Object[][] cases = {
      {1, -1, Shape.of(60)}, {2, -1, Shape.of(3, 20)}, {1, 2, Shape.of(12, 5)},
      {2, 3, Shape.of(3, 20)}, {3, 3, Shape.of(3, 4, 5)}, {-2, -1, Shape.of(3, 20)},
      {-3, -2, Shape.of(12, 5)}, {1, 1, Shape.of(3, 4, 5)}, {2, 2, Shape.of(3, 4, 5)},
      {-1, 3, Shape.of(3, 4, 5)}
    };
    for (Object[] c : cases) {
      Flatten.Spec f = new Flatten.Spec("f", (Integer) c[0], (Integer) c[1]);
      assertEquals(c[2], f.outputShape(in), "start_dim " + c[0] + ", end_dim " + c[1]);
    }
    assertEquals(Shape.of(6, 5, 7), new Flatten.Spec("f", 1, 2).outputShape(Shape.of(2, 3, 5, 7)));
    assertEquals(
        Shape.of(2, 15, 7), new Flatten.Spec("f", 2, -2).outputShape(Shape.of(2, 3, 5, 7)));
    assertEquals(Shape.of(10), new Flatten.Spec("f").outputShape(Shape.of(10)));
  }

  @Test
  void betweenFindsTheFlattenOfAReshape() {
    assertEquals(
        new Flatten.Spec("f", 2, 3), Flatten.Spec.between("f", Shape.of(3, 1, 5), Shape.of(3, 5)));
    assertEquals(
        new Flatten.Spec("f", 1, 2), Flatten.Spec.between("f", Shape.of(4, 4, 2), Shape.of(16, 2)));
    assertEquals(
        new Flatten.Spec("f", 1, 2), Flatten.Spec.between("f", Shape.of(2, 3), Shape.of(6)));
    assertEquals(null, Flatten.Spec.between("f", Shape.of(2, 3, 3), Shape.of(9, 2)));
    assertEquals(null, Flatten.Spec.between("f", Shape.of(2, 6), Shape.of(3, 4)));
  }

  @Test
  void forwardAndBackwardHandOnTheSameFloats() {
    Layer f = new Flatten.Spec("f", 2, 3).bind(Shape.of(2, 3, 4), new Vectors(0, 0), 0, 0);
    assertEquals(Shape.of(2, 12), f.outputShape());
    float[] x = new float[3 * 24];
    float[] dy = new float[3 * 24];
    assertSame(x, f.forward(x, 3, true));
    assertSame(dy, f.backward(dy, 3));
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Rng rng = Rng.of(7, 5);
    Shape in = Shape.of(2, 3, 2);
    for (Flatten.Spec spec :
        List.of(
            new Flatten.Spec("flat"),
            new Flatten.Spec("flat", 2, 3),
            new Flatten.Spec("flat", 1, -2))) {
      Vectors v = new Vectors(0, 0);
      GradCheck.check(
          spec.bind(in, v, 0, 0),
          v,
          GradCheck.uniform(rng, 3 * in.size(), -1f, 1f),
          3,
          1e-2,
          1e-5,
          rng);
    }
  }

  @Test
  void theBatchAndAStartAfterTheEndAreRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Flatten.Spec("fl", 0, -1));
    assertEquals(
        "flatten 'fl': start_dim 0 would merge the batch into the sample; use start_dim"
            + " 1 or more (or negative, from the last axis)",
        e.getMessage());
    ShapeMismatch m =
        assertThrows(
            ShapeMismatch.class, () -> new Flatten.Spec("fl", 3, 2).outputShape(Shape.of(3, 4, 5)));
    assertEquals(
        "layer 'fl' does not fit its input: got input 3x4x5, start_dim 3 (axis 3) comes"
            + " after end_dim 2 (axis 2)",
        m.getMessage());
    m =
        assertThrows(
            ShapeMismatch.class,
            () -> new Flatten.Spec("fl", -4, -1).outputShape(Shape.of(3, 4, 5)));
    assertEquals(
        "layer 'fl' does not fit its input: got input 3x4x5, start_dim -4 names no axis"
            + " after the batch (1 to 3, or -3 to -1)",
        m.getMessage());
    m =
        assertThrows(
            ShapeMismatch.class, () -> new Flatten.Spec("fl", 1, 4).outputShape(Shape.of(3, 4, 5)));
    assertTrue(
        m.getMessage()
            .endsWith("end_dim 4 names no axis after the batch (1 to 3, or -3" + " to -1)"),
        m.getMessage());
    m =
        assertThrows(
            ShapeMismatch.class, () -> new Flatten.Spec("fl", 2, -1).outputShape(Shape.of(10)));
    assertTrue(m.getMessage().contains("start_dim 2 names no axis"), m.getMessage());
  }

  @Test
  void defaultsAreLeftOutOfJson() throws Exception {
    String plain = ModelFile.JSON.writeValueAsString(new Flatten.Spec("f", 1, -1));
    assertEquals("{\"type\":\"flatten\",\"name\":\"f\"}", plain);
    assertEquals(new Flatten.Spec("f"), ModelFile.JSON.readValue(plain, LayerSpec.class));
    String json = ModelFile.JSON.writeValueAsString(new Flatten.Spec("f", 2, 3));
    assertEquals("{\"type\":\"flatten\",\"name\":\"f\",\"start_dim\":2,\"end_dim\":3}", json);
    assertEquals(new Flatten.Spec("f", 2, 3), ModelFile.JSON.readValue(json, LayerSpec.class));
    assertEquals(
        "{\"type\":\"flatten\",\"name\":\"f\",\"start_dim\":2}",
        ModelFile.JSON.writeValueAsString(new Flatten.Spec("f", 2, null)));
  }

  @Test
  void theLayersAfterAPartialFlattenSeeItsShape() {
    Architecture a =
        ModelDefinition.parse(
            Map.of(
                "layers",
                List.of(
                    Map.of("conv2d", Map.of("out", 4, "kernel", 3, "padding", 1)),
                    Map.of("flatten", Map.of("start_dim", 2)),
                    Map.of("softmax", Map.of("dim", -1)),
                    "flatten",
                    Map.of("linear", Map.of("out", "$classes")))),
            Shape.of(2, 5, 6),
            3);
    assertEquals(Shape.of(4, 30), a.shapeBefore(2));
    assertEquals(Shape.of(120), a.shapeBefore(4));
    assertEquals(Shape.of(3), a.output());
    assertEquals(new Flatten.Spec("flatten1", 2, null), a.layers().get(1));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ModelDefinition.parse(
                    Map.of("layers", List.of(Map.of("flatten", Map.of("start_dim", 1, "end", 2)))),
                    Shape.of(2, 5, 6),
                    3));
    assertTrue(
        e.getMessage().contains("unknown setting 'end' (flatten takes [start_dim," + " end_dim]"),
        e.getMessage());
  }
}

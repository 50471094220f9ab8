/*
 * Conv2d against PyTorch's values (../shared/golden/conv2d_*.json: strides, padding, dilation,
 * groups, depthwise, 1x1 and 11x11 kernels), against finite differences for each option (dilation,
 * non-square kernels, groups, depthwise, "same" and "full" padding), and its checks of options
 * and shapes.
 */
package org.sparkcnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

class Conv2dTest {
  static List<String> goldenCases() {
    return Golden.cases("conv2d_*.json");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenCases")
  void matchesPyTorch(String file) {
    JsonNode c = Golden.read(file);
    int groups = c.get("groups").intValue();
    Conv2d.Spec spec =
        new Conv2d.Spec(
            "conv",
            ConvCases.weightDim(c, 1) * groups,
            ConvCases.weightDim(c, 0),
            ConvCases.kernel(c),
            ConvCases.ints(c, "stride"),
            Padding.of(ConvCases.ints(c, "padding")),
            c.has("bias"),
            ConvCases.ints(c, "dilation"),
            groups);
    LayerGolden.check(file, spec, c);
  }

  /** The worked example of the course slides: its output begins 3.1, -3.9, -10.9. */
  @Test
  void slideExample() {
    JsonNode c = Golden.read("conv2d_slide_example.json");
    Vectors v = new Vectors(2 * 2 * 2 * 2 + 2, 0);
    System.arraycopy(Golden.floats(c.get("weight")), 0, v.params, 0, 16);
    System.arraycopy(Golden.floats(c.get("bias")), 0, v.params, 16, 2);
    Layer conv = Conv2d.Spec.of("conv", 2, 2, 2, 1, 0).bind(Shape.of(2, 4, 4), v, 0, 0);
    float[] y = conv.forward(Golden.floats(c.get("input")), 1, false);
    assertArrayEquals(new float[] {3.1f, -3.9f, -10.9f}, Arrays.copyOf(y, 3), 1e-5f);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Rng rng = Rng.of(7, 1);
    for (boolean bias : new boolean[] {true, false}) {
      Conv2d.Spec spec =
          new Conv2d.Spec("conv", 2, 3, PerAxis.of(3), PerAxis.of(2), Padding.of(1), bias, null, 0);
      ConvCases.gradCheck(spec, Shape.of(2, 7, 6), 2, rng);
    }
  }

  @Test
  void gradientsOfEachOption() {
    Rng rng = Rng.of(7, 2);
    // dilation and a non-square kernel, stride and padding per axis
    ConvCases.gradCheck(
        new Conv2d.Spec(
            "dilated",
            2,
            3,
            PerAxis.of(2, 3),
            PerAxis.of(2, 1),
            Padding.of(1, 2),
            true,
            PerAxis.of(2, 1),
            0),
        Shape.of(2, 7, 5),
        2,
        rng);
    // groups, and depthwise with a channel multiplier of 2
    ConvCases.gradCheck(
        new Conv2d.Spec("grouped", 4, 6, PerAxis.of(3), null, Padding.of(1), true, null, 2),
        Shape.of(4, 5, 4),
        2,
        rng);
    ConvCases.gradCheck(
        new Conv2d.Spec(
            "depthwise", 3, 6, PerAxis.of(3), PerAxis.of(2), Padding.of(1), true, null, 3),
        Shape.of(3, 5, 5),
        1,
        rng);
    // "same" with even (dilated) extents: the extra zero goes right and bottom
    ConvCases.gradCheck(
        new Conv2d.Spec(
            "same", 2, 2, PerAxis.of(2, 3), null, Padding.SAME, true, PerAxis.of(1, 2), 0),
        Shape.of(2, 5, 6),
        2,
        rng);
    ConvCases.gradCheck(
        new Conv2d.Spec(
            "full", 2, 2, PerAxis.of(3, 2), PerAxis.of(1, 2), Padding.FULL, false, null, 0),
        Shape.of(2, 4, 3),
        2,
        rng);
  }

  @Test
  void paddingRulesGiveTheirSizes() {
    Shape in = Shape.of(4, 9, 10);
    assertEquals(
        Shape.of(8, 9, 10),
        new Conv2d.Spec("s", 0, 8, PerAxis.of(4, 7), null, Padding.SAME, null, PerAxis.of(3, 2), 4)
            .outputShape(in));
    assertEquals(
        Shape.of(8, 6, 4),
        new Conv2d.Spec("v", 0, 8, PerAxis.of(4, 7), null, Padding.VALID, null, null, 0)
            .outputShape(in));
    // full: H + d(k - 1)
    assertEquals(
        Shape.of(8, 12, 22),
        new Conv2d.Spec("f", 0, 8, PerAxis.of(4, 7), null, Padding.FULL, null, PerAxis.of(1, 2), 0)
            .outputShape(in));
    assertEquals(
        Shape.of(8, 6, 6),
        new Conv2d.Spec("f2", 0, 8, PerAxis.of(3), PerAxis.of(2), Padding.FULL, null, null, 0)
            .outputShape(in));
  }

  @Test
  void rejectsInputsThatDoNotFit() {
    Conv2d.Spec spec = Conv2d.Spec.of("conv7", 3, 8, 5, 1, 0);
    ShapeMismatch e =
        assertThrows(ShapeMismatch.class, () -> spec.outputShape(Shape.of(1, 28, 28)));
    assertTrue(
        e.getMessage().contains("conv7") && e.getMessage().contains("1x28x28"), e.getMessage());
    e = assertThrows(ShapeMismatch.class, () -> spec.outputShape(Shape.of(3, 4, 4)));
    assertMessage(e, "conv7", "3x4x4", "kernel 5", "leaves no output");
    assertThrows(ShapeMismatch.class, () -> spec.outputShape(Shape.of(48)));
    Conv2d.Spec dilated =
        new Conv2d.Spec("dil", 0, 4, PerAxis.of(3), null, Padding.of(1), null, PerAxis.of(4), 2);
    e = assertThrows(ShapeMismatch.class, () -> dilated.outputShape(Shape.of(2, 5, 5)));
    assertMessage(e, "dil", "2x5x5", "dilation 4", "padding 1");
    e = assertThrows(ShapeMismatch.class, () -> dilated.outputShape(Shape.of(3, 15, 15)));
    assertMessage(e, "dil", "3x15x15", "groups=2");
  }

  @Test
  void rejectsBadOptions() {
    assertThrows(IllegalArgumentException.class, () -> Conv2d.Spec.of("bad", 3, 0, 5, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> Conv2d.Spec.of("bad", 3, 8, 5, 1, -1));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new Conv2d.Spec(
                    "s2", 3, 8, PerAxis.of(3), PerAxis.of(1, 2), Padding.SAME, null, null, 0));
    assertMessage(e, "s2", "'same'", "strided", "stride=[1, 2]");
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Conv2d.Spec("g", 6, 8, PerAxis.of(3), null, null, null, null, 4));
    assertMessage(e, "conv2d 'g'", "groups=4", "in=6", "out=8");
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Conv2d.Spec("k3", 6, 8, PerAxis.of(1, 3, 3), null, null, null, null, 0));
    assertMessage(e, "k3", "2 ints", "kernel=[1, 3, 3]");
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Conv2d.Spec("nok", 6, 8, null, null, null, null, null, 0));
    assertMessage(e, "nok", "kernel is required");
    assertThrows(
        IllegalArgumentException.class,
        () -> new Conv2d.Spec("d0", 6, 8, PerAxis.of(3), null, null, null, PerAxis.of(1, 0), 0));
  }

  static void assertMessage(Exception e, String... words) {
    for (String w : words) {
      assertTrue(e.getMessage().contains(w), "'" + w + "' missing from: " + e.getMessage());
    }
  }
}

/*
 * Conv1d against PyTorch's values (../shared/golden/conv1d_*.json), against finite differences for
 * its options (groups, dilation, "same" and "full" padding, stride) and its shape checks. Its
 * parity with the direct convolution is in Conv2dReferenceTest.
 */
package org.sparkcnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkcnn.engine.Golden;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;

class Conv1dTest {
  static List<String> goldenCases() {
    return Golden.cases("conv1d_*.json");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenCases")
  void matchesPyTorch(String file) {
    JsonNode c = Golden.read(file);
    int groups = c.get("groups").intValue();
    Conv1d.Spec spec =
        new Conv1d.Spec(
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

  @Test
  void gradientsOfEachOption() {
    Rng rng = Rng.of(11, 1);
    ConvCases.gradCheck(Conv1d.Spec.of("plain", 2, 3, 3, 2, 1), Shape.of(2, 9), 2, rng);
    ConvCases.gradCheck(
        new Conv1d.Spec("grouped", 4, 2, PerAxis.of(4), null, Padding.SAME, true, PerAxis.of(2), 2),
        Shape.of(4, 7),
        2,
        rng);
    ConvCases.gradCheck(
        new Conv1d.Spec("full", 2, 2, PerAxis.of(3), PerAxis.of(2), Padding.FULL, false, null, 0),
        Shape.of(2, 5),
        2,
        rng);
  }

  @Test
  void shapes() {
    assertEquals(
        Shape.of(8, 100),
        new Conv1d.Spec("c", 0, 8, PerAxis.of(5), null, Padding.SAME, null, PerAxis.of(3), 0)
            .outputShape(Shape.of(4, 100)));
    assertEquals(Shape.of(8, 49), Conv1d.Spec.of("c", 4, 8, 3, 2, 0).outputShape(Shape.of(4, 100)));
    Conv1d.Spec spec = Conv1d.Spec.of("seq", 4, 8, 7, 1, 0);
    ShapeMismatch e =
        assertThrows(ShapeMismatch.class, () -> spec.outputShape(Shape.of(4, 10, 10)));
    Conv2dTest.assertMessage(e, "seq", "4x10x10", "[C, L]");
    e = assertThrows(ShapeMismatch.class, () -> spec.outputShape(Shape.of(4, 5)));
    Conv2dTest.assertMessage(e, "seq", "4x5", "leaves no output");
    IllegalArgumentException bad =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Conv1d.Spec("pair", 4, 8, PerAxis.of(3, 5), null, null, null, null, 0));
    Conv2dTest.assertMessage(bad, "conv1d 'pair'", "one int or 1 ints");
  }
}

/*
 * ConvTranspose2d against PyTorch's values (../shared/golden/conv_transpose2d_*.json), against the
 * scattering definition of ConvReference on sizes 1, 3 and 17 (stride, padding, output_padding,
 * dilation, groups), as the adjoint of Conv2d (<conv(x), z> = <x, convT(z)> with the same weights),
 * against finite differences, and its checks of options and shapes.
 */
package org.sparkcnn.engine.layers;

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
import org.sparkcnn.engine.kernels.ConvGeometry;
import org.sparkcnn.engine.kernels.ConvReference;

class ConvTranspose2dTest {
  static List<String> goldenCases() {
    return Golden.cases("conv_transpose2d_*.json");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenCases")
  void matchesPyTorch(String file) {
    JsonNode c = Golden.read(file);
    int groups = c.get("groups").intValue();
    ConvTranspose2d.Spec spec =
        new ConvTranspose2d.Spec(
            "deconv",
            ConvCases.weightDim(c, 0),
            ConvCases.weightDim(c, 1) * groups,
            ConvCases.kernel(c),
            ConvCases.ints(c, "stride"),
            ConvCases.ints(c, "padding"),
            ConvCases.ints(c, "output_padding"),
            groups,
            c.has("bias"),
            ConvCases.ints(c, "dilation"));
    LayerGolden.check(file, spec, c);
  }

  @Test
  void matchesTheScatteringDefinition() {
    Rng rng = Rng.of(19);
    compare(rng, 2, ConvTranspose2d.Spec.of("t", 3, 2, 3, 2, 1, 1), Shape.of(3, 3, 3));
    compare(rng, 3, ConvTranspose2d.Spec.of("t", 2, 4, 1, 1, 0, 0), Shape.of(2, 1, 1));
    compare(
        rng,
        1,
        new ConvTranspose2d.Spec(
            "t",
            4,
            6,
            PerAxis.of(3, 2),
            PerAxis.of(2, 3),
            PerAxis.of(2, 0),
            PerAxis.of(1, 2),
            2,
            true,
            PerAxis.of(2, 1)),
        Shape.of(4, 17, 3));
    // dilation above the stride: output_padding 1 at stride 1 adds a row no input reaches
    compare(
        rng,
        2,
        new ConvTranspose2d.Spec(
            "t", 4, 4, PerAxis.of(3), null, PerAxis.of(1), PerAxis.of(1), 4, false, PerAxis.of(2)),
        Shape.of(4, 3, 17));
  }

  @Test
  void isTheAdjointOfConv2d() {
    Rng rng = Rng.of(20);
    // conv: [4, 7, 6] -> [6, 4, 2] (k3, s2, p1, d1x2, groups 2); its transpose maps back
    Conv2d.Spec conv =
        new Conv2d.Spec(
            "c", 4, 6, PerAxis.of(3), PerAxis.of(2), Padding.of(1), false, PerAxis.of(1, 2), 2);
    ConvTranspose2d.Spec deconv =
        new ConvTranspose2d.Spec(
            "t",
            6,
            4,
            PerAxis.of(3),
            PerAxis.of(2),
            PerAxis.of(1),
            PerAxis.of(0, 1),
            2,
            false,
            PerAxis.of(1, 2));
    Shape big = Shape.of(4, 7, 6);
    Shape small = conv.outputShape(big);
    assertEquals(big, deconv.outputShape(small));
    Vectors v = new Vectors(conv.paramCount(big), 0);
    assertEquals(v.params.length, deconv.paramCount(small));
    System.arraycopy(
        GradCheck.uniform(rng, v.params.length, -1f, 1f), 0, v.params, 0, v.params.length);
    float[] x = GradCheck.uniform(rng, big.size(), -1f, 1f);
    float[] z = GradCheck.uniform(rng, small.size(), -1f, 1f);
    double lhs = dot(conv.bind(big, v, 0, 0).forward(x, 1, false), z);
    double rhs = dot(x, deconv.bind(small, v, 0, 0).forward(z, 1, false));
    assertEquals(lhs, rhs, 1e-4 * Math.max(1, Math.abs(lhs)));
  }

  @Test
  void gradientsOfEachOption() {
    Rng rng = Rng.of(21);
    ConvCases.gradCheck(ConvTranspose2d.Spec.of("up", 3, 2, 3, 2, 1, 1), Shape.of(3, 3, 4), 2, rng);
    ConvCases.gradCheck(
        new ConvTranspose2d.Spec(
            "grouped",
            4,
            4,
            PerAxis.of(3),
            null,
            PerAxis.of(1),
            PerAxis.of(1),
            2,
            true,
            PerAxis.of(2)),
        Shape.of(4, 3, 3),
        1,
        rng);
    ConvCases.gradCheck(
        new ConvTranspose2d.Spec(
            "rect",
            2,
            3,
            PerAxis.of(2, 3),
            PerAxis.of(2, 1),
            PerAxis.of(0, 1),
            null,
            0,
            false,
            null),
        Shape.of(2, 3, 2),
        2,
        rng);
  }

  @Test
  void shapesAndOptions() {
    // the usual 2x upsampling: k4 s2 p1, and k3 s2 p1 with output_padding 1
    assertEquals(
        Shape.of(16, 32, 32),
        ConvTranspose2d.Spec.of("up", 0, 16, 4, 2, 1, 0).outputShape(Shape.of(8, 16, 16)));
    assertEquals(
        Shape.of(16, 32, 32),
        ConvTranspose2d.Spec.of("up", 0, 16, 3, 2, 1, 1).outputShape(Shape.of(8, 16, 16)));
    ConvTranspose2d.Spec spec = ConvTranspose2d.Spec.of("up", 8, 16, 1, 1, 1, 0);
    ShapeMismatch e = assertThrows(ShapeMismatch.class, () -> spec.outputShape(Shape.of(8, 2, 2)));
    Conv2dTest.assertMessage(e, "up", "8x2x2", "padding 1", "leaves no output", "16x0x0");
    e = assertThrows(ShapeMismatch.class, () -> spec.outputShape(Shape.of(4, 2, 2)));
    Conv2dTest.assertMessage(e, "up", "4x2x2", "8 input channels");
    e = assertThrows(ShapeMismatch.class, () -> spec.outputShape(Shape.of(8, 2)));
    Conv2dTest.assertMessage(e, "up", "[C, H, W]");
    IllegalArgumentException bad =
        assertThrows(
            IllegalArgumentException.class, () -> ConvTranspose2d.Spec.of("op", 8, 16, 3, 2, 1, 2));
    Conv2dTest.assertMessage(bad, "conv_transpose2d 'op'", "output_padding must be smaller");
    bad =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new ConvTranspose2d.Spec(
                    "g", 8, 6, PerAxis.of(3), null, null, null, 4, null, null));
    Conv2dTest.assertMessage(bad, "'g'", "groups=4");
  }

  private static void compare(Rng rng, int n, ConvTranspose2d.Spec spec, Shape in) {
    String what = spec + " on " + in;
    Vectors[] vs = new Vectors[1];
    Layer deconv = ConvCases.bindRandom(spec, in, rng, vs);
    float[] p = vs[0].params;
    Shape out = deconv.outputShape();
    for (int i = 0; i < 2; i++) {
      int expected =
          (in.dim(i + 1) - 1) * spec.stride().get(i)
              - 2 * spec.padding().get(i)
              + spec.dilation().get(i) * (spec.kernel().get(i) - 1)
              + spec.outputPadding().get(i)
              + 1;
      assertEquals(expected, out.dim(i + 1), what + ": output size");
    }
    ConvGeometry g =
        new ConvGeometry(
            out.c(),
            out.h(),
            out.w(),
            spec.kernel().get(0),
            spec.kernel().get(1),
            spec.stride().get(0),
            spec.stride().get(1),
            spec.padding().get(0),
            spec.padding().get(1),
            spec.dilation().get(0),
            spec.dilation().get(1));
    int wLen = in.c() * g.colRows() / spec.groups();
    float[] x = GradCheck.uniform(rng, n * in.size(), -1f, 1f);
    float[] dy = GradCheck.uniform(rng, n * out.size(), -1f, 1f);
    float[] y = new float[n * out.size()];
    float[] dx = new float[n * in.size()];
    float[] dw = new float[wLen];
    float[] db = new float[out.c()];
    float[] b = spec.bias() ? p : null;
    for (int i = 0; i < n; i++) {
      ConvReference.transposeForward(
          g,
          in.c(),
          in.h(),
          in.w(),
          spec.groups(),
          x,
          i * in.size(),
          p,
          0,
          b,
          wLen,
          y,
          i * out.size());
      ConvReference.transposeBackward(
          g,
          in.c(),
          in.h(),
          in.w(),
          spec.groups(),
          x,
          i * in.size(),
          p,
          0,
          dy,
          i * out.size(),
          dx,
          i * in.size(),
          dw,
          0,
          db,
          0);
    }
    double tol = 1e-6 * wLen;
    Golden.assertClose(
        what + " forward", Golden.toDouble(y, y.length), deconv.forward(x, n, true), tol);
    Golden.assertClose(what + " dx", Golden.toDouble(dx, dx.length), deconv.backward(dy, n), tol);
    double tolW = 1e-6 * n * out.size();
    Golden.assertClose(
        what + " dW", Golden.toDouble(dw, wLen), Arrays.copyOf(vs[0].grads, wLen), tolW);
    if (spec.bias()) {
      Golden.assertClose(
          what + " db",
          Golden.toDouble(db, out.c()),
          Arrays.copyOfRange(vs[0].grads, wLen, wLen + out.c()),
          tolW);
    }
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < b.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }
}

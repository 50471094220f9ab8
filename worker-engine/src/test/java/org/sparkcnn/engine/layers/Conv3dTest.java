/*
 * Conv3d against PyTorch's values (../shared/golden/conv3d_*.json), against a reference built from
 * the 2D definition (a 3D convolution is, for each output depth, a sum over the depth taps of 2D
 * convolutions of input slices: ConvReference), against finite differences, and its shape checks.
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
import org.sparkcnn.engine.kernels.ConvAxis;
import org.sparkcnn.engine.kernels.ConvGeometry;
import org.sparkcnn.engine.kernels.ConvReference;
import org.sparkcnn.engine.kernels.VolGeometry;

class Conv3dTest {
  static List<String> goldenCases() {
    return Golden.cases("conv3d_*.json");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenCases")
  void matchesPyTorch(String file) {
    JsonNode c = Golden.read(file);
    int groups = c.get("groups").intValue();
    Conv3d.Spec spec =
        new Conv3d.Spec(
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
  void matchesTheSumOf2dConvolutions() {
    Rng rng = Rng.of(17);
    compare(rng, 2, Conv3d.Spec.of("c", 2, 3, 3, 1, 1), Shape.of(2, 3, 5, 4));
    compare(
        rng,
        1,
        new Conv3d.Spec(
            "c",
            4,
            6,
            PerAxis.of(2, 3, 1),
            PerAxis.of(2, 1, 2),
            Padding.of(1, 0, 1),
            true,
            PerAxis.of(1, 2, 1),
            2),
        Shape.of(4, 17, 7, 3));
    compare(
        rng,
        2,
        new Conv3d.Spec(
            "c", 3, 3, PerAxis.of(2, 3, 2), null, Padding.SAME, false, PerAxis.of(2, 1, 1), 3),
        Shape.of(3, 3, 1, 5));
    compare(
        rng,
        1,
        new Conv3d.Spec("c", 1, 2, PerAxis.of(1), null, Padding.FULL, true, null, 0),
        Shape.of(1, 1, 1, 1));
  }

  @Test
  void gradientsOfEachOption() {
    Rng rng = Rng.of(17, 1);
    ConvCases.gradCheck(
        new Conv3d.Spec(
            "c",
            2,
            2,
            PerAxis.of(2, 3, 2),
            PerAxis.of(1, 2, 1),
            Padding.of(1, 0, 1),
            true,
            PerAxis.of(1, 1, 2),
            0),
        Shape.of(2, 3, 4, 3),
        2,
        rng);
    ConvCases.gradCheck(
        new Conv3d.Spec("g", 4, 2, PerAxis.of(2), null, Padding.SAME, false, null, 2),
        Shape.of(4, 2, 3, 3),
        1,
        rng);
  }

  @Test
  void shapes() {
    assertEquals(
        Shape.of(8, 8, 56, 56),
        new Conv3d.Spec(
                "c",
                3,
                8,
                PerAxis.of(3, 7, 7),
                PerAxis.of(1, 2, 2),
                Padding.of(1, 3, 3),
                null,
                null,
                0)
            .outputShape(Shape.of(3, 8, 112, 112)));
    Conv3d.Spec spec = Conv3d.Spec.of("vol", 3, 8, 3, 1, 0);
    ShapeMismatch e =
        assertThrows(ShapeMismatch.class, () -> spec.outputShape(Shape.of(3, 10, 10)));
    Conv2dTest.assertMessage(e, "vol", "3x10x10", "[C, D, H, W]");
    e = assertThrows(ShapeMismatch.class, () -> spec.outputShape(Shape.of(3, 2, 10, 10)));
    Conv2dTest.assertMessage(e, "vol", "3x2x10x10", "leaves no output");
    e = assertThrows(ShapeMismatch.class, () -> spec.outputShape(Shape.of(4, 3, 10, 10)));
    Conv2dTest.assertMessage(e, "vol", "4x3x10x10", "3 input channels");
  }

  private static void compare(Rng rng, int n, Conv3d.Spec spec, Shape in) {
    String what = spec + " on " + in;
    Vectors[] vs = new Vectors[1];
    Layer conv = ConvCases.bindRandom(spec, in, rng, vs);
    float[] p = vs[0].params;
    Shape out = conv.outputShape();
    int wLen = spec.out() * spec.fanIn(in);
    float[] x = GradCheck.uniform(rng, n * in.size(), -1f, 1f);
    float[] dy = GradCheck.uniform(rng, n * out.size(), -1f, 1f);
    float[] y = new float[n * out.size()];
    float[] dx = new float[n * in.size()];
    float[] dw = new float[wLen];
    VolGeometry g = (VolGeometry) spec.lowering(in);
    for (int i = 0; i < n; i++) {
      reference(g, spec.out(), spec.groups(), x, i * in.size(), p, y, i * out.size(), dy, dx, dw);
    }
    if (spec.bias()) {
      for (int i = 0; i < n * out.size(); i++) {
        y[i] += p[wLen + i / out.dim(1) / out.dim(2) / out.dim(3) % spec.out()];
      }
    }
    double tol = 1e-6 * spec.fanIn(in);
    Golden.assertClose(
        what + " forward", Golden.toDouble(y, y.length), conv.forward(x, n, true), tol);
    Golden.assertClose(
        what + " dx", Golden.toDouble(dx, dx.length), conv.backward(dy, n), 1e-6 * wLen);
    Golden.assertClose(
        what + " dW",
        Golden.toDouble(dw, wLen),
        Arrays.copyOf(vs[0].grads, wLen),
        1e-6 * n * out.size());
  }

  /**
   * One sample: y (no bias) and, from dy, dx and dw by 2D references over depth slices. Slices: x
   * and dx [C, H, W] at input depth iz, w and dw [Cout, C/G, KH, KW] at depth tap a, y and dy
   * [Cout, H', W'] at output depth z, with iz = z*SD - PD + a*DD inside the input.
   */
  private static void reference(
      VolGeometry g,
      int cout,
      int groups,
      float[] x,
      int xOff,
      float[] w,
      float[] y,
      int yOff,
      float[] dy,
      float[] dx,
      float[] dw) {
    ConvAxis d = g.d();
    ConvGeometry g2 = ConvGeometry.of(g.c(), g.h(), g.w());
    int hw = g.h().in() * g.w().in();
    int ohw = g2.ho() * g2.wo();
    int kk = g.h().k() * g.w().k();
    int cg = g.c() / groups;
    float[] xs = new float[g.c() * hw];
    float[] dxs = new float[g.c() * hw];
    float[] ws = new float[cout * cg * kk];
    float[] dws = new float[ws.length];
    float[] ys = new float[cout * ohw];
    float[] dys = new float[cout * ohw];
    for (int z = 0; z < d.out(); z++) {
      for (int a = 0; a < d.k(); a++) {
        int iz = z * d.s() - d.lo() + a * d.d();
        if (iz < 0 || iz >= d.in()) {
          continue;
        }
        for (int c = 0; c < g.c(); c++) {
          System.arraycopy(x, xOff + (c * d.in() + iz) * hw, xs, c * hw, hw);
        }
        for (int oc = 0; oc < cout * cg; oc++) {
          System.arraycopy(w, (oc * d.k() + a) * kk, ws, oc * kk, kk);
        }
        for (int o = 0; o < cout; o++) {
          System.arraycopy(dy, yOff + (o * d.out() + z) * ohw, dys, o * ohw, ohw);
        }
        ConvReference.forward(g2, cout, groups, xs, 0, ws, 0, null, 0, ys, 0);
        Arrays.fill(dxs, 0f);
        Arrays.fill(dws, 0f);
        ConvReference.backward(g2, cout, groups, xs, 0, ws, 0, dys, 0, dxs, 0, dws, 0, null, 0);
        for (int o = 0; o < cout; o++) {
          for (int j = 0; j < ohw; j++) {
            y[yOff + (o * d.out() + z) * ohw + j] += ys[o * ohw + j];
          }
        }
        for (int c = 0; c < g.c(); c++) {
          for (int j = 0; j < hw; j++) {
            dx[xOff + (c * d.in() + iz) * hw + j] += dxs[c * hw + j];
          }
        }
        for (int oc = 0; oc < cout * cg; oc++) {
          for (int j = 0; j < kk; j++) {
            dw[(oc * d.k() + a) * kk + j] += dws[oc * kk + j];
          }
        }
      }
    }
  }
}

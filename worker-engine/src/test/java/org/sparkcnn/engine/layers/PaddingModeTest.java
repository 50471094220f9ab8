/*
 * The padding modes of Conv1d, Conv2d and Conv3d (padding_mode, as torch.nn.Conv2d's): hand-checked
 * outputs that show what each mode puts around a 3 x 3 image and a row of four values; parity with
 * a direct convolution over an input padded explicitly here (strides, dilation, groups, per-axis
 * and "same" padding with an even kernel), in 1, 2 and 3 dimensions; finite-difference gradients
 * of input, weight and bias in each mode; zeros unchanged bit for bit; and the messages for an
 * unknown mode and a padding the mode cannot fill.
 */
package org.sparkcnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparkcnn.engine.Architecture;
import org.sparkcnn.engine.Golden;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

class PaddingModeTest {
  private static final List<String> MODES = List.of("reflect", "replicate", "circular");

  private static Conv2d.Spec conv2d(
      String mode,
      int in,
      int out,
      PerAxis kernel,
      PerAxis stride,
      Padding padding,
      PerAxis dilation,
      int groups) {
    return new Conv2d.Spec(mode, in, out, kernel, stride, padding, true, dilation, groups, mode);
  }

  /**
   * The image 1..9 padded by 1 with two one-hot 3 x 3 kernels: channel 0 reads the top-left tap, so
   * it is the padded image's top-left 3 x 3 corner, and channel 1 its bottom-right corner.
   */
  @Test
  void eachModeFillsTheBorderAsPyTorch() {
    float[][] expected = {
      {0, 0, 0, 0, 1, 2, 0, 4, 5, /* */ 5, 6, 0, 8, 9, 0, 0, 0, 0}, // zeros
      {5, 4, 5, 2, 1, 2, 5, 4, 5, /* */ 5, 6, 5, 8, 9, 8, 5, 6, 5}, // reflect
      {1, 1, 2, 1, 1, 2, 4, 4, 5, /* */ 5, 6, 6, 8, 9, 9, 8, 9, 9}, // replicate
      {9, 7, 8, 3, 1, 2, 6, 4, 5, /* */ 5, 6, 4, 8, 9, 7, 2, 3, 1}, // circular
    };
    float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    List<String> modes = List.of("zeros", "reflect", "replicate", "circular");
    for (int m = 0; m < modes.size(); m++) {
      Conv2d.Spec spec =
          new Conv2d.Spec(
              "corners", 1, 2, PerAxis.of(3), null, Padding.of(1), false, null, 0, modes.get(m));
      Vectors v = new Vectors(spec.paramCount(Shape.of(1, 3, 3)), 0);
      v.params[0] = 1; // channel 0: tap (0, 0)
      v.params[9 + 8] = 1; // channel 1: tap (2, 2)
      float[] y = spec.bind(Shape.of(1, 3, 3), v, 0, 0).forward(x, 1, false);
      assertArrayEquals(expected[m], Arrays.copyOf(y, 18), modes.get(m));
    }
  }

  /**
   * 1 2 3 4 padded by 2 under the kernel 10^4 .. 10^0: each output's digits are the five padded
   * values it covers.
   */
  @Test
  void aRowOfDigitsShowsThePaddedRow() {
    float[] x = {1, 2, 3, 4};
    float[] w = {10000, 1000, 100, 10, 1};
    String[] modes = {"reflect", "replicate", "circular"};
    float[][] expected = {
      {32123, 21234, 12343, 23432}, // 3 2 | 1 2 3 4 | 3 2
      {11123, 11234, 12344, 23444}, // 1 1 | 1 2 3 4 | 4 4
      {34123, 41234, 12341, 23412}, // 3 4 | 1 2 3 4 | 1 2
    };
    for (int m = 0; m < modes.length; m++) {
      Conv1d.Spec spec =
          new Conv1d.Spec(
              "digits", 1, 1, PerAxis.of(5), null, Padding.of(2), false, null, 0, modes[m]);
      Vectors v = new Vectors(5, 0);
      System.arraycopy(w, 0, v.params, 0, 5);
      float[] y = spec.bind(Shape.of(1, 4), v, 0, 0).forward(x, 1, false);
      assertArrayEquals(expected[m], Arrays.copyOf(y, 4), modes[m]);
    }
  }

  @Test
  void matchesADirectConvolutionOfTheExplicitlyPaddedInput() {
    Rng rng = Rng.of(23, 1);
    for (String mode : MODES) {
      // stride 1 (the implicit path), strided (phased), dilated and strided (lowered)
      parity(
          conv2d(mode, 2, 3, PerAxis.of(3), null, Padding.of(1), null, 0), Shape.of(2, 5, 6), rng);
      parity(
          conv2d(mode, 2, 4, PerAxis.of(3, 2), PerAxis.of(2), Padding.of(2, 1), null, 2),
          Shape.of(2, 7, 4),
          rng);
      parity(
          conv2d(mode, 3, 3, PerAxis.of(3), PerAxis.of(2, 1), Padding.of(2), PerAxis.of(2), 3),
          Shape.of(3, 6, 5),
          rng);
      // "same" with an even kernel: one more row and column after than before
      parity(
          conv2d(mode, 2, 2, PerAxis.of(4, 2), null, Padding.SAME, null, 0),
          Shape.of(2, 5, 4),
          rng);
      parity(
          new Conv1d.Spec(
              mode, 2, 3, PerAxis.of(3), PerAxis.of(2), Padding.of(2), true, null, 0, mode),
          Shape.of(2, 5),
          rng);
      parity(
          new Conv3d.Spec(
              mode, 2, 2, PerAxis.of(2, 3, 3), null, Padding.of(1, 1, 2), true, null, 0, mode),
          Shape.of(2, 3, 4, 3),
          rng);
    }
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Rng rng = Rng.of(23, 2);
    for (String mode : MODES) {
      ConvCases.gradCheck(
          conv2d(mode, 2, 3, PerAxis.of(3), null, Padding.of(2), null, 0),
          Shape.of(2, 4, 3),
          2,
          rng);
      ConvCases.gradCheck(
          conv2d(
              mode,
              2,
              2,
              PerAxis.of(3, 2),
              PerAxis.of(2, 1),
              Padding.of(1, 2),
              PerAxis.of(1, 2),
              2),
          Shape.of(2, 5, 4),
          2,
          rng);
      ConvCases.gradCheck(
          conv2d(mode, 2, 2, PerAxis.of(2), null, Padding.SAME, null, 0),
          Shape.of(2, 3, 4),
          1,
          rng);
      ConvCases.gradCheck(
          new Conv1d.Spec(mode, 2, 2, PerAxis.of(3), null, Padding.of(2), true, null, 0, mode),
          Shape.of(2, 3),
          2,
          rng);
      ConvCases.gradCheck(
          new Conv3d.Spec(
              mode, 1, 2, PerAxis.of(2, 2, 3), null, Padding.of(1, 1, 2), true, null, 0, mode),
          Shape.of(1, 2, 3, 3),
          1,
          rng);
    }
  }

  /** zeros is the plain convolution (same spec, layer and outputs); padding 0 pads nothing. */
  @Test
  void zerosAndNoPaddingAreThePlainConvolution() {
    Conv2d.Spec plain =
        new Conv2d.Spec("c", 2, 3, PerAxis.of(3), PerAxis.of(2), Padding.of(1), true, null, 0);
    Conv2d.Spec zeros =
        new Conv2d.Spec(
            "c", 2, 3, PerAxis.of(3), PerAxis.of(2), Padding.of(1), true, null, 0, "zeros");
    assertEquals(plain, zeros);
    assertEquals("zeros", plain.paddingMode());
    Shape in = Shape.of(2, 7, 6);
    float[] x = GradCheck.uniform(Rng.of(5), 3 * in.size(), -1f, 1f);
    Layer a = ConvCases.bindRandom(plain, in, Rng.of(6));
    Layer b = ConvCases.bindRandom(zeros, in, Rng.of(6));
    assertTrue(a instanceof Convolution && b instanceof Convolution);
    assertArrayEquals(a.forward(x, 3, false), b.forward(x, 3, false));
    for (String mode : MODES) {
      Conv2d.Spec unpadded =
          new Conv2d.Spec("c", 2, 3, PerAxis.of(3), null, Padding.VALID, true, null, 0, mode);
      Layer c = ConvCases.bindRandom(unpadded, in, Rng.of(6));
      assertTrue(c instanceof Convolution, mode);
      assertArrayEquals(
          ConvCases.bindRandom(unpadded.unpadded(), in, Rng.of(6)).forward(x, 3, false),
          c.forward(x, 3, false),
          mode);
    }
  }

  @Test
  void refusesAnUnknownModeAndPaddingsTheModeCannotFill() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new Conv2d.Spec(
                    "c1", 3, 8, PerAxis.of(3), null, Padding.of(1), null, null, 0, "mirror"));
    Conv2dTest.assertMessage(
        e, "conv2d 'c1'", "padding_mode", "'mirror'", "zeros", "reflect", "replicate", "circular");
    Conv2d.Spec reflect = conv2d("reflect", 0, 4, PerAxis.of(5), null, Padding.of(1, 3), null, 0);
    e =
        assertThrows(
            ShapeMismatch.class, () -> new Architecture(Shape.of(1, 8, 3), List.of(reflect)));
    Conv2dTest.assertMessage(
        e, "'reflect'", "less than", "axis 1 of size 3", "3 before and 3 after", "1x8x3");
    assertEquals(Shape.of(4, 6, 6), reflect.outputShape(Shape.of(1, 8, 4)));
    Conv1d.Spec circular =
        new Conv1d.Spec("wrap", 1, 1, PerAxis.of(7), null, Padding.SAME, true, null, 0, "circular");
    assertEquals(Shape.of(1, 3), circular.outputShape(Shape.of(1, 3)));
    e = assertThrows(ShapeMismatch.class, () -> circular.outputShape(Shape.of(1, 2)));
    Conv2dTest.assertMessage(
        e, "layer 'wrap'", "'circular'", "at most", "size 2", "3 before and 3 after");
    // replicate repeats the edge as often as asked
    assertEquals(
        Shape.of(1, 7),
        new Conv1d.Spec(
                "edge", 1, 1, PerAxis.of(1), null, Padding.of(3), true, null, 0, "replicate")
            .outputShape(Shape.of(1, 1)));
  }

  /** spec against the direct convolution of an explicitly padded random batch of two. */
  private static void parity(ConvSpec spec, Shape in, Rng rng) {
    Vectors[] vs = new Vectors[1];
    Layer layer = ConvCases.bindRandom(spec, in, rng, vs);
    float[] x = GradCheck.uniform(rng, 2 * in.size(), -1f, 1f);
    float[] y = layer.forward(x, 2, false);
    Shape out = spec.outputShape(in);
    double[] expected = new double[2 * out.size()];
    for (int s = 0; s < 2; s++) {
      double[] ys =
          direct(spec, in, Arrays.copyOfRange(x, s * in.size(), (s + 1) * in.size()), vs[0].params);
      System.arraycopy(ys, 0, expected, s * out.size(), ys.length);
    }
    Golden.assertClose(
        spec.paddingMode() + " " + spec.weightShape(in) + " on " + in, expected, y, 1e-5);
  }

  /** The axes of s as [D, H, W], 1 for those a lower rank lacks. */
  private static int[] dhw(Shape s) {
    int[] d = {1, 1, 1};
    for (int i = 1; i < s.rank(); i++) {
      d[3 - (s.rank() - 1) + i - 1] = s.dim(i);
    }
    return d;
  }

  /** spec's per-axis value as [D, H, W]: fill where a lower rank lacks the axis. */
  private static int[] dhw(ConvSpec spec, java.util.function.IntUnaryOperator get, int fill) {
    int[] d = {fill, fill, fill};
    for (int i = 0; i < spec.rank(); i++) {
      d[3 - spec.rank() + i] = get.applyAsInt(i);
    }
    return d;
  }

  /**
   * One sample x: [C, D, H, W] padded as torch.nn.functional.pad does in each mode, then the
   * definition of a convolution without padding: y[o, z, i, j] = b[o] + sum over the group's
   * channels and the taps of w[o, c, a, u, v] xp[c, z*S + a*Dil, i*S + u*Dil, j*S + v*Dil].
   */
  private static double[] direct(ConvSpec spec, Shape in, float[] x, float[] p) {
    int[] n = dhw(in);
    int[] k = dhw(spec, spec.kernel()::get, 1);
    int[] st = dhw(spec, spec.stride()::get, 1);
    int[] dil = dhw(spec, spec.dilation()::get, 1);
    int[] lo =
        dhw(spec, i -> spec.padding().before(i, spec.kernel().get(i), spec.dilation().get(i)), 0);
    int[] hi =
        dhw(spec, i -> spec.padding().after(i, spec.kernel().get(i), spec.dilation().get(i)), 0);
    int c = in.c();
    int[] np = new int[3];
    for (int a = 0; a < 3; a++) {
      np[a] = n[a] + lo[a] + hi[a];
    }
    double[][][][] xp = new double[c][np[0]][np[1]][np[2]];
    for (int ch = 0; ch < c; ch++) {
      for (int z = 0; z < np[0]; z++) {
        for (int i = 0; i < np[1]; i++) {
          for (int j = 0; j < np[2]; j++) {
            int sz = from(spec.paddingMode(), z - lo[0], n[0]);
            int si = from(spec.paddingMode(), i - lo[1], n[1]);
            int sj = from(spec.paddingMode(), j - lo[2], n[2]);
            xp[ch][z][i][j] = x[((ch * n[0] + sz) * n[1] + si) * n[2] + sj];
          }
        }
      }
    }
    int[] o = dhw(spec.outputShape(in));
    int cout = spec.out();
    int cg = c / spec.groups();
    int taps = k[0] * k[1] * k[2];
    double[] y = new double[cout * o[0] * o[1] * o[2]];
    int at = 0;
    for (int oc = 0; oc < cout; oc++) {
      int c0 = oc / (cout / spec.groups()) * cg;
      for (int z = 0; z < o[0]; z++) {
        for (int i = 0; i < o[1]; i++) {
          for (int j = 0; j < o[2]; j++) {
            double s = spec.bias() ? p[cout * cg * taps + oc] : 0;
            for (int ci = 0; ci < cg; ci++) {
              for (int a = 0; a < k[0]; a++) {
                for (int u = 0; u < k[1]; u++) {
                  for (int v = 0; v < k[2]; v++) {
                    s +=
                        p[(((oc * cg + ci) * k[0] + a) * k[1] + u) * k[2] + v]
                            * xp[c0 + ci][z * st[0] + a * dil[0]][i * st[1] + u * dil[1]][
                                j * st[2] + v * dil[2]];
                  }
                }
              }
            }
            y[at++] = s;
          }
        }
      }
    }
    return y;
  }

  /**
   * Which of n values position t of a padded axis copies (t counted from the first input value), as
   * PyTorch's reflection_pad, replication_pad and circular pad define it.
   */
  private static int from(String mode, int t, int n) {
    return switch (mode) {
      case "reflect" -> n - 1 - Math.abs(n - 1 - Math.abs(t)); // a triangle wave of period 2n - 2
      case "replicate" -> t < 0 ? 0 : t >= n ? n - 1 : t;
      case "circular" -> (t + n) % n;
      default -> throw new IllegalArgumentException(mode);
    };
  }
}

/*
 * Conv2d's GEMM paths (and Conv1d's, a 1 x K image), the grid paths (implicit and phased) in one
 * chunk and in chunks of one sample, and the lowering one (im2col + col2im) of all, against the
 * direct loops of ConvReference: forward, dx, dW and db, batches of 1 to 3; and the layers whose
 * groups of 32 output channels take the tap products for dW. First the square grid (odd image
 * sizes, strides 1 and 2, padding 0 to 2), then one case per option on sizes 1, 3 and 17:
 * non-square kernels, dilation, groups, depthwise, "same" (uneven) and "full" padding. The
 * reference geometry is written out by hand, so it also checks the padding rules.
 */
package org.sparkcnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparkcnn.engine.EngineOptions;
import org.sparkcnn.engine.Golden;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;
import org.sparkcnn.engine.kernels.ConvGeometry;
import org.sparkcnn.engine.kernels.ConvReference;
import org.sparkcnn.engine.kernels.TapProducts;

class Conv2dReferenceTest {
  @ParameterizedTest(name = "path: {0}")
  @ValueSource(strings = {"grid", "grid in chunks of one sample", "lowered"})
  void matchesTheDirectConvolution(String path) {
    use(path);
    Rng rng = Rng.of(13);
    for (int[] hw : new int[][] {{7, 7}, {9, 5}, {11, 13}}) {
      for (int k : new int[] {1, 3, 5}) {
        for (int s = 1; s <= 2; s++) {
          for (int p = 0; p <= 2; p++) {
            if (hw[0] + 2 * p >= k && hw[1] + 2 * p >= k) {
              compare(
                  rng,
                  3,
                  Conv2d.Spec.of("conv", 3, 4, k, s, p),
                  new ConvGeometry(3, hw[0], hw[1], k, k, s, s, p, p, 1, 1),
                  1);
            }
          }
        }
      }
    }
  }

  @ParameterizedTest(name = "path: {0}")
  @ValueSource(strings = {"grid", "grid in chunks of one sample", "lowered"})
  void matchesTheDirectConvolutionWithEachOption(String path) {
    use(path);
    Rng rng = Rng.of(14);
    // non-square kernel, stride, padding and dilation per axis, on a 17 x 3 image
    compare(
        rng,
        2,
        new Conv2d.Spec(
            "c",
            4,
            6,
            PerAxis.of(3, 2),
            PerAxis.of(2, 1),
            Padding.of(2, 1),
            true,
            PerAxis.of(3, 1),
            0),
        new ConvGeometry(4, 17, 3, 3, 2, 2, 1, 2, 1, 3, 1),
        1);
    // groups, no bias, on 1 x 1 images with a 1 x 1 kernel
    compare(
        rng,
        3,
        new Conv2d.Spec("c", 6, 4, PerAxis.of(1), null, null, false, null, 2),
        new ConvGeometry(6, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1),
        2);
    // depthwise, channel multiplier 2, stride 2, 17 x 17
    compare(
        rng,
        2,
        new Conv2d.Spec("c", 3, 6, PerAxis.of(3), PerAxis.of(2), Padding.of(1), true, null, 3),
        new ConvGeometry(3, 17, 17, 3, 3, 2, 2, 1, 1, 1, 1),
        3);
    // "same" with even extents d(k - 1) = 3 and 4: 1 + 2 and 2 + 2 zeros, groups 2
    compare(
        rng,
        2,
        new Conv2d.Spec("c", 4, 2, PerAxis.of(4, 3), null, Padding.SAME, true, PerAxis.of(1, 2), 2),
        new ConvGeometry(4, 3, 17, 4, 3, 1, 1, 1, 2, 1, 2, 2, 2),
        2);
    // "full": d(k - 1) on each side, stride 2
    compare(
        rng,
        1,
        new Conv2d.Spec(
            "c", 2, 3, PerAxis.of(3), PerAxis.of(2), Padding.FULL, true, PerAxis.of(2), 0),
        new ConvGeometry(2, 17, 3, 3, 3, 2, 2, 4, 4, 2, 2),
        1);
    // "valid" on a 3 x 3 image: one output
    compare(
        rng,
        2,
        new Conv2d.Spec("c", 2, 3, PerAxis.of(3), null, Padding.VALID, true, null, 0),
        new ConvGeometry(2, 3, 3, 3, 3, 1, 1, 0, 0, 1, 1),
        1);
  }

  @ParameterizedTest(name = "path: {0}")
  @ValueSource(strings = {"grid", "grid in chunks of one sample", "lowered"})
  void conv1dMatchesTheDirectConvolution(String path) {
    use(path);
    Rng rng = Rng.of(15);
    // [C, L] runs as [C, 1, L]: the reference sees a 1 x L image and a 1 x K kernel
    compare(
        rng,
        2,
        new Conv1d.Spec("c", 4, 6, PerAxis.of(4), null, Padding.SAME, true, PerAxis.of(3), 2),
        new ConvGeometry(4, 1, 17, 1, 4, 1, 1, 0, 4, 1, 3, 0, 5),
        2);
    compare(
        rng,
        3,
        new Conv1d.Spec("c", 3, 2, PerAxis.of(3), PerAxis.of(2), Padding.of(1), false, null, 0),
        new ConvGeometry(3, 1, 1, 1, 3, 1, 2, 0, 1, 1, 1),
        1);
  }

  @ParameterizedTest(name = "path: {0}")
  @ValueSource(strings = {"grid", "grid in chunks of one sample"})
  void theTapProductsMatchTheDirectConvolution(String path) {
    use(path);
    Rng rng = Rng.of(16);
    // groups of 32 output channels, whose dW the vector build makes by tap products: stride 1
    // and 2, 1 x 1 and 3 x 3, in 2D and 1D
    compare(
        rng,
        3,
        Conv2d.Spec.of("c", 3, 32, 3, 1, 1),
        new ConvGeometry(3, 9, 7, 3, 3, 1, 1, 1, 1, 1, 1),
        1);
    compare(
        rng,
        2,
        Conv2d.Spec.of("c", 5, 32, 3, 2, 0),
        new ConvGeometry(5, 11, 8, 3, 3, 2, 2, 0, 0, 1, 1),
        1);
    compare(
        rng,
        2,
        new Conv2d.Spec("c", 4, 64, PerAxis.of(1), PerAxis.of(2), null, false, null, 2),
        new ConvGeometry(4, 9, 9, 1, 1, 2, 2, 0, 0, 1, 1),
        2);
    compare(
        rng,
        2,
        new Conv1d.Spec("c", 3, 32, PerAxis.of(5), null, Padding.of(2), true, null, 0),
        new ConvGeometry(3, 1, 19, 1, 5, 1, 1, 0, 2, 1, 1),
        1);
  }

  private EngineOptions options = EngineOptions.DEFAULT;

  /** Makes the convolutions this test binds from now on take path. */
  private void use(String path) {
    options = options(path);
  }

  /** The options of path: "grid", "grid in chunks of one sample" or "lowered". */
  static EngineOptions options(String path) {
    return switch (path) {
      case "grid" -> EngineOptions.DEFAULT;
      case "grid in chunks of one sample" -> EngineOptions.DEFAULT.withConvChunkBytes(1);
      case "lowered" -> EngineOptions.DEFAULT.withConv(EngineOptions.ConvPaths.LOWERED);
      default -> throw new IllegalArgumentException(path);
    };
  }

  /** g describes the convolution of spec on one sample (rank 2 or 3 specs alike). */
  private void compare(Rng rng, int n, ConvSpec spec, ConvGeometry g, int groups) {
    Shape in = spec.rank() == 1 ? Shape.of(g.c(), g.w()) : Shape.of(g.c(), g.h(), g.w());
    String what = spec + " on " + in;
    Vectors[] vs = new Vectors[1];
    Layer conv = ConvCases.bindRandom(spec, in, rng, vs, options);
    if (conv instanceof Convolution c && c.isImplicit() && spec.out() / groups == 32) {
      assertEquals(TapProducts.handles(32), c.transposedGrad(), what + ": dW by tap products");
    }
    Vectors v = vs[0];
    Shape out = conv.outputShape();
    int cout = spec.out();
    int wLen = cout * g.colRows() / groups;
    float[] x = GradCheck.uniform(rng, n * in.size(), -1f, 1f);
    float[] dy = GradCheck.uniform(rng, n * out.size(), -1f, 1f);

    float[] y = new float[n * out.size()];
    float[] dx = new float[n * in.size()];
    float[] dw = new float[wLen];
    float[] db = new float[cout];
    float[] b = spec.bias() ? v.params : null;
    for (int i = 0; i < n; i++) {
      ConvReference.forward(
          g, cout, groups, x, i * in.size(), v.params, 0, b, wLen, y, i * out.size());
      ConvReference.backward(
          g,
          cout,
          groups,
          x,
          i * in.size(),
          v.params,
          0,
          dy,
          i * out.size(),
          dx,
          i * in.size(),
          dw,
          0,
          spec.bias() ? db : null,
          0);
    }
    // float sums in another order: allow 1e-6 per summed product
    int kk = g.kh() * g.kw();
    Golden.assertClose(
        what + " forward",
        Golden.toDouble(y, y.length),
        conv.forward(x, n, true),
        1e-6 * g.colRows() / groups);
    Golden.assertClose(
        what + " dx",
        Golden.toDouble(dx, dx.length),
        conv.backward(dy, n),
        1e-6 * cout / groups * kk);
    double tolW = 1e-6 * n * g.colCols();
    Golden.assertClose(what + " dW", Golden.toDouble(dw, wLen), Arrays.copyOf(v.grads, wLen), tolW);
    if (spec.bias()) {
      Golden.assertClose(
          what + " db",
          Golden.toDouble(db, cout),
          Arrays.copyOfRange(v.grads, wLen, wLen + cout),
          tolW);
    }
  }
}

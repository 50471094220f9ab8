/*
 * Conv2d's im2col + GEMM path against the direct loops of ConvReference: forward, dx, dW and db,
 * on odd image sizes, strides 1 and 2, padding 0 to 2, a batch of 3.
 */
package org.sparkcnn.engine.layers;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.sparkcnn.engine.Golden;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;
import org.sparkcnn.engine.kernels.ConvGeometry;
import org.sparkcnn.engine.kernels.ConvReference;

class Conv2dReferenceTest {
  @Test
  void matchesTheDirectConvolution() {
    Rng rng = Rng.of(13);
    int n = 3;
    for (int[] hw : new int[][] {{7, 7}, {9, 5}, {11, 13}}) {
      for (int kernel : new int[] {1, 3, 5}) {
        for (int stride = 1; stride <= 2; stride++) {
          for (int pad = 0; pad <= 2; pad++) {
            if (hw[0] + 2 * pad >= kernel && hw[1] + 2 * pad >= kernel) {
              compare(rng, n, Shape.of(3, hw[0], hw[1]), 4, kernel, stride, pad);
            }
          }
        }
      }
    }
  }

  private static void compare(Rng rng, int n, Shape in, int cout, int k, int s, int p) {
    String what = "input " + in + " kernel " + k + " stride " + s + " padding " + p;
    Conv2d.Spec spec = Conv2d.Spec.of("conv", in.c(), cout, k, s, p);
    Vectors v = new Vectors(spec.paramCount(in), 0);
    System.arraycopy(GradCheck.uniform(rng, v.params.length, -1f, 1f), 0, v.params, 0,
        v.params.length);
    Layer conv = spec.bind(in, v, 0, 0);
    Shape out = conv.outputShape();
    int wLen = cout * in.c() * k * k;
    float[] x = GradCheck.uniform(rng, n * in.size(), -1f, 1f);
    float[] dy = GradCheck.uniform(rng, n * out.size(), -1f, 1f);

    ConvGeometry g = ConvGeometry.square(in.c(), in.h(), in.w(), k, s, p);
    float[] y = new float[n * out.size()];
    float[] dx = new float[n * in.size()];
    float[] dw = new float[wLen];
    float[] db = new float[cout];
    for (int i = 0; i < n; i++) {
      ConvReference.forward(g, cout, x, i * in.size(), v.params, 0, v.params, wLen, y,
          i * out.size());
      ConvReference.backward(g, cout, x, i * in.size(), v.params, 0, dy, i * out.size(), dx,
          i * in.size(), dw, 0, db, 0);
    }
    // float sums in another order: allow 1e-6 per summed product
    double tol = 1e-6 * in.c() * k * k;
    double tolW = 1e-6 * n * out.h() * out.w();
    Golden.assertClose(what + " forward", Golden.toDouble(y, y.length), conv.forward(x, n, true),
        tol);
    Golden.assertClose(what + " dx", Golden.toDouble(dx, dx.length), conv.backward(dy, n),
        1e-6 * cout * k * k);
    Golden.assertClose(what + " dW", Golden.toDouble(dw, wLen), Arrays.copyOf(v.grads, wLen), tolW);
    Golden.assertClose(what + " db", Golden.toDouble(db, cout),
        Arrays.copyOfRange(v.grads, wLen, wLen + cout), tolW);
  }
}

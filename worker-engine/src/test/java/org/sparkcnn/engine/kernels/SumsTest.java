/*
 * Batch normalisation's sums: the vector path (float lanes) against the plain loops (double), on
 * odd lengths and offsets, one run or a channel's runs at a stride, within float precision of the
 * magnitudes summed (sum dy with sum (x - mu) dy in one pass among them, gated by a ReLU's mask or
 * not), and batch norm's input gradient to the bit; and the plain loops
 * against exact arithmetic (BigDecimal) on a plane whose float sum would lose digits.
 */
package org.sparkcnn.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;
import org.sparkcnn.engine.Rng;

class SumsTest {
  @Test
  void theVectorPathMatchesThePlainLoops() {
    Rng rng = Rng.of(5);
    for (int len : new int[] {0, 1, 3, 17, 33, 65, 1024, 4099}) {
      float[] x = new float[len + 7];
      float[] y = new float[len + 7];
      for (int i = 0; i < x.length; i++) {
        x[i] = rng.nextFloat() * 4 - 2;
        y[i] = rng.nextFloat() * 4 - 2;
      }
      double tol = 1e-6 * Math.max(1, len); // the sums of |terms| are below 4 len
      String at = "len " + len;
      assertEquals(Sums.sumScalar(x, 5, len), VectorSums.sum(x, 5, len), tol, at);
      assertEquals(Sums.squaresScalar(x, 5, len, 0.3), VectorSums.squares(x, 5, len, 0.3), tol, at);
      // ungated (x 0 + 1 is never <= 0), and gated by a ReLU that drops about half of y
      for (float[] gate : new float[][] {{0f, 1f}, {1.3f, -0.1f}}) {
        double[] want = new double[3];
        Sums.sumAndProductsScalar(y, x, 0.3, gate[0], gate[1], 5, len, want, 1);
        double[] got = new double[3];
        VectorSums.sumAndProducts(y, x, 0.3, gate[0], gate[1], 5, len, got, 1);
        assertEquals(want[1], got[1], tol, at + ", gate " + gate[0]);
        assertEquals(want[2], got[2], 2 * tol, at + ", gate " + gate[0]);
      }
      if (len > 0) {
        double[] ungated = new double[2];
        Sums.sumAndProductsScalar(y, x, 0.3, 0f, 1f, 5, len, ungated, 0);
        assertEquals(Sums.sumScalar(y, 5, len), ungated[0], tol, at + ": no gate, sum of y");
      }
    }
  }

  @Test
  void runsAtAStrideMatchThePlainLoopsRunByRun() {
    // a channel's planes in a batch: whole steps of two vectors (one flat loop per group of runs,
    // 64, 96 and 1024 floats, more runs than a group holds) and other lengths (run by run)
    Rng rng = Rng.of(6);
    for (int[] c :
        new int[][] {
          {64, 70, 200}, {96, 5, 96}, {1024, 3, 3000}, {17, 9, 40}, {64, 1, 64}, {32, 0, 40}
        }) {
      int len = c[0];
      int runs = c[1];
      int stride = c[2];
      float[] x = new float[3 + runs * stride + len];
      float[] y = new float[x.length];
      for (int i = 0; i < x.length; i++) {
        x[i] = rng.nextFloat() * 4 - 2;
        y[i] = rng.nextFloat() * 4 - 2;
      }
      double sum = 0;
      double squares = 0;
      double[] gated = new double[2]; // gated by a ReLU that drops about half of y
      for (int r = 0; r < runs; r++) {
        sum += Sums.sumScalar(x, 3 + r * stride, len);
        squares += Sums.squaresScalar(x, 3 + r * stride, len, -0.2);
        Sums.sumAndProductsScalar(y, x, -0.2, 0.7f, 0.05f, 3 + r * stride, len, gated, 0);
      }
      double tol = 1e-6 * Math.max(1, len * runs);
      String at = len + " x " + runs + " at stride " + stride;
      assertEquals(sum, VectorSums.sum(x, 3, len, runs, stride), tol, at);
      assertEquals(squares, VectorSums.squares(x, 3, len, runs, stride, -0.2), tol, at);
      double[] both = {7, 7, 7};
      VectorSums.sumAndProducts(y, x, -0.2, 0.7f, 0.05f, 3, len, runs, stride, both, 1);
      assertEquals(7, both[0], at + ": before out");
      assertEquals(gated[0], both[1], tol, at);
      assertEquals(gated[1], both[2], 2 * tol, at);
      assertEquals(sum, Sums.sum(x, 3, len, runs, stride), tol, at);
      // the input gradient: the same floats, gated or not, whether in vectors or one by one
      for (float[] gate : new float[][] {{0f, 1f}, {0.7f, 0.05f}}) {
        float[] want = new float[x.length];
        float[] got = new float[x.length];
        for (int r = 0; r < runs; r++) {
          Sums.normGradScalar(
              y, x, -0.2f, gate[0], gate[1], 1.5f, 0.1f, -0.3f, 3 + r * stride, len, want);
          VectorSums.normGrad(
              y, x, -0.2f, gate[0], gate[1], 1.5f, 0.1f, -0.3f, 3 + r * stride, len, got);
        }
        assertArrayEquals(want, got, at + ": input gradient, gate " + gate[0]);
      }
    }
  }

  @Test
  void thePlainLoopsKeepDoublePrecision() {
    int len = 100_003;
    float[] x = new float[len];
    BigDecimal exact = BigDecimal.ZERO;
    for (int i = 0; i < len; i++) {
      x[i] = i % 2 == 0 ? 16_777_216f : 1f + i % 7 / 8f; // 2^24 next to values it would swallow
      exact = exact.add(new BigDecimal(x[i]));
    }
    assertEquals(exact.doubleValue(), Sums.sumScalar(x, 0, len), 0.0);
  }
}

/*
 * Batch normalisation's sums: the vector path (float lanes) against the plain loops (double), on
 * odd lengths and offsets, within float precision of the magnitudes summed; and the plain loops
 * against exact arithmetic (BigDecimal) on a plane whose float sum would lose digits.
 */
package org.sparkcnn.engine.kernels;

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
      assertEquals(Sums.squaresScalar(x, 5, len, 0.3), VectorSums.squares(x, 5, len, 0.3), tol,
          at);
      assertEquals(Sums.productsScalar(x, y, 5, len), VectorSums.products(x, y, 5, len), tol, at);
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

/*
 * Every Gemm implementation (the Vector API kernel and the scalar blocked fallback) against
 * Gemm.reference (the triple loop) for every transpose combination and both betas, on odd sizes,
 * past the 256 block in n and k and past the vector kernel's MC and NC blocks, with an A small
 * enough to be packed once and one too large for that, with operands at non-zero offsets inside
 * wider rows; and the argument checks of the public entry.
 */
package org.sparkcnn.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.sparkcnn.engine.Rng;

class GemmTest {
  /** (m, n, k): every size of 1, 3, 17, 33, 65, 300 in every role, and both 256-blocks crossed. */
  private static final int[][] SIZES = {
    {1, 1, 1},
    {3, 17, 1},
    {17, 3, 33},
    {33, 65, 17},
    {65, 33, 3},
    {1, 300, 65},
    {300, 1, 3},
    {17, 33, 300},
    {65, 300, 300},
    {3, 1, 65},
    {97, 2050, 257},
    {521, 33, 515} // an A too large to pack once for all column blocks
  };

  @Test
  void everyImplementationMatchesReference() {
    Rng rng = Rng.of(11);
    for (Gemm.Impl impl : Gemm.Impl.values()) {
      for (int[] s : SIZES) {
        for (int t = 0; t < 4; t++) {
          for (float beta : new float[] {0f, 1f}) {
            compare(impl, rng, t >= 2, (t & 1) == 1, s[0], s[1], s[2], beta);
          }
        }
      }
    }
  }

  @Test
  void vectorPathIsChosenWhenTheModuleIsPresent() {
    // Surefire runs with deploy/jvm-options, which adds jdk.incubator.vector.
    assertEquals(Gemm.Impl.VECTOR, Gemm.IMPL);
  }

  private static void compare(
      Gemm.Impl impl, Rng rng, boolean transA, boolean transB, int m, int n, int k, float beta) {
    String what =
        String.format(
            "%s transA=%b transB=%b m=%d n=%d k=%d beta=%s", impl, transA, transB, m, n, k, beta);
    int aRows = transA ? k : m;
    int aCols = transA ? m : k;
    int bRows = transB ? n : k;
    int bCols = transB ? k : n;
    int lda = aCols + 3;
    int ldb = bCols + 2;
    int ldc = n + 5;
    int aOff = 7;
    int bOff = 4;
    int cOff = 9;
    float[] a = random(rng, aOff + aRows * lda + 1);
    float[] b = random(rng, bOff + bRows * ldb + 2);
    float[] c = random(rng, cOff + m * ldc + 3);
    float[] cRef = c.clone();
    Gemm.sgemm(impl, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    Gemm.reference(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, cRef, cOff, ldc);
    double tol = 2e-6 * (k + 1); // float sums of k products of values in [-1, 1), other order
    for (int i = 0; i < c.length; i++) {
      int row = (i - cOff) / ldc;
      int col = (i - cOff) % ldc;
      boolean inside = i >= cOff && row < m && col < n;
      if (inside ? !(Math.abs(c[i] - cRef[i]) <= tol) : c[i] != cRef[i]) {
        fail(
            what
                + ": "
                + (inside
                    ? "C[" + row + ", " + col + "] = " + c[i] + ", reference " + cRef[i]
                    : "wrote outside C at array index " + i));
      }
    }
  }

  private static float[] random(Rng rng, int len) {
    float[] x = new float[len];
    for (int i = 0; i < len; i++) {
      x[i] = rng.uniform(-1f, 1f);
    }
    return x;
  }

  @Test
  void emptyInnerDimensionClearsOrKeepsC() {
    float[] c = {1f, 2f, 3f, 4f};
    Gemm.sgemm(false, false, 2, 2, 0, new float[0], 0, 0, new float[0], 0, 2, 1f, c, 0, 2);
    assertEquals(10f, c[0] + c[1] + c[2] + c[3]);
    Gemm.sgemm(false, false, 2, 2, 0, new float[0], 0, 0, new float[0], 0, 2, 0f, c, 0, 2);
    assertEquals(0f, Math.abs(c[0]) + Math.abs(c[1]) + Math.abs(c[2]) + Math.abs(c[3]));
  }

  @Test
  void rejectsBadArguments() {
    float[] a = new float[6]; // 2 x 3
    float[] b = new float[12]; // 3 x 4
    float[] c = new float[8]; // 2 x 4
    expect("negative", () -> Gemm.sgemm(false, false, -1, 4, 3, a, 0, 3, b, 0, 4, 0f, c, 0, 4));
    expect("beta", () -> Gemm.sgemm(false, false, 2, 4, 3, a, 0, 3, b, 0, 4, 0.5f, c, 0, 4));
    expect("A:", () -> Gemm.sgemm(false, false, 2, 4, 3, a, 0, 2, b, 0, 4, 0f, c, 0, 4));
    expect("A:", () -> Gemm.sgemm(false, false, 2, 4, 3, a, 1, 3, b, 0, 4, 0f, c, 0, 4));
    expect("A:", () -> Gemm.sgemm(false, false, 2, 4, 3, a, -1, 3, b, 0, 4, 0f, c, 0, 4));
    expect("B:", () -> Gemm.sgemm(false, true, 2, 4, 3, a, 0, 3, b, 0, 4, 0f, c, 0, 4));
    expect("C:", () -> Gemm.sgemm(false, false, 2, 4, 3, a, 0, 3, b, 0, 4, 0f, c, 1, 4));
    expect("C:", () -> Gemm.sgemm(false, false, 2, 4, 3, a, 0, 3, b, 0, 4, 0f, c, 0, 3));
    Gemm.sgemm(false, false, 2, 4, 3, a, 0, 3, b, 0, 4, 0f, c, 0, 4); // fits exactly
  }

  private static void expect(String inMessage, Runnable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
    assertTrue(e.getMessage().contains(inMessage), e.getMessage());
  }
}

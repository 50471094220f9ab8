/*
 * Single-precision matrix product on row-major arrays: C[m,n] = beta * C + op(A)[m,k] * op(B)[k,n],
 * where op transposes when asked and beta is 0 (overwrite) or 1 (accumulate). The public entry
 * checks its arguments once and calls the implementation picked at start-up: VectorGemm (packed,
 * register-blocked, JDK Vector API) when the jdk.incubator.vector module is present, else
 * blocked(), which keeps a k x n block of B hot in cache and runs a unit-stride inner loop
 * (c[i, j] += a[i, p] * b[p, j]) that the JIT vectorises. reference() is the plain triple loop
 * every faster path is tested against. -Dsparkcnn.gemm=scalar forces the fallback.
 */
package org.sparkcnn.engine.kernels;

import java.util.Arrays;

public final class Gemm {
  /** The implementations of sgemm; the one in use is IMPL. */
  public enum Impl {
    VECTOR,
    SCALAR
  }

  public static final Impl IMPL = pick();

  private static final int NB = 256; // columns of B per block
  private static final int KB = 256; // rows of B per block: NB * KB floats = 256 KiB
  private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

  private Gemm() {}

  public static void sgemm(
      boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    sgemm(IMPL, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
  }

  /** The same product on a chosen implementation (parity tests and benchmarks). */
  public static void sgemm(Impl impl,
      boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    if (m < 0 || n < 0 || k < 0) {
      throw new IllegalArgumentException("negative size m=" + m + " n=" + n + " k=" + k);
    }
    if (beta != 0f && beta != 1f) {
      throw new IllegalArgumentException("beta must be 0 or 1, got " + beta);
    }
    checkOperand("A", a, aOff, lda, transA ? k : m, transA ? m : k);
    checkOperand("B", b, bOff, ldb, transB ? n : k, transB ? k : n);
    checkOperand("C", c, cOff, ldc, m, n);
    if (m == 0 || n == 0) {
      return;
    }
    if (impl == Impl.VECTOR) {
      VectorGemm.sgemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    } else {
      blocked(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }
  }

  private static void checkOperand(String name, float[] x, int off, int ld, int rows, int cols) {
    if (rows == 0 || cols == 0) {
      return;
    }
    if (ld < cols || off < 0 || (long) off + (long) (rows - 1) * ld + cols > x.length) {
      throw new IllegalArgumentException(name + ": a " + rows + "x" + cols + " matrix at offset "
          + off + " with leading dimension " + ld + " does not fit an array of " + x.length);
    }
  }

  private static Impl pick() {
    Impl impl = Impl.SCALAR;
    String why = "the module jdk.incubator.vector is not present (add --add-modules=jdk.incubator.vector)";
    if ("scalar".equals(System.getProperty("sparkcnn.gemm"))) {
      why = "-Dsparkcnn.gemm=scalar";
    } else {
      try {
        why = VectorGemm.L + " floats per vector, " + VectorGemm.MR + "x" + VectorGemm.NR + " tiles";
        impl = VectorGemm.L >= 4 ? Impl.VECTOR : Impl.SCALAR;
      } catch (LinkageError e) {
        // no jdk.incubator.vector at run time: keep the scalar path
      }
    }
    System.getLogger("org.sparkcnn.engine").log(System.Logger.Level.INFO,
        "sparkcnn SGEMM: " + impl.name().toLowerCase(java.util.Locale.ROOT) + " (" + why + ")");
    return impl;
  }

  /** The readable definition; slow, used to test every other path. */
  public static void reference(
      boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float s = 0f;
        for (int p = 0; p < k; p++) {
          float aip = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
          float bpj = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
          s += aip * bpj;
        }
        int ci = cOff + i * ldc + j;
        c[ci] = beta == 0f ? s : c[ci] + s;
      }
    }
  }

  static void blocked(
      boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    clearIfOverwriting(beta, m, n, c, cOff, ldc);
    if (transB) {
      float[] bt = scratch(k * n);
      transpose(b, bOff, ldb, n, k, bt);
      b = bt;
      bOff = 0;
      ldb = n;
    }
    for (int p0 = 0; p0 < k; p0 += KB) {
      int p1 = Math.min(k, p0 + KB);
      for (int j0 = 0; j0 < n; j0 += NB) {
        int len = Math.min(n, j0 + NB) - j0;
        for (int i = 0; i < m; i++) {
          int ci = cOff + i * ldc + j0;
          for (int p = p0; p < p1; p++) {
            float aip = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
            if (aip != 0f) { // ReLU outputs are often zero
              axpy(aip, b, bOff + p * ldb + j0, c, ci, len);
            }
          }
        }
      }
    }
  }

  /** With beta 0, C[m, n] starts from zeros; with beta 1 it is kept and added to. */
  static void clearIfOverwriting(float beta, int m, int n, float[] c, int cOff, int ldc) {
    if (beta == 0f) {
      for (int i = 0; i < m; i++) {
        Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
      }
    }
  }

  /** y[yOff, yOff + len) += alpha * x[xOff, xOff + len). */
  static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int len) {
    for (int j = 0; j < len; j++) {
      y[yOff + j] += alpha * x[xOff + j];
    }
  }

  /** dst[cols, rows] = src[rows, cols]^T (src with leading dimension ld). */
  public static void transpose(float[] src, int off, int ld, int rows, int cols, float[] dst) {
    final int t = 32;
    for (int r0 = 0; r0 < rows; r0 += t) {
      int r1 = Math.min(rows, r0 + t);
      for (int c0 = 0; c0 < cols; c0 += t) {
        int c1 = Math.min(cols, c0 + t);
        for (int r = r0; r < r1; r++) {
          for (int col = c0; col < c1; col++) {
            dst[col * rows + r] = src[off + r * ld + col];
          }
        }
      }
    }
  }

  private static float[] scratch(int size) {
    float[] s = SCRATCH.get();
    if (s.length < size) {
      s = new float[size];
      SCRATCH.set(s);
    }
    return s;
  }
}

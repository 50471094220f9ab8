/*
 * Single-precision matrix product on row-major arrays: C[m,n] = beta * C + op(A)[m,k] * op(B)[k,n],
 * where op transposes when asked and beta is 0 (overwrite) or 1 (accumulate); and the same product
 * over Operands (multiply), which is how convolutions multiply by their column matrix without
 * building it. The public entries check their arguments once and run PackedGemm with the
 * micro-kernel picked at start-up: VectorKernel (JDK Vector API) when the jdk.incubator.vector
 * module is present, else MicroKernel.Scalar (IMPL, logged once); a model whose EngineOptions
 * ask for SCALAR passes it to the overloads that take an Impl.
 * reference() is the plain triple loop every faster path is tested against.
 */
package org.sparkcnn.engine.kernels;

import org.slf4j.LoggerFactory;

public final class Gemm {
  /** The implementations of sgemm; the one in use is IMPL. */
  public enum Impl {
    VECTOR,
    SCALAR
  }

  public static final Impl IMPL = pick();
  private static MicroKernel vector;
  private static final MicroKernel SCALAR = new MicroKernel.Scalar();

  private Gemm() {}

  public static void sgemm(
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      float[] a,
      int aOff,
      int lda,
      float[] b,
      int bOff,
      int ldb,
      float beta,
      float[] c,
      int cOff,
      int ldc) {
    sgemm(IMPL, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
  }

  /** The same product on a chosen implementation (parity tests and benchmarks). */
  public static void sgemm(
      Impl impl,
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      float[] a,
      int aOff,
      int lda,
      float[] b,
      int bOff,
      int ldb,
      float beta,
      float[] c,
      int cOff,
      int ldc) {
    if (beta != 0f && beta != 1f) {
      throw new IllegalArgumentException("beta must be 0 or 1, got " + beta);
    }
    Operand opA = Operand.dense(a, aOff, lda);
    Operand opB = Operand.dense(b, bOff, ldb);
    multiply(
        impl,
        m,
        n,
        k,
        transA ? opA.transpose() : opA,
        transB ? opB.transpose() : opB,
        PackedGemm.Out.dense(c, cOff, ldc),
        beta == 1f);
  }

  /**
   * C = [C +] A[m, k] x B[k, n] on impl (a model's EngineOptions.gemm; IMPL, the best present),
   * where C's columns lie in segments of segLen, segStride apart: (i, s * segLen + q) at c[cOff + s
   * * segStride + i * ldc + q] (a plain matrix: segLen = n).
   */
  public static void multiply(
      Impl impl,
      int m,
      int n,
      int k,
      Operand a,
      Operand b,
      float[] c,
      int cOff,
      int ldc,
      int segLen,
      int segStride,
      boolean accumulate) {
    multiply(impl, m, n, k, a, b, new PackedGemm.Out(c, cOff, ldc, segLen, segStride), accumulate);
  }

  /**
   * C[m, n] = [C +] A[m, k] x B[n, k]^T into a plain C: the weight gradient's product, where both
   * factors are cheapest to read along k. The vector path multiplies along rows (DotGemm); the
   * scalar one packs B^T for PackedGemm.
   */
  public static void multiplyTransposed(
      Impl impl,
      int m,
      int n,
      int k,
      Operand a,
      Operand b,
      float[] c,
      int cOff,
      int ldc,
      boolean accumulate) {
    multiplyTransposed(impl, m, n, k, a, b, PackedGemm.Out.dense(c, cOff, ldc), accumulate);
  }

  static void multiplyTransposed(
      Impl impl, int m, int n, int k, Operand a, Operand b, PackedGemm.Out c, boolean accumulate) {
    if (impl == Impl.SCALAR || k == 0) {
      multiply(impl, m, n, k, a, b.transpose(), c, accumulate);
    } else if (kernel(impl, m, n, k, a, b.transpose(), c) != null) {
      DotGemm.multiply(m, n, k, a, b, c, accumulate);
    }
  }

  static void multiply(
      Impl impl, int m, int n, int k, Operand a, Operand b, PackedGemm.Out c, boolean accumulate) {
    MicroKernel kern = kernel(impl, m, n, k, a, b, c);
    if (kern != null) {
      PackedGemm.multiply(kern, m, n, k, a, b, c, accumulate);
    }
  }

  /**
   * Checks the arguments of C[m, n] = A[m, k] x B[k, n] once, at the entry; returns the
   * micro-kernel of impl, or null when C is empty and there is nothing to do.
   */
  private static MicroKernel kernel(
      Impl impl, int m, int n, int k, Operand a, Operand b, PackedGemm.Out c) {
    if (m < 0 || n < 0 || k < 0) {
      throw new IllegalArgumentException("negative size m=" + m + " n=" + n + " k=" + k);
    }
    if (m == 0 || n == 0) {
      return null;
    }
    if (k > 0) {
      a.check("A", m, k);
      b.check("B", k, n);
    }
    c.check(m, n);
    MicroKernel kern = impl == Impl.SCALAR ? SCALAR : vector;
    if (kern == null) {
      throw new IllegalStateException("the vector kernel is not available: " + IMPL + " runs");
    }
    return kern;
  }

  private static Impl pick() {
    Impl impl = Impl.SCALAR;
    String why =
        "the module jdk.incubator.vector is not present (add --add-modules=jdk.incubator.vector)";
    try {
      why = VectorKernel.L + " floats per vector, 8x" + 2 * VectorKernel.L + " tiles";
      if (VectorKernel.L >= 4) {
        vector = new VectorKernel();
        impl = Impl.VECTOR;
      }
    } catch (LinkageError e) {
      // no jdk.incubator.vector at run time: keep the scalar path
    }
    LoggerFactory.getLogger(Gemm.class)
        .info("sparkcnn SGEMM: {} ({})", impl.name().toLowerCase(java.util.Locale.ROOT), why);
    return impl;
  }

  /** The readable definition; slow, used to test every other path. */
  public static void reference(
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      float[] a,
      int aOff,
      int lda,
      float[] b,
      int bOff,
      int ldb,
      float beta,
      float[] c,
      int cOff,
      int ldc) {
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
}

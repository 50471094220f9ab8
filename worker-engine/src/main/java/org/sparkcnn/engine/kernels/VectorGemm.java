/*
 * The fast SGEMM path: packed, cache-blocked matrix product with a register-blocked micro-kernel
 * on the JDK Vector API (jdk.incubator.vector), FMA on the CPU's preferred vector width. The loop
 * nest follows Goto and van de Geijn, "Anatomy of high-performance matrix multiplication" (ACM
 * TOMS 34(3), 2008): a KC x NC block of op(B) is packed into panels NR columns wide, an MC x KC
 * block of op(A) into panels MR rows tall, and the micro-kernel keeps an MR x NR tile of C in
 * MR * 2 vector registers while it streams both panels. Packing reads op(A) and op(B) through
 * their strides, so transposes cost nothing extra. Only Gemm calls this, with checked arguments.
 */
package org.sparkcnn.engine.kernels;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

final class VectorGemm {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  static final int L = S.length();
  static final int MR = 6;
  static final int NR = 2 * L;
  private static final int KC = 256;
  private static final int MC = 16 * MR; // 96 rows: MC x KC floats of A stay in L2
  private static final int NC = 2048; // KC x NC floats of B: 2 MiB

  /** Per-thread packing buffers and the tile used at the ragged edges of C. */
  private static final class Scratch {
    final float[] a = new float[MC * KC];
    final float[] b = new float[KC * NC];
    final float[] tile = new float[MR * NR];
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private VectorGemm() {}

  static void sgemm(
      boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    Gemm.clearIfOverwriting(beta, m, n, c, cOff, ldc);
    Scratch s = SCRATCH.get();
    for (int jc = 0; jc < n; jc += NC) {
      int nc = Math.min(NC, n - jc);
      for (int pc = 0; pc < k; pc += KC) {
        int kc = Math.min(KC, k - pc);
        packB(transB, b, bOff, ldb, pc, jc, kc, nc, s.b);
        for (int ic = 0; ic < m; ic += MC) {
          int mc = Math.min(MC, m - ic);
          packA(transA, a, aOff, lda, ic, pc, mc, kc, s.a);
          for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            for (int ir = 0; ir < mc; ir += MR) {
              int mr = Math.min(MR, mc - ir);
              int cAt = cOff + (ic + ir) * ldc + jc + jr;
              if (mr == MR && nr == NR) {
                kernel(kc, s.a, ir * kc, s.b, jr * kc, c, cAt, ldc);
              } else {
                Arrays.fill(s.tile, 0f);
                kernel(kc, s.a, ir * kc, s.b, jr * kc, s.tile, 0, NR);
                for (int i = 0; i < mr; i++) {
                  for (int j = 0; j < nr; j++) {
                    c[cAt + i * ldc + j] += s.tile[i * NR + j];
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  /**
   * op(B)[pc.., jc..] (kc x nc) into panels of NR columns: panel j holds kc rows of NR floats,
   * zero-padded past nc.
   */
  private static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int jc, int kc,
      int nc, float[] dst) {
    for (int jr = 0; jr < nc; jr += NR) {
      int nr = Math.min(NR, nc - jr);
      int panel = jr * kc;
      for (int p = 0; p < kc; p++) {
        int d = panel + p * NR;
        if (!transB) {
          System.arraycopy(b, bOff + (pc + p) * ldb + jc + jr, dst, d, nr);
        } else {
          int src = bOff + (jc + jr) * ldb + pc + p;
          for (int j = 0; j < nr; j++) {
            dst[d + j] = b[src + j * ldb];
          }
        }
        if (nr < NR) {
          Arrays.fill(dst, d + nr, d + NR, 0f);
        }
      }
    }
  }

  /** op(A)[ic.., pc..] (mc x kc) into panels of MR rows: panel i holds kc columns of MR floats. */
  private static void packA(boolean transA, float[] a, int aOff, int lda, int ic, int pc, int mc,
      int kc, float[] dst) {
    for (int ir = 0; ir < mc; ir += MR) {
      int mr = Math.min(MR, mc - ir);
      int panel = ir * kc;
      for (int p = 0; p < kc; p++) {
        int d = panel + p * MR;
        for (int i = 0; i < mr; i++) {
          int row = ic + ir + i;
          dst[d + i] = transA ? a[aOff + (pc + p) * lda + row] : a[aOff + row * lda + pc + p];
        }
        for (int i = mr; i < MR; i++) {
          dst[d + i] = 0f;
        }
      }
    }
  }

  /** C[0..MR, 0..NR) at cOff (leading dimension ldc) += Apanel (MR x kc) x Bpanel (kc x NR). */
  private static void kernel(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] c,
      int cOff, int ldc) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S);
    FloatVector c41 = FloatVector.zero(S);
    FloatVector c50 = FloatVector.zero(S);
    FloatVector c51 = FloatVector.zero(S);
    for (int p = 0; p < kc; p++) {
      int bi = bOff + p * NR;
      int ai = aOff + p * MR;
      FloatVector b0 = FloatVector.fromArray(S, bp, bi);
      FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
      FloatVector a = FloatVector.broadcast(S, ap[ai]);
      c00 = b0.fma(a, c00);
      c01 = b1.fma(a, c01);
      a = FloatVector.broadcast(S, ap[ai + 1]);
      c10 = b0.fma(a, c10);
      c11 = b1.fma(a, c11);
      a = FloatVector.broadcast(S, ap[ai + 2]);
      c20 = b0.fma(a, c20);
      c21 = b1.fma(a, c21);
      a = FloatVector.broadcast(S, ap[ai + 3]);
      c30 = b0.fma(a, c30);
      c31 = b1.fma(a, c31);
      a = FloatVector.broadcast(S, ap[ai + 4]);
      c40 = b0.fma(a, c40);
      c41 = b1.fma(a, c41);
      a = FloatVector.broadcast(S, ap[ai + 5]);
      c50 = b0.fma(a, c50);
      c51 = b1.fma(a, c51);
    }
    addRow(c, cOff, c00, c01);
    addRow(c, cOff + ldc, c10, c11);
    addRow(c, cOff + 2 * ldc, c20, c21);
    addRow(c, cOff + 3 * ldc, c30, c31);
    addRow(c, cOff + 4 * ldc, c40, c41);
    addRow(c, cOff + 5 * ldc, c50, c51);
  }

  private static void addRow(float[] c, int at, FloatVector v0, FloatVector v1) {
    FloatVector.fromArray(S, c, at).add(v0).intoArray(c, at);
    FloatVector.fromArray(S, c, at + L).add(v1).intoArray(c, at + L);
  }
}

/*
 * C = [C +] A x B^T for factors read along their rows, the form of a convolution's weight gradient
 * dW[Cout, Cin*K] = dY[Cout, n*P] x col[Cin*K, n*P]^T. The kernel keeps a 4 x 5 block of dot
 * products as 20 vectors along k, reduced once per k block: four rows of A, as output channels
 * come in multiples of 4, and five of B, as kernel taps come in multiples of 9 and 25.
 * On the implicit convolution path both factors are runs per sample (dY on the wide grid, the
 * shifted rows of the padded input) of a whole number of vectors: the kernel then reads them where
 * they lie, sample after sample, with k blocks of whole samples (runsBlock). Otherwise both are
 * copied row by row (Operand.copyRows, which for col is the contiguous, fast way to lower an
 * image). Packing col for the usual GEMM would instead write it transposed, one float at a time.
 * Threads split C by 4 x 5 blocks along the longer side; every element is the same sum in the
 * same order whatever the split. Only loaded when the Vector API is present (Gemm picks it).
 */
package org.sparkcnn.engine.kernels;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

final class DotGemm {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final int TA = 4; // rows of A per block
  private static final int TB = 5; // rows of B per block: 20 sums and 6 vectors in registers
  // k per block: 4 + 5 rows of 4 KiB stay in L1; longer blocks mean fewer reductions of sums
  private static final int KC = 1024;
  private static final long SERIAL_BELOW = 1L << 20;
  // k per block when both factors are read in place: 9 rows of 8 KiB in L1 and A's rows in L2
  private static final int KC_RUNS = 2048;

  /** Per-thread copies of A's and B's rows and the 4 x 4 sums. */
  private static final class Scratch {
    float[] a = new float[0];
    final float[] b = new float[TB * KC];
    final float[] sums = new float[TA * TB];
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private DotGemm() {}

  /**
   * C[m, n] = (accumulate ? C : 0) + A[m, k] x B[n, k]^T, for a dense C (rows side by side), on
   * Parallel's threads.
   */
  static void multiply(
      int m, int n, int k, Operand a, Operand b, PackedGemm.Out c, boolean accumulate) {
    int rowBlocks = (m + TA - 1) / TA;
    int colBlocks = (n + TB - 1) / TB;
    boolean byCols = colBlocks >= rowBlocks;
    boolean inPlace = inPlace(k, a, b);
    // a copying part copies all of the other factor's rows: one part per thread there
    int parts =
        (long) m * n * k < SERIAL_BELOW
            ? 1
            : Math.min(
                inPlace ? Parallel.parts() : Math.min(Parallel.parts(), Parallel.threads()),
                byCols ? colBlocks : rowBlocks);
    Parallel.forEach(
        parts,
        t -> {
          int i0 = byCols ? 0 : Parallel.split(m, parts, TA, t);
          int i1 = byCols ? m : Parallel.split(m, parts, TA, t + 1);
          int j0 = byCols ? Parallel.split(n, parts, TB, t) : 0;
          int j1 = byCols ? Parallel.split(n, parts, TB, t + 1) : n;
          if (inPlace) {
            runsBlock(i0, i1, j0, j1, k, (Operand.Runs) a, (Operand.Runs) b, c, accumulate);
          } else {
            block(i0, i1, j0, j1, k, a, b, c, accumulate);
          }
        });
  }

  /**
   * Whether both factors can be read where they lie: runs per sample (a convolution's dY on the
   * wide grid and its shifted input) of one length, a whole number of vectors.
   */
  private static boolean inPlace(int k, Operand a, Operand b) {
    return a instanceof Operand.Runs ra
        && b instanceof Operand.Runs rb
        && ra.segLen == rb.segLen
        && ra.segLen % L == 0
        && k % ra.segLen == 0;
  }

  /**
   * block for two operands of runs, read in place: k blocks of whole samples (or of one sample cut
   * into pieces when a sample is longer than KC_RUNS), in the same order on any split.
   */
  private static void runsBlock(
      int i0,
      int i1,
      int j0,
      int j1,
      int k,
      Operand.Runs a,
      Operand.Runs b,
      PackedGemm.Out c,
      boolean accumulate) {
    if (i0 >= i1 || j0 >= j1) {
      return;
    }
    float[] t = SCRATCH.get().sums;
    if (!accumulate) {
      PackedGemm.clear(c, i0, i1, j0, j1);
    }
    int len = a.segLen;
    int samples = k / len;
    int perBlock = Math.max(1, KC_RUNS / len); // samples per k block
    // a longer sample is cut into equal pieces of whole vectors, each a k block
    int pieces = (len + KC_RUNS - 1) / KC_RUNS;
    int piece = (len / L + pieces - 1) / pieces * L;
    for (int s0 = 0; s0 < samples; s0 += perBlock) {
      int ns = Math.min(perBlock, samples - s0);
      for (int q = 0; q < len; q += piece) {
        int w = Math.min(piece, len - q);
        int aBase = a.off + s0 * a.segStride + q;
        int bBase = b.off + s0 * b.segStride + q;
        for (int jb = j0; jb < j1; jb += TB) {
          int cols = Math.min(TB, j1 - jb);
          int b0 = bBase + b.rowStart(jb);
          int b1 = bBase + b.rowStart(jb + Math.min(1, cols - 1));
          int b2 = bBase + b.rowStart(jb + Math.min(2, cols - 1));
          int b3 = bBase + b.rowStart(jb + Math.min(3, cols - 1));
          int b4 = bBase + b.rowStart(jb + Math.min(4, cols - 1));
          for (int ib = i0; ib < i1; ib += TA) {
            int rs = Math.min(TA, i1 - ib);
            runsKernel(
                a.a,
                aBase + a.rowStart(ib),
                aBase + a.rowStart(ib + Math.min(1, rs - 1)),
                aBase + a.rowStart(ib + Math.min(2, rs - 1)),
                aBase + a.rowStart(ib + Math.min(3, rs - 1)),
                a.segStride,
                b.a,
                b0,
                b1,
                b2,
                b3,
                b4,
                b.segStride,
                ns,
                w,
                t);
            for (int i = 0; i < rs; i++) {
              int at = c.at(ib + i, jb); // C is dense: a row's columns lie side by side
              for (int j = 0; j < cols; j++) {
                c.c()[at + j] += t[i * TB + j];
              }
            }
          }
        }
      }
    }
  }

  private static void block(
      int i0,
      int i1,
      int j0,
      int j1,
      int k,
      Operand a,
      Operand b,
      PackedGemm.Out c,
      boolean accumulate) {
    if (i0 >= i1 || j0 >= j1) {
      return;
    }
    Scratch s = SCRATCH.get();
    int rows = (i1 - i0 + TA - 1) / TA * TA;
    if (s.a.length < rows * KC) {
      s.a = new float[rows * KC];
    }
    if (!accumulate) {
      PackedGemm.clear(c, i0, i1, j0, j1);
    }
    for (int pc = 0; pc < k; pc += KC) {
      int kc = Math.min(KC, k - pc);
      int ld = (kc + L - 1) / L * L; // rows padded with zeros to whole vectors
      a.copyRows(i0, i1 - i0, pc, kc, s.a, 0, ld);
      zeroPadding(s.a, i1 - i0, rows, kc, ld);
      for (int jb = j0; jb < j1; jb += TB) {
        int cols = Math.min(TB, j1 - jb);
        b.copyRows(jb, cols, pc, kc, s.b, 0, ld);
        zeroPadding(s.b, cols, TB, kc, ld);
        for (int ib = i0; ib < i1; ib += TA) {
          kernel(ld, s.a, (ib - i0) * ld, s.b, 0, ld, s.sums);
          int rs = Math.min(TA, i1 - ib);
          for (int i = 0; i < rs; i++) {
            int at = c.at(ib + i, jb); // C is dense: a row's columns lie side by side
            for (int j = 0; j < cols; j++) {
              c.c()[at + j] += s.sums[i * TB + j];
            }
          }
        }
      }
    }
  }

  /** Zeroes what the kernel reads past the copied rows[0, filled) x [0, kc) of rows x ld. */
  private static void zeroPadding(float[] m, int filled, int rows, int kc, int ld) {
    if (kc < ld) {
      for (int i = 0; i < filled; i++) {
        Arrays.fill(m, i * ld + kc, (i + 1) * ld, 0f);
      }
    }
    Arrays.fill(m, filled * ld, rows * ld, 0f);
  }

  /** t[i * TB + j] = sum over p < kc of pa[aOff + i * ld + p] * pb[bOff + j * ld + p]. */
  private static void kernel(
      int kc, float[] pa, int aOff, float[] pb, int bOff, int ld, float[] t) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c02 = FloatVector.zero(S);
    FloatVector c03 = FloatVector.zero(S);
    FloatVector c04 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c12 = FloatVector.zero(S);
    FloatVector c13 = FloatVector.zero(S);
    FloatVector c14 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c22 = FloatVector.zero(S);
    FloatVector c23 = FloatVector.zero(S);
    FloatVector c24 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    FloatVector c32 = FloatVector.zero(S);
    FloatVector c33 = FloatVector.zero(S);
    FloatVector c34 = FloatVector.zero(S);
    for (int p = 0; p < kc; p += L) {
      FloatVector b0 = FloatVector.fromArray(S, pb, bOff + 0 * ld + p);
      FloatVector b1 = FloatVector.fromArray(S, pb, bOff + 1 * ld + p);
      FloatVector b2 = FloatVector.fromArray(S, pb, bOff + 2 * ld + p);
      FloatVector b3 = FloatVector.fromArray(S, pb, bOff + 3 * ld + p);
      FloatVector b4 = FloatVector.fromArray(S, pb, bOff + 4 * ld + p);
      FloatVector a = FloatVector.fromArray(S, pa, aOff + p);
      c00 = a.fma(b0, c00);
      c01 = a.fma(b1, c01);
      c02 = a.fma(b2, c02);
      c03 = a.fma(b3, c03);
      c04 = a.fma(b4, c04);
      a = FloatVector.fromArray(S, pa, aOff + 1 * ld + p);
      c10 = a.fma(b0, c10);
      c11 = a.fma(b1, c11);
      c12 = a.fma(b2, c12);
      c13 = a.fma(b3, c13);
      c14 = a.fma(b4, c14);
      a = FloatVector.fromArray(S, pa, aOff + 2 * ld + p);
      c20 = a.fma(b0, c20);
      c21 = a.fma(b1, c21);
      c22 = a.fma(b2, c22);
      c23 = a.fma(b3, c23);
      c24 = a.fma(b4, c24);
      a = FloatVector.fromArray(S, pa, aOff + 3 * ld + p);
      c30 = a.fma(b0, c30);
      c31 = a.fma(b1, c31);
      c32 = a.fma(b2, c32);
      c33 = a.fma(b3, c33);
      c34 = a.fma(b4, c34);
    }
    t[0] = c00.reduceLanes(VectorOperators.ADD);
    t[1] = c01.reduceLanes(VectorOperators.ADD);
    t[2] = c02.reduceLanes(VectorOperators.ADD);
    t[3] = c03.reduceLanes(VectorOperators.ADD);
    t[4] = c04.reduceLanes(VectorOperators.ADD);
    t[5] = c10.reduceLanes(VectorOperators.ADD);
    t[6] = c11.reduceLanes(VectorOperators.ADD);
    t[7] = c12.reduceLanes(VectorOperators.ADD);
    t[8] = c13.reduceLanes(VectorOperators.ADD);
    t[9] = c14.reduceLanes(VectorOperators.ADD);
    t[10] = c20.reduceLanes(VectorOperators.ADD);
    t[11] = c21.reduceLanes(VectorOperators.ADD);
    t[12] = c22.reduceLanes(VectorOperators.ADD);
    t[13] = c23.reduceLanes(VectorOperators.ADD);
    t[14] = c24.reduceLanes(VectorOperators.ADD);
    t[15] = c30.reduceLanes(VectorOperators.ADD);
    t[16] = c31.reduceLanes(VectorOperators.ADD);
    t[17] = c32.reduceLanes(VectorOperators.ADD);
    t[18] = c33.reduceLanes(VectorOperators.ADD);
    t[19] = c34.reduceLanes(VectorOperators.ADD);
  }

  /**
   * t[i * TB + j] = sum over samples s < ns and p < w of pa[rai + s * aStride + p] * pb[rbj + s *
   * bStride + p], for the four rows of A at ra0..ra3 and the five of B at rb0..rb4.
   */
  private static void runsKernel(
      float[] pa,
      int ra0,
      int ra1,
      int ra2,
      int ra3,
      int aStride,
      float[] pb,
      int rb0,
      int rb1,
      int rb2,
      int rb3,
      int rb4,
      int bStride,
      int ns,
      int w,
      float[] t) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c02 = FloatVector.zero(S);
    FloatVector c03 = FloatVector.zero(S);
    FloatVector c04 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c12 = FloatVector.zero(S);
    FloatVector c13 = FloatVector.zero(S);
    FloatVector c14 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c22 = FloatVector.zero(S);
    FloatVector c23 = FloatVector.zero(S);
    FloatVector c24 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    FloatVector c32 = FloatVector.zero(S);
    FloatVector c33 = FloatVector.zero(S);
    FloatVector c34 = FloatVector.zero(S);
    // one loop over the ns * w / L vectors, stepping to the next sample at the end of a run: C2
    // keeps the sums in registers through one loop, but boxed them through two nested ones
    for (int v = 0, steps = ns * (w / L), p = 0, ao = 0, bo = 0; v < steps; v++) {
      FloatVector b0 = FloatVector.fromArray(S, pb, rb0 + bo + p);
      FloatVector b1 = FloatVector.fromArray(S, pb, rb1 + bo + p);
      FloatVector b2 = FloatVector.fromArray(S, pb, rb2 + bo + p);
      FloatVector b3 = FloatVector.fromArray(S, pb, rb3 + bo + p);
      FloatVector b4 = FloatVector.fromArray(S, pb, rb4 + bo + p);
      FloatVector a = FloatVector.fromArray(S, pa, ra0 + ao + p);
      c00 = a.fma(b0, c00);
      c01 = a.fma(b1, c01);
      c02 = a.fma(b2, c02);
      c03 = a.fma(b3, c03);
      c04 = a.fma(b4, c04);
      a = FloatVector.fromArray(S, pa, ra1 + ao + p);
      c10 = a.fma(b0, c10);
      c11 = a.fma(b1, c11);
      c12 = a.fma(b2, c12);
      c13 = a.fma(b3, c13);
      c14 = a.fma(b4, c14);
      a = FloatVector.fromArray(S, pa, ra2 + ao + p);
      c20 = a.fma(b0, c20);
      c21 = a.fma(b1, c21);
      c22 = a.fma(b2, c22);
      c23 = a.fma(b3, c23);
      c24 = a.fma(b4, c24);
      a = FloatVector.fromArray(S, pa, ra3 + ao + p);
      c30 = a.fma(b0, c30);
      c31 = a.fma(b1, c31);
      c32 = a.fma(b2, c32);
      c33 = a.fma(b3, c33);
      c34 = a.fma(b4, c34);
      p += L;
      if (p == w) {
        p = 0;
        ao += aStride;
        bo += bStride;
      }
    }
    t[0] = c00.reduceLanes(VectorOperators.ADD);
    t[1] = c01.reduceLanes(VectorOperators.ADD);
    t[2] = c02.reduceLanes(VectorOperators.ADD);
    t[3] = c03.reduceLanes(VectorOperators.ADD);
    t[4] = c04.reduceLanes(VectorOperators.ADD);
    t[5] = c10.reduceLanes(VectorOperators.ADD);
    t[6] = c11.reduceLanes(VectorOperators.ADD);
    t[7] = c12.reduceLanes(VectorOperators.ADD);
    t[8] = c13.reduceLanes(VectorOperators.ADD);
    t[9] = c14.reduceLanes(VectorOperators.ADD);
    t[10] = c20.reduceLanes(VectorOperators.ADD);
    t[11] = c21.reduceLanes(VectorOperators.ADD);
    t[12] = c22.reduceLanes(VectorOperators.ADD);
    t[13] = c23.reduceLanes(VectorOperators.ADD);
    t[14] = c24.reduceLanes(VectorOperators.ADD);
    t[15] = c30.reduceLanes(VectorOperators.ADD);
    t[16] = c31.reduceLanes(VectorOperators.ADD);
    t[17] = c32.reduceLanes(VectorOperators.ADD);
    t[18] = c33.reduceLanes(VectorOperators.ADD);
    t[19] = c34.reduceLanes(VectorOperators.ADD);
  }
}

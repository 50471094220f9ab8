/*
 * The innermost step of the packed GEMM: C[0..MR, 0..NR) += Apanel (MR x kc) x Bpanel (kc x NR),
 * with the tile of C held in registers while both panels stream by. Two implementations, picked
 * once at start-up by Gemm: VectorKernel (JDK Vector API, FMA on the CPU's preferred width) and
 * Scalar below, the fallback when jdk.incubator.vector is absent.
 */
package org.sparkcnn.engine.kernels;

abstract class MicroKernel {
  final int mr;
  final int nr;

  MicroKernel(int mr, int nr) {
    this.mr = mr;
    this.nr = nr;
  }

  /**
   * c[cOff + i * ldc + j] (+)= sum_p ap[aOff + p * mr + i] * bp[bOff + rows[r0 + p] + j]: added to
   * C, or stored over it when overwrite (the first k block of a product that does not accumulate).
   * Row p of the B panel starts at bOff + rows[r0 + p], a shifted operand's taps when the kernel
   * reads B where it lies (Operand.Shifted), or at bOff + p * nr when rows is null (packed).
   */
  abstract void run(
      int kc,
      float[] ap,
      int aOff,
      float[] bp,
      int bOff,
      int[] rows,
      int r0,
      float[] c,
      int cOff,
      int ldc,
      boolean overwrite);

  /** Plain loops over a 4 x 16 tile, in the same order of sums as the vector kernel. */
  static final class Scalar extends MicroKernel {
    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[64]);

    Scalar() {
      super(4, 16);
    }

    @Override
    void run(
        int kc,
        float[] ap,
        int aOff,
        float[] bp,
        int bOff,
        int[] rows,
        int r0,
        float[] c,
        int cOff,
        int ldc,
        boolean overwrite) {
      float[] t = TILE.get(); // the kernel runs on several threads at once
      java.util.Arrays.fill(t, 0f);
      for (int p = 0; p < kc; p++) {
        int ai = aOff + p * mr;
        int bi = bOff + (rows == null ? p * nr : rows[r0 + p]);
        for (int i = 0; i < mr; i++) {
          float a = ap[ai + i];
          for (int j = 0; j < nr; j++) {
            t[i * nr + j] += a * bp[bi + j];
          }
        }
      }
      for (int i = 0; i < mr; i++) {
        for (int j = 0; j < nr; j++) {
          c[cOff + i * ldc + j] = (overwrite ? 0f : c[cOff + i * ldc + j]) + t[i * nr + j];
        }
      }
    }
  }
}

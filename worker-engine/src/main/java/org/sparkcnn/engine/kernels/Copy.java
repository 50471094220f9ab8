/*
 * The short copies and sums of lowering (im2col spans of one output row, 14 to 64 floats) with
 * whole vectors where the Vector API is present: the JIT's own loop vectorisation unrolls too far
 * to help runs this short, so they ran one float at a time. The plain loops are the reference and
 * the fallback; VectorCopy is only touched when Gemm picked the vector path.
 */
package org.sparkcnn.engine.kernels;

final class Copy {
  private static final boolean VECTOR = Gemm.IMPL == Gemm.Impl.VECTOR;

  private Copy() {}

  /** dst[d, d + len) = src[s, s + len). */
  static void copy(float[] src, int s, float[] dst, int d, int len) {
    if (VECTOR) {
      VectorCopy.copy(src, s, dst, d, len);
    } else {
      for (int i = 0; i < len; i++) {
        dst[d + i] = src[s + i];
      }
    }
  }

  /** dst[d, d + len) += src[s, s + len). */
  static void add(float[] src, int s, float[] dst, int d, int len) {
    if (VECTOR) {
      VectorCopy.add(src, s, dst, d, len);
    } else {
      for (int i = 0; i < len; i++) {
        dst[d + i] += src[s + i];
      }
    }
  }

  /**
   * dst[d + p * dStride, + len) = src[base + offsets[o0 + p], + len) for p in [0, count): the
   * runs a packed GEMM panel takes from shifted rows, in one call.
   */
  static void copyRuns(float[] src, int base, int[] offsets, int o0, int count, float[] dst,
      int d, int dStride, int len) {
    if (VECTOR) {
      VectorCopy.copyRuns(src, base, offsets, o0, count, dst, d, dStride, len);
    } else {
      for (int p = 0; p < count; p++) {
        int s = base + offsets[o0 + p];
        int t = d + p * dStride;
        for (int i = 0; i < len; i++) {
          dst[t + i] = src[s + i];
        }
      }
    }
  }
}

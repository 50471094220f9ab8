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
}

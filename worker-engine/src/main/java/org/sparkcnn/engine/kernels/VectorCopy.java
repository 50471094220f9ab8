/*
 * Copy's vector path: full vectors, then the tail either as one more vector that overlaps the
 * last (a copy may write a float twice) or one float at a time (a sum may not).
 */
package org.sparkcnn.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

final class VectorCopy {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  private VectorCopy() {}

  static void copy(float[] src, int s, float[] dst, int d, int len) {
    if (len < L) {
      for (int i = 0; i < len; i++) {
        dst[d + i] = src[s + i];
      }
      return;
    }
    int i = 0;
    for (; i <= len - L; i += L) {
      FloatVector.fromArray(S, src, s + i).intoArray(dst, d + i);
    }
    if (i < len) {
      FloatVector.fromArray(S, src, s + len - L).intoArray(dst, d + len - L);
    }
  }

  static void add(float[] src, int s, float[] dst, int d, int len) {
    int i = 0;
    for (; i <= len - L; i += L) {
      FloatVector.fromArray(S, dst, d + i)
          .add(FloatVector.fromArray(S, src, s + i))
          .intoArray(dst, d + i);
    }
    for (; i < len; i++) {
      dst[d + i] += src[s + i];
    }
  }
}

/*
 * Sums' vector path: two float vector accumulators over the plane, their lanes added in double at
 * the end and the tail one float at a time. Each lane adds len / 32 values in float (32 for a
 * 32 x 32 image), so a plane's sum keeps close to float precision; the planes of a channel are
 * added in double by the caller. Only the preferred float species is used: a second float shape
 * in the same program splits the JIT's type profiles of FloatVector and boxes the GEMM's vectors.
 * Only loaded when Gemm picked the vector path.
 */
package org.sparkcnn.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

final class VectorSums {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  private VectorSums() {}

  /** The lanes of a and b added in double, lane by lane in order. */
  private static double lanes(FloatVector a, FloatVector b) {
    double s = 0;
    for (int i = 0; i < L; i++) {
      s += (double) a.lane(i) + b.lane(i);
    }
    return s;
  }

  static double sum(float[] x, int off, int len) {
    FloatVector a = FloatVector.zero(S);
    FloatVector b = FloatVector.zero(S);
    int j = off;
    for (int end = off + len - 2 * L; j <= end; j += 2 * L) {
      a = a.add(FloatVector.fromArray(S, x, j));
      b = b.add(FloatVector.fromArray(S, x, j + L));
    }
    double s = lanes(a, b);
    for (; j < off + len; j++) {
      s += x[j];
    }
    return s;
  }

  static double squares(float[] x, int off, int len, double mu) {
    FloatVector m = FloatVector.broadcast(S, (float) mu);
    FloatVector a = FloatVector.zero(S);
    FloatVector b = FloatVector.zero(S);
    int j = off;
    for (int end = off + len - 2 * L; j <= end; j += 2 * L) {
      FloatVector d0 = FloatVector.fromArray(S, x, j).sub(m);
      FloatVector d1 = FloatVector.fromArray(S, x, j + L).sub(m);
      a = d0.fma(d0, a);
      b = d1.fma(d1, b);
    }
    double s = lanes(a, b);
    for (; j < off + len; j++) {
      s += (x[j] - mu) * (x[j] - mu);
    }
    return s;
  }

  static double products(float[] x, float[] y, int off, int len) {
    FloatVector a = FloatVector.zero(S);
    FloatVector b = FloatVector.zero(S);
    int j = off;
    for (int end = off + len - 2 * L; j <= end; j += 2 * L) {
      a = FloatVector.fromArray(S, x, j).fma(FloatVector.fromArray(S, y, j), a);
      b = FloatVector.fromArray(S, x, j + L).fma(FloatVector.fromArray(S, y, j + L), b);
    }
    double s = lanes(a, b);
    for (; j < off + len; j++) {
      s += (double) x[j] * y[j];
    }
    return s;
  }
}

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
import jdk.incubator.vector.VectorOperators;
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

  /**
   * sum y' into out[at] and sum (x - mu) y' into out[at + 1], over one run, where y' is y but 0
   * where x gate + shift <= 0.
   */
  static void sumAndProducts(
      float[] y,
      float[] x,
      double mu,
      float gate,
      float shift,
      int off,
      int len,
      double[] out,
      int at) {
    FloatVector m = FloatVector.broadcast(S, (float) mu);
    FloatVector a = FloatVector.zero(S);
    FloatVector b = FloatVector.zero(S);
    FloatVector p = FloatVector.zero(S);
    FloatVector q = FloatVector.zero(S);
    int j = off;
    for (int end = off + len - 2 * L; j <= end; j += 2 * L) {
      FloatVector x0 = FloatVector.fromArray(S, x, j);
      FloatVector x1 = FloatVector.fromArray(S, x, j + L);
      FloatVector y0 =
          FloatVector.fromArray(S, y, j)
              .blend(0f, x0.mul(gate).add(shift).compare(VectorOperators.LE, 0f));
      FloatVector y1 =
          FloatVector.fromArray(S, y, j + L)
              .blend(0f, x1.mul(gate).add(shift).compare(VectorOperators.LE, 0f));
      a = a.add(y0);
      b = b.add(y1);
      p = x0.sub(m).fma(y0, p);
      q = x1.sub(m).fma(y1, q);
    }
    double sum = lanes(a, b);
    double products = lanes(p, q);
    for (; j < off + len; j++) {
      float yj = x[j] * gate + shift <= 0 ? 0f : y[j];
      sum += yj;
      products += (x[j] - mu) * yj;
    }
    out[at] += sum;
    out[at + 1] += products;
  }

  /**
   * Floats a group of runs adds inside the lanes before the lanes go to double: 64 per lane, as one
   * 2048-float plane would. Planes of 32 x 32 are added two at a time, of 8 x 8 thirty-two at a
   * time, rather than paying the lanes' reduction for every short plane.
   */
  private static final int GROUP = 2048;

  /** Runs whose length is a whole number of steps of 2L are walked as one flat loop per group. */
  private static boolean flat(int len) {
    return len > 0 && len % (2 * L) == 0;
  }

  static double sum(float[] x, int off, int len, int runs, int stride) {
    double s = 0;
    if (!flat(len)) {
      for (int r = 0; r < runs; r++) {
        s += sum(x, off + r * stride, len);
      }
      return s;
    }
    int group = Math.max(1, GROUP / len);
    for (int r0 = 0; r0 < runs; r0 += group) {
      FloatVector a = FloatVector.zero(S);
      FloatVector b = FloatVector.zero(S);
      // one loop (C2 boxes vector sums carried through nested loops), stepping run to run
      int j = off + r0 * stride;
      int end = j + len;
      for (int v = 0, steps = Math.min(group, runs - r0) * (len / (2 * L)); v < steps; v++) {
        a = a.add(FloatVector.fromArray(S, x, j));
        b = b.add(FloatVector.fromArray(S, x, j + L));
        j += 2 * L;
        if (j == end) {
          j += stride - len;
          end = j + len;
        }
      }
      s += lanes(a, b);
    }
    return s;
  }

  static double squares(float[] x, int off, int len, int runs, int stride, double mu) {
    double s = 0;
    if (!flat(len)) {
      for (int r = 0; r < runs; r++) {
        s += squares(x, off + r * stride, len, mu);
      }
      return s;
    }
    FloatVector m = FloatVector.broadcast(S, (float) mu);
    int group = Math.max(1, GROUP / len);
    for (int r0 = 0; r0 < runs; r0 += group) {
      FloatVector a = FloatVector.zero(S);
      FloatVector b = FloatVector.zero(S);
      int j = off + r0 * stride;
      int end = j + len;
      for (int v = 0, steps = Math.min(group, runs - r0) * (len / (2 * L)); v < steps; v++) {
        FloatVector d0 = FloatVector.fromArray(S, x, j).sub(m);
        FloatVector d1 = FloatVector.fromArray(S, x, j + L).sub(m);
        a = d0.fma(d0, a);
        b = d1.fma(d1, b);
        j += 2 * L;
        if (j == end) {
          j += stride - len;
          end = j + len;
        }
      }
      s += lanes(a, b);
    }
    return s;
  }

  static void sumAndProducts(
      float[] y,
      float[] x,
      double mu,
      float gate,
      float shift,
      int off,
      int len,
      int runs,
      int stride,
      double[] out,
      int at) {
    out[at] = 0;
    out[at + 1] = 0;
    if (!flat(len)) {
      for (int r = 0; r < runs; r++) {
        sumAndProducts(y, x, mu, gate, shift, off + r * stride, len, out, at);
      }
      return;
    }
    FloatVector m = FloatVector.broadcast(S, (float) mu);
    int group = Math.max(1, GROUP / len);
    for (int r0 = 0; r0 < runs; r0 += group) {
      FloatVector a = FloatVector.zero(S);
      FloatVector b = FloatVector.zero(S);
      FloatVector p = FloatVector.zero(S);
      FloatVector q = FloatVector.zero(S);
      int j = off + r0 * stride;
      int end = j + len;
      for (int v = 0, steps = Math.min(group, runs - r0) * (len / (2 * L)); v < steps; v++) {
        FloatVector x0 = FloatVector.fromArray(S, x, j);
        FloatVector x1 = FloatVector.fromArray(S, x, j + L);
        FloatVector y0 =
            FloatVector.fromArray(S, y, j)
                .blend(0f, x0.mul(gate).add(shift).compare(VectorOperators.LE, 0f));
        FloatVector y1 =
            FloatVector.fromArray(S, y, j + L)
                .blend(0f, x1.mul(gate).add(shift).compare(VectorOperators.LE, 0f));
        a = a.add(y0);
        b = b.add(y1);
        p = x0.sub(m).fma(y0, p);
        q = x1.sub(m).fma(y1, q);
        j += 2 * L;
        if (j == end) {
          j += stride - len;
          end = j + len;
        }
      }
      out[at] += lanes(a, b);
      out[at + 1] += lanes(p, q);
    }
  }

  /** Sums.normGrad over one run: a ReLU's gate is a masked blend, where the plain loop branches. */
  static void normGrad(
      float[] y,
      float[] x,
      float mu,
      float gate,
      float shift,
      float scale,
      float meanY,
      float k,
      int off,
      int len,
      float[] dx) {
    FloatVector m = FloatVector.broadcast(S, mu);
    int j = off;
    for (int end = off + len - L; j <= end; j += L) {
      FloatVector xv = FloatVector.fromArray(S, x, j);
      FloatVector yv =
          FloatVector.fromArray(S, y, j)
              .blend(0f, xv.mul(gate).add(shift).compare(VectorOperators.LE, 0f));
      yv.sub(meanY).sub(xv.sub(m).mul(k)).mul(scale).intoArray(dx, j);
    }
    Sums.normGradScalar(y, x, mu, gate, shift, scale, meanY, k, j, off + len - j, dx);
  }
}

/*
 * The sums in double that batch normalisation takes of every channel, over its plane in each
 * sample (runs of floats at a fixed stride): sum x, sum (x - mu)^2, and sum y with sum (x - mu) y
 * in one pass (y gated by a ReLU's mask, made again from x); and, as it reads the same runs, batch
 * norm's input gradient (normGrad). The plain loops sum in double (the reference, and the path
 * without the Vector API); VectorSums adds a vector of floats at a time, several times faster,
 * with float sums inside the lanes (within about 1e-6 of the exact sum for planes of images).
 * Either way a plane's sum is the same every time, whatever the thread count.
 */
package org.sparkcnn.engine.kernels;

public final class Sums {
  private static final boolean VECTOR = Gemm.IMPL == Gemm.Impl.VECTOR;

  private Sums() {}

  /** sum of x over runs runs of len floats, run r at off + r * stride (a channel's planes). */
  public static double sum(float[] x, int off, int len, int runs, int stride) {
    if (VECTOR) {
      return VectorSums.sum(x, off, len, runs, stride);
    }
    double s = 0;
    for (int r = 0; r < runs; r++) {
      s += sumScalar(x, off + r * stride, len);
    }
    return s;
  }

  /** sum of (x[j] - mu)^2 over the same runs. */
  public static double squares(float[] x, int off, int len, int runs, int stride, double mu) {
    if (VECTOR) {
      return VectorSums.squares(x, off, len, runs, stride, mu);
    }
    double s = 0;
    for (int r = 0; r < runs; r++) {
      s += squaresScalar(x, off + r * stride, len, mu);
    }
    return s;
  }

  /**
   * out[at] = sum of y'[j] and out[at + 1] = sum of (x[j] - mu) y'[j] over the same runs of both,
   * in one pass, where y' is y but 0 where x gate + shift <= 0 (batch norm's backward: y is dy, x
   * the input it normalised with mean mu; the gate is the ReLU it took over, or (0, 1): none).
   */
  public static void sumAndProducts(
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
    if (VECTOR) {
      VectorSums.sumAndProducts(y, x, mu, gate, shift, off, len, runs, stride, out, at);
      return;
    }
    out[at] = 0;
    out[at + 1] = 0;
    for (int r = 0; r < runs; r++) {
      sumAndProductsScalar(y, x, mu, gate, shift, off + r * stride, len, out, at);
    }
  }

  /**
   * dx[j] = scale (y'[j] - meanY - (x[j] - mu) k) over the same runs of all three, y' being y gated
   * as in sumAndProducts: batch norm's input gradient.
   */
  public static void normGrad(
      float[] y,
      float[] x,
      double mu,
      float gate,
      float shift,
      float scale,
      float meanY,
      float k,
      int off,
      int len,
      int runs,
      int stride,
      float[] dx) {
    for (int r = 0; r < runs; r++) {
      if (VECTOR) {
        VectorSums.normGrad(
            y, x, (float) mu, gate, shift, scale, meanY, k, off + r * stride, len, dx);
      } else {
        normGradScalar(y, x, (float) mu, gate, shift, scale, meanY, k, off + r * stride, len, dx);
      }
    }
  }

  /** normGrad over one run: the plain loop. */
  static void normGradScalar(
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
    for (int j = off; j < off + len; j++) {
      float yj = x[j] * gate + shift <= 0 ? 0f : y[j];
      dx[j] = scale * (yj - meanY - (x[j] - mu) * k);
    }
  }

  static double sumScalar(float[] x, int off, int len) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int j = off;
    for (int end = off + len - 3; j < end; j += 4) {
      s0 += x[j];
      s1 += x[j + 1];
      s2 += x[j + 2];
      s3 += x[j + 3];
    }
    for (; j < off + len; j++) {
      s0 += x[j];
    }
    return (s0 + s1) + (s2 + s3);
  }

  static double squaresScalar(float[] x, int off, int len, double mu) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int j = off;
    for (int end = off + len - 3; j < end; j += 4) {
      double d0 = x[j] - mu;
      double d1 = x[j + 1] - mu;
      double d2 = x[j + 2] - mu;
      double d3 = x[j + 3] - mu;
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    for (; j < off + len; j++) {
      s0 += (x[j] - mu) * (x[j] - mu);
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** sumAndProducts over one run, added into out[at] and out[at + 1]: the plain loop. */
  static void sumAndProductsScalar(
      float[] y,
      float[] x,
      double mu,
      float gate,
      float shift,
      int off,
      int len,
      double[] out,
      int at) {
    double sum = 0;
    double products = 0;
    for (int j = off; j < off + len; j++) {
      float yj = x[j] * gate + shift <= 0 ? 0f : y[j];
      sum += yj;
      products += (x[j] - mu) * yj;
    }
    out[at] += sum;
    out[at + 1] += products;
  }
}

/*
 * The sums in double that batch normalisation takes of every channel, over its plane in each
 * sample (runs of floats at a fixed stride): sum x, sum (x - mu)^2, and sum y with sum (x - mu) y
 * in one pass. The plain loops keep interleaved partial sums (the reference, and the path without
 * the Vector API); VectorSums adds a vector of floats at a time,
 * several times faster, with float sums inside the lanes (within about 1e-6 of the exact sum for
 * planes of images). Either way a plane's sum is the same every time, whatever the thread count.
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
   * out[at] = sum of y[j] and out[at + 1] = sum of (x[j] - mu) y[j] over the same runs of both, in
   * one pass (batch norm's backward: y is dy, x the input it normalised with mean mu).
   */
  public static void sumAndProducts(float[] y, float[] x, double mu, int off, int len, int runs,
      int stride, double[] out, int at) {
    if (VECTOR) {
      VectorSums.sumAndProducts(y, x, mu, off, len, runs, stride, out, at);
      return;
    }
    double sum = 0;
    double products = 0;
    for (int r = 0; r < runs; r++) {
      sum += sumScalar(y, off + r * stride, len);
      products += productsScalar(x, mu, y, off + r * stride, len);
    }
    out[at] = sum;
    out[at + 1] = products;
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

  /** sum of (x[j] - mu) y[j] over one run. */
  static double productsScalar(float[] x, double mu, float[] y, int off, int len) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int j = off;
    for (int end = off + len - 3; j < end; j += 4) {
      s0 += (x[j] - mu) * y[j];
      s1 += (x[j + 1] - mu) * y[j + 1];
      s2 += (x[j + 2] - mu) * y[j + 2];
      s3 += (x[j + 3] - mu) * y[j + 3];
    }
    for (; j < off + len; j++) {
      s0 += (x[j] - mu) * y[j];
    }
    return (s0 + s1) + (s2 + s3);
  }
}

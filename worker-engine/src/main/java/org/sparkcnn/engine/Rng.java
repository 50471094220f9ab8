/*
 * A counter-based random generator: the i-th draw of a stream is a pure function of (key, i), where
 * the key hashes the job seed and the stream's ids (epoch, step, partition, sample or layer id).
 * It is SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators",
 * OOPSLA 2014) read as a counter: state_i = key + i * gamma, output = mix(state_i). Any task that
 * Spark retries therefore draws exactly the same numbers (DESIGN.md contract 3). Instances are
 * cheap, not thread-safe, and always passed in; there is no global generator.
 */
package org.sparkcnn.engine;

public final class Rng {
  private static final long GAMMA = 0x9E3779B97F4A7C15L;
  private final long key;
  private long counter;
  private double spareGaussian = Double.NaN;

  private Rng(long key) {
    this.key = key;
  }

  /**
   * The stream keyed by a seed and any number of ids, e.g. {@code Rng.of(seed, epoch, partition)}.
   */
  public static Rng of(long seed, long... ids) {
    long k = mix(seed ^ 0x5DEECE66DL);
    for (long id : ids) {
      k = mix(k + GAMMA + mix(id));
    }
    return new Rng(k);
  }

  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  public long nextLong() {
    counter++;
    return mix(key + counter * GAMMA);
  }

  /** Uniform in [0, 1), 24 random bits. */
  public float nextFloat() {
    return (nextLong() >>> 40) * 0x1.0p-24f;
  }

  /** Uniform in [0, 1), 53 random bits. */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform integer in [0, bound), without modulo bias (Lemire's method). */
  public int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive, got " + bound);
    }
    long m = (nextLong() >>> 32) * bound;
    if ((m & 0xFFFFFFFFL) < bound) {
      long threshold = (0x1_0000_0000L - bound) % bound;
      while ((m & 0xFFFFFFFFL) < threshold) {
        m = (nextLong() >>> 32) * bound;
      }
    }
    return (int) (m >>> 32);
  }

  /** Uniform in [lo, hi). */
  public float uniform(float lo, float hi) {
    return lo + (hi - lo) * nextFloat();
  }

  /** Standard normal, by the Box-Muller transform. */
  public double nextGaussian() {
    if (!Double.isNaN(spareGaussian)) {
      double g = spareGaussian;
      spareGaussian = Double.NaN;
      return g;
    }
    double u1 = 1.0 - nextDouble(); // (0, 1]: log is finite
    double u2 = nextDouble();
    double r = Math.sqrt(-2.0 * Math.log(u1));
    spareGaussian = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /** The permutation 0..n-1 in a random order (Fisher-Yates). */
  public int[] permutation(int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}

/*
 * JMH benchmarks of the matrix products: a square 1024^3 SGEMM on each implementation (the vector
 * micro-kernel and the scalar fallback) and on 1 or 2 compute threads, and the three products of
 * the W3 convolution layer's shapes as plain GEMMs. Run with deploy/jmh GemmBenchmark; scores
 * are times per product (divide 2 m n k by them for FLOP/s).
 */
package org.sparkcnn.engine.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.kernels.Gemm;
import org.sparkcnn.engine.kernels.Parallel;

@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class GemmBenchmark {
  /** "MxNxK": the square product and W3's forward, weight- and input-gradient shapes. */
  @Param({"1024x1024x1024", "64x32768x576", "64x576x32768", "576x32768x64"})
  public String shape;

  @Param({"VECTOR", "SCALAR"})
  public String impl;

  @Param({"1", "2"})
  public int threads;

  private int m;
  private int n;
  private int k;
  private float[] a;
  private float[] b;
  private float[] c;

  @Setup
  public void setUp() {
    String[] s = shape.split("x");
    m = Integer.parseInt(s[0]);
    n = Integer.parseInt(s[1]);
    k = Integer.parseInt(s[2]);
    a = Bench.random(m * k, 1);
    b = Bench.random(k * n, 2);
    c = new float[m * n];
    Parallel.of(threads).enter();
  }

  @TearDown
  public void tearDown() {
    Parallel.exit(null);
  }

  @Benchmark
  public float[] sgemm() {
    Gemm.sgemm(Gemm.Impl.valueOf(impl), false, false, m, n, k, a, 0, k, b, 0, n, 0f, c, 0, n);
    return c;
  }

  /** Random floats in [-1, 1) for the benchmarks' operands. */
  static final class Bench {
    private Bench() {}

    static float[] random(int len, long seed) {
      Rng rng = Rng.of(seed);
      float[] x = new float[len];
      for (int i = 0; i < len; i++) {
        x[i] = rng.uniform(-1f, 1f);
      }
      return x;
    }
  }
}

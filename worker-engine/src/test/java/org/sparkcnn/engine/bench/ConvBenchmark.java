/*
 * JMH benchmarks of one convolution layer (the W3 workload of deploy/sparkcnn bench: 3x3, 64 to
 * 64 channels, padding 1, a batch of 32 images of 32x32) on 1 or 2 compute threads: the forward
 * pass, and the backward pass (weight and input gradients) after it; and the direct loops of
 * ConvReference on one image, the scalar reference they are tested against. Run with
 * deploy/jmh ConvBenchmark.
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
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;
import org.sparkcnn.engine.kernels.ConvGeometry;
import org.sparkcnn.engine.kernels.ConvReference;
import org.sparkcnn.engine.kernels.Parallel;
import org.sparkcnn.engine.layers.Conv2d;
import org.sparkcnn.engine.layers.Layer;

@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class ConvBenchmark {
  private static final int N = 32;
  private static final Shape IN = Shape.of(64, 32, 32);

  @Param({"1", "2"})
  public int threads;

  private Layer conv;
  private Vectors v;
  private float[] x;
  private float[] dy;
  private float[] y;

  @Setup
  public void setUp() {
    Conv2d.Spec spec = Conv2d.Spec.of("conv", 64, 64, 3, 1, 1);
    v = new Vectors(spec.paramCount(IN), 0);
    System.arraycopy(
        GemmBenchmark.Bench.random(v.params.length, 3), 0, v.params, 0, v.params.length);
    conv = spec.bind(IN, v, 0, 0);
    x = GemmBenchmark.Bench.random(N * IN.size(), 4);
    dy = GemmBenchmark.Bench.random(N * IN.size(), 5);
    y = new float[IN.size()];
    Parallel.of(threads).enter();
  }

  @TearDown
  public void tearDown() {
    Parallel.exit(null);
  }

  @Benchmark
  public float[] forward() {
    return conv.forward(x, N, true);
  }

  @Benchmark
  public float[] forwardBackward() {
    conv.forward(x, N, true);
    return conv.backward(dy, N);
  }

  /** The direct loops on one image of the 32 (multiply by 32 to compare with forward). */
  @Benchmark
  public float[] referenceForwardOneImage() {
    ConvGeometry g = ConvGeometry.square(64, 32, 32, 3, 1, 1);
    int wLen = 64 * 64 * 9;
    ConvReference.forward(g, 64, 1, x, 0, v.params, 0, v.params, wLen, y, 0);
    return y;
  }
}

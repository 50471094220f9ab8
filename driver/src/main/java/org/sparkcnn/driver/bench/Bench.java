/*
 * The engine's benchmark command, workload for workload the same as ../shared/bench/
 * pytorch_reference.py so that both run side by side and print lines in the same format:
 *   W1 LeNet-5 training step, 1x28x28, batch 64, SGD momentum 0.9      images_per_sec
 *   W2 ResNet-20 (1x1 projection shortcuts), 3x32x32, batch 128        images_per_sec
 *   W3 conv 3x3, 64->64, pad 1, input 32x64x32x32, forward + both backward products   gflops
 *   W4 our SGEMM on 1024^3 (not in the reference script)               gflops
 * Random data, random labels, one engine replica on Parallel's threads, no Spark. Each workload
 * warms up (JIT) for a third of its time, at least 3 steps like the script, then counts steps for
 * the given seconds. Each line ends with the workload's memory (MemoryProbe): heap_peak_mb, the
 * peak heap in use from its start, and alloc_kb_per_step, what the caller and the compute threads
 * allocated per timed step; a last line gives the process's peak_rss_mb.
 */
package org.sparkcnn.driver.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.sparkcnn.driver.config.ModelCatalog;
import org.sparkcnn.driver.report.MemoryProbe;
import org.sparkcnn.engine.Architecture;
import org.sparkcnn.engine.EngineOptions;
import org.sparkcnn.engine.Init;
import org.sparkcnn.engine.LocalStep;
import org.sparkcnn.engine.Model;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Sgd;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;
import org.sparkcnn.engine.kernels.Gemm;
import org.sparkcnn.engine.kernels.Parallel;
import org.sparkcnn.engine.layers.Conv2d;
import org.sparkcnn.engine.layers.Layer;

public final class Bench {
  public static final List<String> WORKLOADS = List.of("W1", "W2", "W3", "W4");

  private Bench() {}

  public static void run(List<String> workloads, int threads, double seconds, PrintStream out) {
    Parallel previous = Parallel.of(threads).enter();
    try {
      runEntered(workloads, threads, seconds, out);
    } finally {
      Parallel.exit(previous);
    }
  }

  /** run, on the calling thread's pool of threads. */
  private static void runEntered(
      List<String> workloads, int threads, double seconds, PrintStream out) {
    for (String w : workloads) {
      MemoryProbe.resetHeapPeak();
      String line =
          switch (w) {
            case "W1" ->
                String.format(Locale.ROOT, "W1 lenet5 threads=%d", threads)
                    + trainRate("lenet5", Shape.of(1, 28, 28), 64, seconds)
                        .line("images_per_sec", 64);
            case "W2" ->
                String.format(Locale.ROOT, "W2 resnet20 threads=%d", threads)
                    + trainRate("resnet20", Shape.of(3, 32, 32), 128, seconds)
                        .line("images_per_sec", 128);
            case "W3" ->
                String.format(Locale.ROOT, "W3 conv3x3_64 threads=%d", threads)
                    + convRate(seconds).line("gflops", 3.0 * 2 * 32 * 64 * 32 * 32 * 64 * 9 / 1e9);
            case "W4" ->
                String.format(Locale.ROOT, "W4 sgemm_1024 threads=%d", threads)
                    + sgemmRate(seconds).line("gflops", 2.0 * 1024 * 1024 * 1024 / 1e9);
            default ->
                throw new IllegalArgumentException(
                    "unknown workload " + w + "; known: " + String.join(", ", WORKLOADS));
          };
      out.println(line);
      out.flush();
    }
    out.println(MemoryProbe.peakRss());
    out.flush();
  }

  /** Steps per second of a workload, and its memory columns (MemoryProbe). */
  record Rate(double stepsPerSecond, String memory) {
    /** " NAME=rate heap_peak_mb=... alloc_kb_per_step=..." for perStep units of work a step. */
    String line(String name, double perStep) {
      return String.format(Locale.ROOT, " %s=%.1f", name, stepsPerSecond * perStep) + memory;
    }
  }

  /** Full training steps (forward, loss, backward, SGD update) per second. */
  private static Rate trainRate(String model, Shape input, int batch, double seconds) {
    Architecture arch = ModelCatalog.build(ModelCatalog.shipped(model), model, input, 10);
    Vectors v = arch.initialise(Init.HE, Rng.of(0));
    Model m = new Model(arch, v, EngineOptions.DEFAULT.withThreads(Parallel.threads()));
    float[] x = random(batch * input.size(), 1);
    int[] y = new int[batch];
    Rng rng = Rng.of(2);
    for (int i = 0; i < batch; i++) {
      y[i] = (int) ((rng.nextLong() >>> 1) % 10);
    }
    LocalStep step = new LocalStep();
    Sgd sgd = new Sgd(new Sgd.Hyper(0.9, 0, 0, false), arch.paramCount());
    float[] grad = new float[arch.paramCount()];
    return stepsPerSecond(
        seconds,
        () -> {
          step.gradient(m, x, y, batch);
          // the script's loss is the batch mean: scale the summed gradient as the trainer does
          float[] g = v.grads;
          for (int i = 0; i < g.length; i++) {
            grad[i] = g[i] / batch;
          }
          sgd.step(v.params, grad, 0.01);
          return 1;
        });
  }

  /** Forward, input-gradient and weight-gradient products of one 3x3 conv layer per second. */
  private static Rate convRate(double seconds) {
    Shape in = Shape.of(64, 32, 32);
    int n = 32;
    Conv2d.Spec spec = Conv2d.Spec.of("conv", 64, 64, 3, 1, 1);
    Vectors v = new Vectors(spec.paramCount(in), 0);
    System.arraycopy(random(v.params.length, 3), 0, v.params, 0, v.params.length);
    Layer conv = spec.bind(in, v, 0, 0);
    float[] x = random(n * in.size(), 4);
    float[] g = random(n * in.size(), 5);
    return stepsPerSecond(
        seconds,
        () -> {
          conv.forward(x, n, true);
          conv.backward(g, n);
          return 1;
        });
  }

  /** Products C = A x B of 1024 x 1024 matrices per second. */
  private static Rate sgemmRate(double seconds) {
    int s = 1024;
    float[] a = random(s * s, 6);
    float[] b = random(s * s, 7);
    float[] c = new float[s * s];
    return stepsPerSecond(
        seconds,
        () -> {
          Gemm.sgemm(false, false, s, s, s, a, 0, s, b, 0, s, 0f, c, 0, s);
          return 1;
        });
  }

  /**
   * Warms up for seconds / 3 (and at least 3 steps), then counts steps for seconds, with what the
   * engine's threads allocate over them.
   */
  private static Rate stepsPerSecond(double seconds, LongSupplier step) {
    long warm = System.nanoTime() + (long) (seconds / 3 * 1e9);
    for (int i = 0; i < 3 || System.nanoTime() < warm; i++) {
      step.getAsLong();
    }
    MemoryProbe probe = MemoryProbe.engine().start();
    long t0 = System.nanoTime();
    long end = t0 + (long) (seconds * 1e9);
    long steps = 0;
    long now;
    do {
      steps += step.getAsLong();
      now = System.nanoTime();
    } while (now < end);
    return new Rate(steps / ((now - t0) / 1e9), probe.columns(steps));
  }

  private static float[] random(int len, long seed) {
    Rng rng = Rng.of(seed);
    float[] x = new float[len];
    for (int i = 0; i < len; i++) {
      x[i] = rng.uniform(-1f, 1f);
    }
    return x;
  }
}

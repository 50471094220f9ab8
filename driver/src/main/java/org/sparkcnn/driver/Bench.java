/*
 * The engine's benchmark command, workload for workload the same as ../shared/bench/
 * pytorch_reference.py so that both run side by side and print lines in the same format:
 *   W1 LeNet-5 training step, 1x28x28, batch 64, SGD momentum 0.9      images_per_sec
 *   W2 ResNet-20 (1x1 projection shortcuts), 3x32x32, batch 128        images_per_sec
 *   W3 conv 3x3, 64->64, pad 1, input 32x64x32x32, forward + both backward products   gflops
 *   W4 our SGEMM on 1024^3 (not in the reference script)               gflops
 * Random data, random labels, one engine replica on Parallel's threads, no Spark. Each workload
 * warms up (JIT) for a third of its time, at least 3 steps like the script, then counts steps for
 * the given seconds.
 */
package org.sparkcnn.driver;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.sparkcnn.engine.Architecture;
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

final class Bench {
  static final List<String> WORKLOADS = List.of("W1", "W2", "W3", "W4");

  private Bench() {}

  static void run(List<String> workloads, int threads, double seconds, PrintStream out) {
    Parallel.setThreads(threads);
    for (String w : workloads) {
      String line = switch (w) {
        case "W1" -> String.format(Locale.ROOT, "W1 lenet5 threads=%d images_per_sec=%.1f",
            threads, trainRate("lenet5", Shape.of(1, 28, 28), 64, seconds));
        case "W2" -> String.format(Locale.ROOT, "W2 resnet20 threads=%d images_per_sec=%.1f",
            threads, trainRate("resnet20", Shape.of(3, 32, 32), 128, seconds));
        case "W3" -> String.format(Locale.ROOT, "W3 conv3x3_64 threads=%d gflops=%.1f", threads,
            convGflops(seconds));
        case "W4" -> String.format(Locale.ROOT, "W4 sgemm_1024 threads=%d gflops=%.1f", threads,
            sgemmGflops(seconds));
        default -> throw new IllegalArgumentException("unknown workload " + w + "; known: "
            + String.join(", ", WORKLOADS));
      };
      out.println(line);
      out.flush();
    }
  }

  /** Images per second of full training steps (forward, loss, backward, SGD update). */
  private static double trainRate(String model, Shape input, int batch, double seconds) {
    Architecture arch = ModelCatalog.build(ModelCatalog.shipped(model), model, input, 10);
    Vectors v = arch.initialise(Init.HE, Rng.of(0));
    Model m = new Model(arch, v);
    float[] x = random(batch * input.size(), 1);
    int[] y = new int[batch];
    Rng rng = Rng.of(2);
    for (int i = 0; i < batch; i++) {
      y[i] = (int) ((rng.nextLong() >>> 1) % 10);
    }
    LocalStep step = new LocalStep();
    Sgd sgd = new Sgd(new Sgd.Hyper(0.9, 0, 0, false), arch.paramCount());
    float[] grad = new float[arch.paramCount()];
    return batch * stepsPerSecond(seconds, () -> {
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

  /** GFLOP/s of one 3x3 conv layer's forward, input-gradient and weight-gradient products. */
  private static double convGflops(double seconds) {
    Shape in = Shape.of(64, 32, 32);
    int n = 32;
    Conv2d.Spec spec = Conv2d.Spec.of("conv", 64, 64, 3, 1, 1);
    Vectors v = new Vectors(spec.paramCount(in), 0);
    System.arraycopy(random(v.params.length, 3), 0, v.params, 0, v.params.length);
    Layer conv = spec.bind(in, v, 0, 0);
    float[] x = random(n * in.size(), 4);
    float[] g = random(n * in.size(), 5);
    double flops = 3.0 * 2 * n * 64 * 32 * 32 * 64 * 9;
    return flops * stepsPerSecond(seconds, () -> {
      conv.forward(x, n, true);
      conv.backward(g, n);
      return 1;
    }) / 1e9;
  }

  /** GFLOP/s of C = A x B on 1024 x 1024 matrices. */
  private static double sgemmGflops(double seconds) {
    int s = 1024;
    float[] a = random(s * s, 6);
    float[] b = random(s * s, 7);
    float[] c = new float[s * s];
    return 2.0 * s * s * s * stepsPerSecond(seconds, () -> {
      Gemm.sgemm(false, false, s, s, s, a, 0, s, b, 0, s, 0f, c, 0, s);
      return 1;
    }) / 1e9;
  }

  /** Warms up for seconds / 3 (and at least 3 steps), then counts steps for seconds. */
  private static double stepsPerSecond(double seconds, LongSupplier step) {
    long warm = System.nanoTime() + (long) (seconds / 3 * 1e9);
    for (int i = 0; i < 3 || System.nanoTime() < warm; i++) {
      step.getAsLong();
    }
    long t0 = System.nanoTime();
    long end = t0 + (long) (seconds * 1e9);
    long steps = 0;
    long now;
    do {
      steps += step.getAsLong();
      now = System.nanoTime();
    } while (now < end);
    return steps / ((now - t0) / 1e9);
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

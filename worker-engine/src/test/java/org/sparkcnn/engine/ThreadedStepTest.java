/*
 * A whole training step on 1, 2 and 3 compute threads: the same loss and the same gradient bit for
 * bit (kernels split outputs, never sums), for LeNet-5 and for a small residual network with
 * BatchNorm, projection shortcut, max pooling and odd sizes. And the steady state allocates
 * nothing large: after the first steps of a batch shape, the steps of some window of five (within
 * 200 steps, while the JIT settles) allocate far below one activation buffer on the calling
 * thread and the compute threads; a kernel whose vectors stay boxed never gets there.
 */
package org.sparkcnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.management.ManagementFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparkcnn.engine.kernels.Parallel;

class ThreadedStepTest {
  private static final String SMALL_RESNET =
      """
      {"layers": [
        {"conv2d": {"out": 6, "kernel": 3, "padding": 1, "bias": false}},
        "batch_norm2d", "relu",
        {"residual": {"body": [
            {"conv2d": {"out": 10, "kernel": 3, "stride": 2, "padding": 1, "bias": false}},
            "batch_norm2d", "relu",
            {"conv2d": {"out": 10, "kernel": 3, "padding": 1}}],
          "shortcut": "projection"}},
        "relu",
        {"max_pool2d": {"kernel": 2}},
        "global_avg_pool2d",
        {"linear": {"out": "$classes"}}]}""";

  @Test
  void lenetStepIsIdenticalOnAnyThreadCount() {
    compareThreads(Models.lenet5(Shape.of(1, 28, 28), 10), 17);
  }

  @Test
  void residualStepIsIdenticalOnAnyThreadCount() throws Exception {
    @SuppressWarnings("unchecked")
    Map<String, Object> doc = new ObjectMapper().readValue(SMALL_RESNET, Map.class);
    compareThreads(ModelDefinition.parse(doc, Shape.of(3, 14, 10), 7), 33);
  }

  private static void compareThreads(Architecture arch, int n) {
    Rng rng = Rng.of(5);
    float[] x = new float[n * arch.input().size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = rng.uniform(-1f, 1f);
    }
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % arch.output().size();
    }
    float[] wantGrad = null;
    float[] wantBuffers = null;
    double wantLoss = 0;
    for (int threads = 1; threads <= 3; threads++) {
      Model m =
          new Model(
              arch,
              arch.initialise(Init.HE, Rng.of(9)),
              EngineOptions.DEFAULT.withThreads(threads));
      LocalStep.Stats s = new LocalStep().gradient(m, x, y, n, 77L);
      if (wantGrad == null) {
        wantGrad = m.vectors().grads.clone();
        wantBuffers = m.vectors().buffers.clone();
        wantLoss = s.lossSum();
      } else {
        assertEquals(wantLoss, s.lossSum(), 0.0, threads + " threads: loss");
        assertArrayEquals(wantGrad, m.vectors().grads, threads + " threads: gradient");
        assertArrayEquals(wantBuffers, m.vectors().buffers, threads + " threads: buffers");
      }
    }
  }

  @Test
  void steadyStepsAllocateNothingLarge() {
    Architecture arch = Models.lenet5(Shape.of(1, 28, 28), 10);
    Model m =
        new Model(arch, arch.initialise(Init.HE, Rng.of(9)), EngineOptions.DEFAULT.withThreads(2));
    int n = 32;
    float[] x = new float[n * arch.input().size()];
    int[] y = new int[n];
    LocalStep step = new LocalStep();
    for (int i = 0; i < 3; i++) {
      step.gradient(m, x, y, n);
    }
    long[] pool = Parallel.of(2).poolThreadIds();
    assertEquals(1, pool.length, "one compute thread beside the caller");
    long[] ids = {Thread.currentThread().getId(), pool[0]};
    // the JIT may still be recompiling a kernel (its vectors are objects until C2 is done), more
    // so after other tests changed the profiles and on a loaded machine, where C2's queue is long:
    // a window of steps must come clean within a few seconds
    long perStep = Long.MAX_VALUE;
    for (int window = 0; window < 200 && perStep >= 64 * 1024; window++) {
      long before = allocatedBytes(ids);
      int steps = 5;
      for (int i = 0; i < steps; i++) {
        step.gradient(m, x, y, n);
      }
      perStep = (allocatedBytes(ids) - before) / steps;
    }
    // one activation buffer of conv1 alone is n * 20 * 28 * 28 floats = 2 MB
    assertTrue(perStep < 64 * 1024, "a steady step allocated " + perStep + " bytes");
  }

  /** Bytes allocated so far by the threads of ids. */
  private static long allocatedBytes(long[] ids) {
    var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (long b : mx.getThreadAllocatedBytes(ids)) {
      sum += Math.max(0, b);
    }
    return sum;
  }
}

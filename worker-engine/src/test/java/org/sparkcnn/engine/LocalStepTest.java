/*
 * LocalStep and Model on a small LeNet-5: the gradient of a batch is the sum of its parts'
 * gradients (DESIGN.md contract 2, whatever the partitioning), a step zeroes the previous gradient
 * first, evaluate agrees with gradient's loss, and a forward pass whose weights arrive layer by
 * layer, as it asks for them, gives the gradient of one that had them all from the start.
 */
package org.sparkcnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LocalStepTest {
  private static final Architecture ARCH = Models.lenet5(Shape.of(1, 8, 8), 3);
  private static final int N = 4;

  private static float[] images(Rng rng) {
    float[] x = new float[N * 64];
    for (int i = 0; i < x.length; i++) {
      x[i] = rng.uniform(-1f, 1f);
    }
    return x;
  }

  @Test
  void aBatchGradientIsTheSumOfItsParts() {
    Rng rng = Rng.of(3);
    Model model = new Model(ARCH, ARCH.initialise(Init.HE, rng));
    float[] x = images(rng);
    int[] labels = {0, 2, 1, 2};
    LocalStep step = new LocalStep();
    LocalStep.Stats all = step.gradient(model, x, labels, N);
    float[] whole = model.vectors().grads.clone();

    double[] parts = new double[whole.length];
    double loss = 0;
    for (int p = 0; p < 2; p++) {
      float[] half = Arrays.copyOfRange(x, p * 2 * 64, (p + 1) * 2 * 64);
      loss += step.gradient(model, half, Arrays.copyOfRange(labels, 2 * p, 2 * p + 2), 2).lossSum();
      float[] g = model.vectors().grads;
      for (int i = 0; i < g.length; i++) {
        parts[i] += g[i];
      }
    }
    assertEquals(all.lossSum(), loss, 1e-5 * all.lossSum());
    Golden.assertClose("sum of the halves' gradients", parts, whole, 1e-5);

    // a second step on the same batch starts from zero: the same gradient, not twice it
    step.gradient(model, x, labels, N);
    Golden.assertClose(
        "repeated step", Golden.toDouble(whole, whole.length), model.vectors().grads, 1e-6);
    LocalStep.Stats eval = LocalStep.evaluate(model, x, labels, N);
    assertEquals(all.lossSum(), eval.lossSum(), 1e-6 * all.lossSum());
    assertEquals(all.correct(), eval.correct());
  }

  @Test
  void weightsThatArriveAsTheForwardPassAsksForThemGiveTheSameBits() {
    Rng rng = Rng.of(5);
    Vectors v = ARCH.initialise(Init.HE, rng);
    float[] x = images(rng);
    int[] labels = {1, 0, 2, 2};
    Model whole = new Model(ARCH, v);
    new LocalStep().gradient(whole, x, labels, N, 9L);

    float[] arriving = new float[v.params.length]; // nothing in place yet
    Model lazy = new Model(ARCH, new Vectors(v.params.length, v.buffers.length));
    lazy.setParams(arriving);
    lazy.setBuffers(v.buffers);
    java.util.List<Integer> asked = new java.util.ArrayList<>();
    LocalStep step = new LocalStep();
    step.onParamsNeeded(
        upTo -> {
          int from = asked.isEmpty() ? 0 : asked.get(asked.size() - 1);
          assertTrue(upTo >= from, "asked for " + upTo + " after " + from);
          System.arraycopy(v.params, from, arriving, from, upTo - from);
          asked.add(upTo);
        });
    step.gradient(lazy, x, labels, N, 9L);
    assertEquals(v.params.length, asked.get(asked.size() - 1));
    assertTrue(asked.get(0) < v.params.length / 10, "the first layer waits for little: " + asked);
    assertArrayEquals(whole.vectors().grads, lazy.vectors().grads);
  }

  @Test
  void modelChecksItsVectors() {
    assertThrows(IllegalArgumentException.class, () -> new Model(ARCH, new Vectors(10, 0)));
    Model m = Model.empty(ARCH);
    assertThrows(IllegalArgumentException.class, () -> m.setParams(new float[3]));
    float[] w = ARCH.initialise(Init.XAVIER, Rng.of(1)).params;
    m.setParams(w);
    assertEquals(w, m.vectors().params); // swapped in, not copied
  }
}

/*
 * LocalStep and Model on a small LeNet-5: the gradient of a batch is the sum of its parts'
 * gradients (DESIGN.md contract 2, whatever the partitioning), a step zeroes the previous gradient
 * first, and evaluate agrees with gradient's loss.
 */
package org.sparkcnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
  void modelChecksItsVectors() {
    assertThrows(IllegalArgumentException.class, () -> new Model(ARCH, new Vectors(10, 0)));
    Model m = Model.empty(ARCH);
    assertThrows(IllegalArgumentException.class, () -> m.setParams(new float[3]));
    float[] w = ARCH.initialise(Init.XAVIER, Rng.of(1)).params;
    m.setParams(w);
    assertEquals(w, m.vectors().params); // swapped in, not copied
  }
}

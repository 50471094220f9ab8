/*
 * The shipped model definitions: each builds for its data shape with the parameter count of its
 * paper, and takes one training step on random data (forward, loss, backward) with finite results.
 */
package org.sparkcnn.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparkcnn.engine.Architecture;
import org.sparkcnn.engine.Init;
import org.sparkcnn.engine.LocalStep;
import org.sparkcnn.engine.Model;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

class ModelCatalogTest {
  private static final Map<String, Object[]> EXPECTED = Map.of(
      "lenet5", new Object[] {Shape.of(1, 28, 28), 1_256_080},
      "slides-conv", new Object[] {Shape.of(3, 32, 32), 760},
      "resnet20", new Object[] {Shape.of(3, 32, 32), 272_474},
      "resnet56", new Object[] {Shape.of(3, 32, 32), 855_770});

  private static Architecture build(String name) {
    Shape in = (Shape) EXPECTED.get(name)[0];
    return ModelCatalog.build(ModelCatalog.shipped(name), name, in, 10);
  }

  @Test
  void everyShippedModelBuildsWithItsParameterCount() {
    assertEquals(EXPECTED.keySet(), new java.util.HashSet<>(ModelCatalog.SHIPPED));
    for (String name : ModelCatalog.SHIPPED) {
      assertEquals(EXPECTED.get(name)[1], build(name).paramCount(), name);
    }
  }

  @Test
  void resnet20TakesATrainingStepOnRandomData() {
    Architecture arch = build("resnet20");
    Vectors v = arch.initialise(Init.HE, Rng.of(1));
    float[] before = v.buffers.clone();
    int n = 4;
    Rng rng = Rng.of(2);
    float[] x = new float[n * arch.input().size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextGaussian();
    }
    LocalStep.Stats s = new LocalStep().gradient(new Model(arch, v), x, new int[] {0, 1, 2, 3}, n);
    assertTrue(Double.isFinite(s.lossSum()) && s.lossSum() > 0, "loss " + s.lossSum());
    double norm = 0;
    for (float g : v.grads) {
      assertTrue(Float.isFinite(g));
      norm += g * g;
    }
    assertTrue(norm > 0, "the gradient must not vanish");
    assertNotEquals(before[0], v.buffers[0], "batch norm running statistics must move");
  }
}

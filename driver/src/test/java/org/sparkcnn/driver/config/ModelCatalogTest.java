/*
 * The shipped model definitions: each builds for its input shape with the parameter count of its
 * paper (for 1000 classes where the paper has ImageNet) and prints a summary (with the paths its
 * convolutions take), and takes one training step on random data at batch 2 (ResNet-50 and
 * AlexNet included) with finite, non-zero gradients.
 */
package org.sparkcnn.driver.config;

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
  /** name -> input shape, classes, parameters (the papers' and torchvision's counts). */
  private static final Map<String, Object[]> EXPECTED =
      Map.ofEntries(
          Map.entry("lenet5", new Object[] {Shape.of(1, 28, 28), 10, 1_256_080}),
          Map.entry("slides-conv", new Object[] {Shape.of(3, 32, 32), 10, 760}),
          Map.entry("alexnet", new Object[] {Shape.of(3, 227, 227), 1000, 62_378_344}),
          Map.entry("vgg16", new Object[] {Shape.of(3, 224, 224), 1000, 138_357_544}),
          Map.entry("resnet18", new Object[] {Shape.of(3, 224, 224), 1000, 11_689_512}),
          Map.entry("resnet50", new Object[] {Shape.of(3, 224, 224), 1000, 25_557_032}),
          Map.entry("resnet20", new Object[] {Shape.of(3, 32, 32), 10, 272_474}),
          Map.entry("resnet56", new Object[] {Shape.of(3, 32, 32), 10, 855_770}),
          Map.entry("inception", new Object[] {Shape.of(3, 32, 32), 10, 340_634}),
          Map.entry("squeezenet1_1", new Object[] {Shape.of(3, 224, 224), 1000, 1_235_496}),
          Map.entry("googlenet", new Object[] {Shape.of(3, 224, 224), 1000, 6_624_904}));

  private static Architecture build(String name, int classes) {
    Shape in = (Shape) EXPECTED.get(name)[0];
    return ModelCatalog.build(ModelCatalog.shipped(name), name, in, classes);
  }

  @Test
  void everyShippedModelBuildsWithItsParameterCount() {
    assertEquals(EXPECTED.keySet(), new java.util.HashSet<>(ModelCatalog.SHIPPED));
    for (String name : ModelCatalog.SHIPPED) {
      Architecture a = build(name, (Integer) EXPECTED.get(name)[1]);
      assertEquals(EXPECTED.get(name)[2], a.paramCount(), name);
      assertTrue(a.summary().get(a.summary().size() - 1).startsWith("total"), name);
    }
  }

  @Test
  void summaryCountsTheConvolutionPathsOfABlock() {
    var rows = build("resnet20", 10).summary();
    // the two blocks that halve the size: a strided 3x3 and a 1x1 shortcut (phased), then a 3x3
    assertEquals(
        2, rows.stream().filter(r -> r.endsWith("  2 phased, 1 implicit")).count(), "" + rows);
    assertEquals(7, rows.stream().filter(r -> r.endsWith("  2 implicit")).count(), "" + rows);
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {
        "lenet5",
        "slides-conv",
        "alexnet",
        "vgg16",
        "resnet18",
        "resnet50",
        "resnet20",
        "resnet56",
        "inception",
        "squeezenet1_1",
        "googlenet"
      })
  void takesATrainingStepOnRandomDataAtBatchTwo(String name) {
    Architecture arch = build(name, 10);
    Vectors v = arch.initialise(Init.HE, Rng.of(1));
    float[] before = v.buffers.clone();
    int n = 2;
    Rng rng = Rng.of(2);
    float[] x = new float[n * arch.input().size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextGaussian();
    }
    LocalStep.Stats s =
        new LocalStep()
            .gradient(
                new Model(arch, v),
                x,
                new int[] {3 % arch.output().size(), 7 % arch.output().size()},
                n,
                11L);
    assertTrue(Double.isFinite(s.lossSum()) && s.lossSum() > 0, "loss " + s.lossSum());
    double norm = 0;
    for (float g : v.grads) {
      assertTrue(Float.isFinite(g));
      norm += g * g;
    }
    assertTrue(norm > 0, "the gradient must not vanish");
    if (before.length > 0) {
      assertNotEquals(before[0], v.buffers[0], "batch norm running statistics must move");
    }
  }
}

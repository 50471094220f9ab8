/*
 * The configurable training loss: cross-entropy with label smoothing is SoftmaxCrossEntropy's,
 * mse is MeanSquaredError against one-hot targets with argmax accuracy, and bad settings are
 * refused with the expected values named.
 */
package org.sparkcnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LossTest {
  private static final float[] OUT = {0.9f, 0.1f, 0.3f, -0.2f, 0.4f, 1.5f};
  private static final int[] LABELS = {0, 1};

  @Test
  void crossEntropyWithSmoothingIsSoftmaxCrossEntropy() {
    float[] d = new float[6];
    float[] e = new float[6];
    var r = new Loss("cross_entropy", 0.1).apply(OUT, LABELS, 2, 3, d, new float[6]);
    var s = SoftmaxCrossEntropy.lossAndGrad(OUT, LABELS, 2, 3, 0.1, e);
    assertEquals(s.lossSum(), r.lossSum());
    assertEquals(1, r.correct());
    assertArrayEquals(e, d);
  }

  @Test
  void mseUsesOneHotTargets() {
    float[] d = new float[6];
    float[] e = new float[6];
    var r = new Loss("mse", 0).apply(OUT, LABELS, 2, 3, d, new float[6]);
    double expected = MeanSquaredError.lossAndGrad(OUT, new float[] {1, 0, 0, 0, 1, 0}, 2, 3, e);
    assertEquals(expected, r.lossSum(), 1e-12);
    assertEquals(1, r.correct());
    assertArrayEquals(e, d);
  }

  @Test
  void oneHotSoftTargetsGiveTheHardLabelsLossAndGradient() {
    for (Loss loss : new Loss[] {new Loss("cross_entropy", 0.1), new Loss("mse", 0)}) {
      float[] d = new float[6];
      float[] e = new float[6];
      var hard = loss.apply(OUT, LABELS, 2, 3, d, new float[6]);
      var soft = loss.applySoft(OUT, new float[] {1, 0, 0, 0, 1, 0}, 2, 3, e);
      assertEquals(hard.lossSum(), soft.lossSum(), 1e-6, loss.kind());
      assertEquals(hard.correct(), soft.correct(), loss.kind());
      assertArrayEquals(d, e, 1e-6f, loss.kind());
    }
  }

  @Test
  void badSettingsAreRefused() {
    var kind = assertThrows(IllegalArgumentException.class, () -> new Loss("hinge", 0));
    assertTrue(kind.getMessage().contains("[cross_entropy, mse]"), kind.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Loss("cross_entropy", 1));
    var mix = assertThrows(IllegalArgumentException.class, () -> new Loss("mse", 0.1));
    assertTrue(mix.getMessage().contains("not mse"), mix.getMessage());
  }
}

/*
 * Dropout: the mask is a pure function of (step seed, layer index) (same seed, same mask; another
 * seed or index, another mask), kept values are scaled by 1 / (1 - p) and the keep rate is about
 * 1 - p, backward applies the same mask, and inference is the identity. Finite differences with
 * a fixed mask.
 */
package org.sparkcnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

class DropoutTest {
  private static final Shape IN = Shape.of(4, 5, 5);
  private static final int N = 8;

  private static Layer dropout(double p) {
    return new Dropout.Spec("drop", p).bind(IN, new Vectors(0, 0), 0, 0);
  }

  private static float[] ones() {
    float[] x = new float[N * IN.size()];
    Arrays.fill(x, 1f);
    return x;
  }

  /** The output of a training forward on ones, for the step seed and layer index. */
  private static float[] mask(Layer d, long seed, int index) {
    d.beginStep(seed, index);
    return Arrays.copyOf(d.forward(ones(), N, true), N * IN.size());
  }

  @Test
  void theMaskIsAFunctionOfTheStepSeedAndLayerIndex() {
    Layer a = dropout(0.5);
    Layer b = dropout(0.5);
    float[] m = mask(a, 42, 3);
    assertArrayEquals(m, mask(b, 42, 3), "another replica, same step and layer");
    assertArrayEquals(m, mask(a, 42, 3), "a retried step");
    assertFalse(Arrays.equals(m, mask(b, 42, 4)), "another layer");
    assertFalse(Arrays.equals(m, mask(b, 43, 3)), "another step");
    // a second forward within the step (no beginStep) draws the same mask
    a.beginStep(7, 1);
    float[] first = Arrays.copyOf(a.forward(ones(), N, true), N * IN.size());
    assertArrayEquals(first, Arrays.copyOf(a.forward(ones(), N, true), N * IN.size()));
  }

  @Test
  void keptValuesAreScaledAndTheKeepRateIsAboutOneMinusP() {
    for (double p : new double[] {0.1, 0.5, 0.8}) {
      float[] m = mask(dropout(p), 11, 2);
      int kept = 0;
      for (float v : m) {
        if (v != 0f) {
          assertEquals((float) (1 / (1 - p)), v, "kept values are scaled by 1 / (1 - p)");
          kept++;
        }
      }
      double rate = (double) kept / m.length;
      double sd = Math.sqrt(p * (1 - p) / m.length); // binomial: 800 draws
      assertEquals(1 - p, rate, 4 * sd, "keep rate for p=" + p);
    }
  }

  @Test
  void backwardAppliesTheSameMask() {
    Layer d = dropout(0.3);
    d.beginStep(5, 0);
    Rng rng = Rng.of(7, 17);
    float[] x = GradCheck.uniform(rng, N * IN.size(), -1f, 1f);
    float[] y = Arrays.copyOf(d.forward(x, N, true), x.length);
    float[] dy = GradCheck.uniform(rng, x.length, -1f, 1f);
    float[] dx = d.backward(dy, N);
    float scale = (float) (1 / 0.7);
    float[] mask = ((Dropout) d).dropMask();
    for (int i = 0; i < x.length; i++) {
      boolean kept = mask[i] != 0f;
      assertEquals(kept ? x[i] * scale : 0f, y[i], 0f); // a delta, so that -0 equals 0
      assertEquals(kept ? dy[i] * scale : 0f, dx[i], 0f);
    }
    Vectors v = new Vectors(0, 0);
    Layer g = new Dropout.Spec("drop", 0.3).bind(IN, v, 0, 0);
    g.beginStep(5, 0);
    GradCheck.check(g, v, x, N, 1e-2, 1e-4, rng);
  }

  @Test
  void inferenceAndPZeroAreTheIdentityAndPOneDropsEverything() {
    float[] x = ones();
    Layer d = dropout(0.5);
    assertSame(x, d.forward(x, N, false));
    float[] dy = ones();
    assertSame(dy, d.backward(dy, N));
    assertSame(x, dropout(0).forward(x, N, true));
    float[] all = mask(dropout(1), 3, 0);
    for (float v : all) {
      assertEquals(0f, v);
    }
  }

  @Test
  void pMustBeAProbability() {
    assertEquals(0.5, new Dropout.Spec("drop", null).p());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Dropout.Spec("drop", 1.5));
    assertTrue(e.getMessage().contains("drop") && e.getMessage().contains("1.5"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Dropout.Spec("drop", Double.NaN));
  }
}

package org.sparkcnn.driver.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StepResultTest {
  private static float[] sums(int n) {
    float[] g = new float[n];
    for (int i = 0; i < n; i++) {
      g[i] = (i % 7 - 3) * 1.5e37f; // large but finite: the average stays finite
    }
    return g;
  }

  @Test
  void theAverageIsTheSumTimesOneOverTheCountAndFinite() {
    float[] g = sums(1000);
    float[] avg = new float[g.length];
    assertTrue(new StepResult(g.clone(), 12.5, 3, 64, 0).averageInto(avg, null));
    for (int i = 0; i < g.length; i++) {
      assertEquals(Float.floatToIntBits(g[i] * (1f / 64)), Float.floatToIntBits(avg[i]), "at " + i);
    }
  }

  @Test
  void anyNonFiniteValueMakesTheStepNonFinite() {
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
      for (int at : new int[] {0, 517, 999}) {
        float[] g = sums(1000);
        g[at] = bad;
        assertFalse(
            new StepResult(g, 1, 0, 64, 0).averageInto(new float[g.length], null),
            bad + " at " + at);
      }
    }
    float[] g = sums(10);
    assertFalse(new StepResult(g, Double.NaN, 0, 64, 0).averageInto(new float[10], null), "loss");
    assertFalse(
        new StepResult(g, 1, 0, 64, 0).averageInto(new float[10], new float[] {0, Float.NaN}),
        "buffers");
    assertTrue(new StepResult(new float[0], 0, 0, 1, 0).averageInto(new float[0], null));
  }
}

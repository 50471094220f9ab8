/*
 * ELU against values computed here in double (x, or alpha (e^x - 1) below zero), hand-picked
 * points, finite differences for several alphas, and its default and argument checks.
 */
package org.sparkcnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

class ELUTest {
  @Test
  void forwardIsXAboveZeroAndAlphaTimesExpMinusOneBelow() {
    Layer elu = new ELU.Spec("elu").bind(Shape.of(4), new Vectors(0, 0), 0, 0);
    float[] y = elu.forward(new float[] {-1f, 0f, 2f, -20f}, 1, false);
    // e^-1 - 1 = -0.6321205588..., 0 stays 0, e^-20 - 1 is -1 in float
    assertArrayEquals(new float[] {-0.63212055f, 0f, 2f, -1f}, Arrays.copyOf(y, 4), 1e-7f);

    Rng rng = Rng.of(7, 20);
    Shape in = Shape.of(3, 5);
    float[] x = GradCheck.uniform(rng, 2 * in.size(), -4f, 4f);
    for (double alpha : new double[] {1.0, 0.3, 2.5, -0.5}) {
      y = new ELU.Spec("elu", alpha).bind(in, new Vectors(0, 0), 0, 0).forward(x, 2, true);
      for (int i = 0; i < x.length; i++) {
        double expected = x[i] > 0 ? x[i] : alpha * (Math.exp(x[i]) - 1);
        assertEquals(expected, y[i], 1e-6 * Math.max(1, Math.abs(expected)), "alpha " + alpha);
      }
    }
  }

  @Test
  void backwardAtAndBelowZeroIsAlphaTimesExp() {
    Layer elu = new ELU.Spec("elu", 2.0).bind(Shape.of(3), new Vectors(0, 0), 0, 0);
    elu.forward(new float[] {0f, -1f, 3f}, 1, true);
    float[] dx = elu.backward(new float[] {1f, 1f, 1f}, 1);
    assertArrayEquals(
        new float[] {2f, (float) (2 * Math.exp(-1)), 1f}, Arrays.copyOf(dx, 3), 1e-7f);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Rng rng = Rng.of(7, 21);
    Shape in = Shape.of(2, 3, 4);
    float[] x = GradCheck.uniform(rng, 2 * in.size(), 0.1f, 2f);
    for (int i = 0; i < x.length; i += 2) {
      x[i] = -x[i]; // half negative, none within 0.1 of the kink
    }
    for (double alpha : new double[] {1.0, 0.2, 3.0}) {
      Vectors v = new Vectors(0, 0);
      GradCheck.check(new ELU.Spec("elu", alpha).bind(in, v, 0, 0), v, x, 2, 1e-3, 1e-4, rng);
    }
  }

  @Test
  void alphaDefaultsToPyTorchsAndMustBeFinite() {
    assertEquals(1.0, new ELU.Spec("elu").alpha());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new ELU.Spec("elu2", Double.NaN));
    assertEquals("elu 'elu2': alpha must be a finite number, got NaN", e.getMessage());
  }
}

/*
 * The Softmax layer: rows that sum to one, invariance to a shift of the inputs, stability for
 * large inputs, and finite differences of its Jacobian (no golden case: it is a few lines of
 * PyTorch's definition, checked here by its properties).
 */
package org.sparkcnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

class SoftmaxTest {
  @Test
  void rowsAreDistributionsInvariantToAShift() {
    Layer s = new Softmax.Spec("softmax").bind(Shape.of(3), new Vectors(0, 0), 0, 0);
    float[] y = Arrays.copyOf(s.forward(new float[] {1, 2, 3, 1001, 1002, 1003}, 2, false), 6);
    double e = Math.exp(1) + Math.exp(2) + Math.exp(3);
    float[] expected = {(float) (Math.exp(1) / e), (float) (Math.exp(2) / e),
        (float) (Math.exp(3) / e)};
    assertArrayEquals(expected, Arrays.copyOf(y, 3), 1e-6f);
    assertArrayEquals(expected, Arrays.copyOfRange(y, 3, 6), 1e-6f);
    assertEquals(1.0, y[0] + y[1] + y[2], 1e-6);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Rng rng = Rng.of(7, 15);
    Shape in = Shape.of(6);
    Vectors v = new Vectors(0, 0);
    GradCheck.check(new Softmax.Spec("softmax").bind(in, v, 0, 0), v,
        GradCheck.uniform(rng, 3 * in.size(), -2f, 2f), 3, 1e-2, 1e-4, rng);
  }

  @Test
  void needsAFlatInput() {
    ShapeMismatch e = assertThrows(ShapeMismatch.class,
        () -> new Softmax.Spec("softmax").outputShape(Shape.of(2, 3, 3)));
    assertTrue(e.getMessage().contains("flatten"), e.getMessage());
  }
}

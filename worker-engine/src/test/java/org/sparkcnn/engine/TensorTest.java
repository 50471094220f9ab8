/* Tensor: NCHW indexing, size checks, and Model.forward on tensors. */
package org.sparkcnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TensorTest {
  @Test
  void indexesNchw() {
    float[] d = new float[2 * 3 * 4 * 5];
    for (int i = 0; i < d.length; i++) {
      d[i] = i;
    }
    Tensor t = new Tensor(d, 2, Shape.of(3, 4, 5));
    assertEquals(((1 * 3 + 2) * 4 + 3) * 5 + 4, t.get(1, 2, 3, 4));
    assertEquals(120, t.size());
    assertEquals("[2, 3, 4, 5]", t.toString());
  }

  @Test
  void rejectsAnArrayTooSmall() {
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> new Tensor(new float[10], 1, Shape.of(3, 2, 2)));
    assertTrue(e.getMessage().contains("needs 12 floats"), e.getMessage());
  }

  @Test
  void modelForwardChecksTheInputShape() {
    Architecture arch = Models.lenet5(Shape.of(1, 28, 28), 10);
    Model m = new Model(arch, arch.initialise(Init.HE, Rng.of(3)));
    Tensor out = m.forward(Tensor.zeros(2, Shape.of(1, 28, 28)), false);
    assertEquals(Shape.of(10), out.shape());
    assertEquals(2, out.n());
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> m.forward(Tensor.zeros(2, Shape.of(3, 28, 28)), false));
    assertTrue(e.getMessage().contains("model input is 1x28x28"), e.getMessage());
  }
}

/* Flatten moves no data: the output is the input, dx is dy. */
package org.sparkcnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

class FlattenTest {
  @Test
  void flattensTheSampleShape() {
    assertEquals(Shape.of(60), new Flatten.Spec("flat").outputShape(Shape.of(3, 4, 5)));
    assertEquals(0, new Flatten.Spec("flat").paramCount(Shape.of(3, 4, 5)));
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Rng rng = Rng.of(7, 5);
    Shape in = Shape.of(2, 3, 2);
    Vectors v = new Vectors(0, 0);
    GradCheck.check(new Flatten.Spec("flat").bind(in, v, 0, 0), v,
        GradCheck.uniform(rng, 3 * in.size(), -1f, 1f), 3, 1e-2, 1e-5, rng);
  }
}

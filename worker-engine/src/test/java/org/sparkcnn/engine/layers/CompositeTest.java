/*
 * Residual and Concat blocks: finite-difference gradients through both paths, the identity
 * shortcut, shape errors naming the block, and nesting inside a model with a JSON round trip.
 */
package org.sparkcnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparkcnn.engine.Architecture;
import org.sparkcnn.engine.Init;
import org.sparkcnn.engine.Model;
import org.sparkcnn.engine.ModelFile;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

class CompositeTest {
  private static Layer bound(LayerSpec spec, Shape in, Vectors[] out, Rng rng) {
    Vectors v = new Vectors(spec.paramCount(in), spec.bufferCount(in));
    System.arraycopy(
        GradCheck.uniform(rng, v.params.length, -0.5f, 0.5f), 0, v.params, 0, v.params.length);
    out[0] = v;
    return spec.bind(in, v, 0, 0);
  }

  @Test
  void residualWithProjectionShortcutHasCorrectGradients() {
    Rng rng = Rng.of(5);
    Shape in = Shape.of(2, 5, 5);
    LayerSpec spec =
        new Residual.Spec(
            "res",
            List.of(
                Conv2d.Spec.of("c1", 0, 3, 3, 2, 1),
                new ReLU.Spec("r"),
                Conv2d.Spec.of("c2", 3, 3, 3, 1, 1)),
            List.of(Conv2d.Spec.of("proj", 0, 3, 1, 2, 0)));
    assertEquals(Shape.of(3, 3, 3), spec.outputShape(in));
    Vectors[] v = new Vectors[1];
    Layer l = bound(spec, in, v, rng);
    GradCheck.check(l, v[0], GradCheck.uniform(rng, 2 * in.size(), -1f, 1f), 2, 1e-2, 2e-3, rng);
  }

  @Test
  void identityShortcutAddsTheInput() {
    Rng rng = Rng.of(6);
    Shape in = Shape.of(3, 4, 4);
    LayerSpec spec = new Residual.Spec("res", List.of(Conv2d.Spec.of("c", 0, 3, 3, 1, 1)), null);
    Vectors[] v = new Vectors[1];
    Layer l = bound(spec, in, v, rng);
    GradCheck.check(l, v[0], GradCheck.uniform(rng, 2 * in.size(), -1f, 1f), 2, 1e-2, 2e-3, rng);
    java.util.Arrays.fill(v[0].params, 0f); // body gives zero: y == x
    float[] x = GradCheck.uniform(rng, in.size(), -1f, 1f);
    float[] y = l.forward(x, 1, false);
    for (int i = 0; i < x.length; i++) {
      assertEquals(x[i], y[i]);
    }
  }

  @Test
  void concatStacksChannelsAndSplitsGradients() {
    Rng rng = Rng.of(7);
    Shape in = Shape.of(2, 4, 4);
    LayerSpec spec =
        new Concat.Spec(
            "mix",
            List.of(
                List.of(Conv2d.Spec.of("a", 0, 3, 1, 1, 0)),
                List.of(Conv2d.Spec.of("b", 0, 2, 3, 1, 1), new ReLU.Spec("rb")),
                List.of())); // the identity: finite differences across max-pool kinks would be
    // noise
    assertEquals(Shape.of(7, 4, 4), spec.outputShape(in));
    Vectors[] v = new Vectors[1];
    Layer l = bound(spec, in, v, rng);
    GradCheck.check(l, v[0], GradCheck.uniform(rng, 2 * in.size(), -1f, 1f), 2, 1e-2, 2e-3, rng);
  }

  @Test
  void mismatchedPathsAreReportedWithTheBlockName() {
    LayerSpec res = new Residual.Spec("down", List.of(Conv2d.Spec.of("c", 0, 4, 3, 2, 1)), null);
    var e = assertThrows(ShapeMismatch.class, () -> res.outputShape(Shape.of(2, 8, 8)));
    assertTrue(
        e.getMessage().contains("'down'")
            && e.getMessage().contains("2x8x8")
            && e.getMessage().contains("4x4x4"),
        e.getMessage());
    LayerSpec cat =
        new Concat.Spec(
            "cat",
            List.of(
                List.of(Conv2d.Spec.of("a", 0, 1, 3, 2, 1)),
                List.of(Conv2d.Spec.of("b", 0, 1, 1, 1, 0))));
    var e2 = assertThrows(ShapeMismatch.class, () -> cat.outputShape(Shape.of(1, 6, 6)));
    assertTrue(e2.getMessage().contains("'cat'"), e2.getMessage());
  }

  @Test
  void nestedBlocksTrainInAModelAndSurviveJson() throws Exception {
    Architecture arch =
        new Architecture(
            Shape.of(1, 8, 8),
            List.of(
                Conv2d.Spec.of("stem", 0, 4, 3, 1, 1),
                new Residual.Spec(
                    "block",
                    List.of(Conv2d.Spec.of("b1", 0, 4, 3, 1, 1), new ReLU.Spec("br")),
                    List.of()),
                new Flatten.Spec("flat"),
                Linear.Spec.of("head", 0, 3)));
    assertEquals(40 + 148 + 256 * 3 + 3, arch.paramCount());
    String json = ModelFile.JSON.writeValueAsString(arch);
    Architecture back = ModelFile.JSON.readValue(json, Architecture.class);
    assertEquals(json, ModelFile.JSON.writeValueAsString(back));
    Model m = new Model(back, back.initialise(Init.HE, Rng.of(1)));
    assertEquals(
        arch.output(), m.forward(org.sparkcnn.engine.Tensor.zeros(2, arch.input()), true).shape());
  }
}

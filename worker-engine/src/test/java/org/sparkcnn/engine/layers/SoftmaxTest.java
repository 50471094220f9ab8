/*
 * The Softmax layer: rows that sum to one, invariance to a shift of the inputs, stability for
 * large inputs, the values along every dim of [C, H, W] against a direct per-element reference,
 * the default (dim 1 on [F]) bit for bit as the flat softmax it always was, finite differences of
 * its Jacobian along each dim, the refused dims, and dim in JSON (left out when 1). No golden case:
 * it is a few lines of PyTorch's definition, checked here by its properties.
 */
package org.sparkcnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparkcnn.engine.Architecture;
import org.sparkcnn.engine.ModelDefinition;
import org.sparkcnn.engine.ModelFile;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

class SoftmaxTest {
  @Test
  void rowsAreDistributionsInvariantToAShift() {
    Layer s = new Softmax.Spec("softmax").bind(Shape.of(3), new Vectors(0, 0), 0, 0);
    float[] y = Arrays.copyOf(s.forward(new float[] {1, 2, 3, 1001, 1002, 1003}, 2, false), 6);
    double e = Math.exp(1) + Math.exp(2) + Math.exp(3);
    float[] expected = {
      (float) (Math.exp(1) / e), (float) (Math.exp(2) / e), (float) (Math.exp(3) / e)
    };
    assertArrayEquals(expected, Arrays.copyOf(y, 3), 1e-6f);
    assertArrayEquals(expected, Arrays.copyOfRange(y, 3, 6), 1e-6f);
    assertEquals(1.0, y[0] + y[1] + y[2], 1e-6);
  }

  @Test
  void theDefaultIsTheFlatSoftmaxBitForBit() {
    Rng rng = Rng.of(7, 16);
    int n = 4;
    int f = 10;
    float[] x = GradCheck.uniform(rng, n * f, -30f, 30f);
    float[] dy = GradCheck.uniform(rng, n * f, -1f, 1f);
    float[] y = new float[n * f];
    float[] dx = new float[n * f];
    for (int i = 0; i < n; i++) { // the layer as it was before it took a dim
      int off = i * f;
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < f; j++) {
        max = Math.max(max, x[off + j]);
      }
      double sum = 0;
      for (int j = 0; j < f; j++) {
        sum += Math.exp(x[off + j] - max);
      }
      for (int j = 0; j < f; j++) {
        y[off + j] = (float) (Math.exp(x[off + j] - max) / sum);
      }
      double dot = 0;
      for (int j = 0; j < f; j++) {
        dot += (double) dy[off + j] * y[off + j];
      }
      for (int j = 0; j < f; j++) {
        dx[off + j] = (float) (y[off + j] * (dy[off + j] - dot));
      }
    }
    for (Softmax.Spec spec :
        List.of(new Softmax.Spec("s"), new Softmax.Spec("s", 1), new Softmax.Spec("s", -1))) {
      Layer s = spec.bind(Shape.of(f), new Vectors(0, 0), 0, 0);
      assertArrayEquals(y, Arrays.copyOf(s.forward(x, n, false), n * f), "dim " + spec.dim());
      assertArrayEquals(dx, Arrays.copyOf(s.backward(dy, n), n * f), "dim " + spec.dim());
    }
  }

  @Test
  void channelsOfEachPixelByHand() {
    // [C=2, H=1, W=2]: pixel 0 has logits (0, 0), pixel 1 has (ln 3, 0)
    Layer s = new Softmax.Spec("s").bind(Shape.of(2, 1, 2), new Vectors(0, 0), 0, 0);
    float[] y = s.forward(new float[] {0f, (float) Math.log(3), 0f, 0f}, 1, false);
    assertArrayEquals(new float[] {0.5f, 0.75f, 0.5f, 0.25f}, Arrays.copyOf(y, 4), 1e-6f);
  }

  /** y[i] = exp(x[i]) / sum of exp(x) over i's line along axis a of samples of shape dims. */
  private static double[] reference(float[] x, int n, int[] dims, int a) {
    int stride = 1;
    for (int d = a + 1; d < dims.length; d++) {
      stride *= dims[d];
    }
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      int c = i / stride % dims[a]; // i's coordinate along the axis
      double sum = 0;
      for (int t = 0; t < dims[a]; t++) {
        sum += Math.exp(x[i + (t - c) * stride]);
      }
      y[i] = Math.exp(x[i]) / sum;
    }
    return y;
  }

  @Test
  void everyDimOfCHWMatchesADirectReference() {
    int[] dims = {2, 3, 4};
    int n = 2;
    float[] x = GradCheck.uniform(Rng.of(7, 17), n * 24, -3f, 3f);
    int[][] dimAndAxis = {{1, 0}, {2, 1}, {3, 2}, {-1, 2}, {-2, 1}, {-3, 0}};
    for (int[] da : dimAndAxis) {
      Layer s = new Softmax.Spec("s", da[0]).bind(Shape.of(dims), new Vectors(0, 0), 0, 0);
      assertEquals(Shape.of(dims), s.outputShape());
      float[] y = s.forward(x, n, false);
      double[] ref = reference(x, n, dims, da[1]);
      for (int i = 0; i < ref.length; i++) {
        assertEquals(ref[i], y[i], 1e-6, "dim " + da[0] + " at " + i);
      }
    }
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Rng rng = Rng.of(7, 15);
    Shape in = Shape.of(6);
    Vectors v = new Vectors(0, 0);
    GradCheck.check(
        new Softmax.Spec("softmax").bind(in, v, 0, 0),
        v,
        GradCheck.uniform(rng, 3 * in.size(), -2f, 2f),
        3,
        1e-2,
        1e-4,
        rng);
  }

  @Test
  void gradientsAlongEachDimMatchFiniteDifferences() {
    Rng rng = Rng.of(7, 18);
    Shape in = Shape.of(3, 2, 4);
    for (int dim : new int[] {1, 2, 3, -1, -2}) {
      Vectors v = new Vectors(0, 0);
      GradCheck.check(
          new Softmax.Spec("softmax", dim).bind(in, v, 0, 0),
          v,
          GradCheck.uniform(rng, 2 * in.size(), -2f, 2f),
          2,
          1e-2,
          1e-4,
          rng);
    }
  }

  @Test
  void theBatchAndAxesPastTheLastAreRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Softmax.Spec("sm", 0));
    assertEquals(
        "softmax 'sm': dim 0 is the batch, which a layer does not mix; use dim 1 or more"
            + " (or negative, from the last axis)",
        e.getMessage());
    ShapeMismatch m =
        assertThrows(
            ShapeMismatch.class, () -> new Softmax.Spec("sm", 4).outputShape(Shape.of(2, 3, 3)));
    assertEquals(
        "layer 'sm' does not fit its input: got input 2x3x3, dim 4 names no axis after"
            + " the batch (1 to 3, or -3 to -1)",
        m.getMessage());
    m =
        assertThrows(
            ShapeMismatch.class, () -> new Softmax.Spec("sm", -4).outputShape(Shape.of(2, 3, 3)));
    assertTrue(m.getMessage().contains("dim -4 names no axis after the batch"), m.getMessage());
    m =
        assertThrows(
            ShapeMismatch.class, () -> new Softmax.Spec("sm", 2).outputShape(Shape.of(10)));
    assertTrue(m.getMessage().contains("(1 to 1, or -1 to -1)"), m.getMessage());
  }

  @Test
  void dimIsWrittenToJsonOnlyWhenNotOne() throws Exception {
    String plain = ModelFile.JSON.writeValueAsString(new Softmax.Spec("s"));
    assertEquals("{\"type\":\"softmax\",\"name\":\"s\"}", plain);
    assertFalse(ModelFile.JSON.writeValueAsString(new Softmax.Spec("s", 1)).contains("dim"));
    String json = ModelFile.JSON.writeValueAsString(new Softmax.Spec("s", -1));
    assertTrue(json.contains("\"dim\":-1"), json);
    assertEquals(new Softmax.Spec("s", -1), ModelFile.JSON.readValue(json, LayerSpec.class));
    assertEquals(new Softmax.Spec("s"), ModelFile.JSON.readValue(plain, LayerSpec.class));
    // in a model definition, after a layer that keeps [C, H, W]
    Architecture a =
        ModelDefinition.parse(
            Map.of(
                "layers",
                List.of(
                    Map.of("conv2d", Map.of("out", 4, "kernel", 1)),
                    Map.of("softmax", Map.of("dim", 1)),
                    Map.of("softmax", Map.of("dim", -1)),
                    "flatten")),
            Shape.of(2, 3, 5),
            2);
    assertEquals(
        List.of(Shape.of(4, 3, 5), Shape.of(4, 3, 5), Shape.of(60)),
        List.of(a.shapeBefore(2), a.shapeBefore(3), a.output()));
    assertEquals(new Softmax.Spec("softmax2", -1), a.layers().get(2));
  }
}

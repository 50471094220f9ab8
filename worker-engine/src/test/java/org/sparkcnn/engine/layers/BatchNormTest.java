/*
 * BatchNorm1d and BatchNorm2d against PyTorch's values (../shared/golden/batch_norm_*.json): in
 * training mode the output, the gradients and the running statistics after the update; in eval
 * mode the output and gradients with the running statistics. Also a hand-computed running update,
 * the initial values, and finite differences in both modes (the full batch-statistics gradient in
 * training).
 */
package org.sparkcnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkcnn.engine.Golden;
import org.sparkcnn.engine.Init;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

class BatchNormTest {
  static List<String> goldenCases() {
    return Golden.cases("batch_norm_*.json");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenCases")
  void matchesPyTorch(String file) {
    JsonNode c = Golden.read(file);
    boolean training = c.get("training").asBoolean();
    String suffix = training ? "_before" : "";
    float[] mean = Golden.floats(c.get("running_mean" + suffix));
    float[] var = Golden.floats(c.get("running_var" + suffix));
    float[] buffers = new float[2 * mean.length];
    System.arraycopy(mean, 0, buffers, 0, mean.length);
    System.arraycopy(var, 0, buffers, mean.length, var.length);
    Double eps = c.get("eps").doubleValue();
    Double momentum = c.has("momentum") ? c.get("momentum").doubleValue() : null;
    LayerSpec spec =
        Golden.shape(c.get("input")).length == 4
            ? new BatchNorm2d.Spec("bn", mean.length, eps, momentum)
            : new BatchNorm1d.Spec("bn", mean.length, eps, momentum);

    Vectors v = LayerGolden.check(file, spec, c, training, buffers);
    if (training) {
      double[] after = new double[buffers.length];
      System.arraycopy(Golden.doubles(c.get("running_mean_after")), 0, after, 0, mean.length);
      System.arraycopy(
          Golden.doubles(c.get("running_var_after")), 0, after, mean.length, var.length);
      Golden.assertClose(
          file + " running_mean, running_var after", after, v.buffers, Golden.FORWARD_TOL);
    } else {
      assertArrayEquals(buffers, v.buffers, file + ": eval mode leaves the running statistics");
    }
  }

  @Test
  void runningStatisticsMoveTowardsTheBatchMeanAndUnbiasedVariance() {
    BatchNorm1d.Spec spec = BatchNorm1d.Spec.of("bn", 1);
    Vectors v = vectors(spec, Shape.of(1));
    Layer bn = spec.bind(Shape.of(1), v, 0, 0);
    float[] y = bn.forward(new float[] {1, 2, 3, 4}, 4, true);
    // mean 2.5, biased variance 1.25 (normalises), unbiased 5/3 (running)
    double inv = 1 / Math.sqrt(1.25 + 1e-5);
    assertArrayEquals(
        new float[] {
          (float) (-1.5 * inv), (float) (-0.5 * inv), (float) (0.5 * inv), (float) (1.5 * inv)
        },
        Arrays.copyOf(y, 4),
        1e-6f);
    assertArrayEquals(new float[] {0.25f, (float) (0.9 + 0.1 * 5.0 / 3)}, v.buffers, 1e-6f);

    // eval mode normalises with the running statistics and leaves them
    float[] before = v.buffers.clone();
    y = bn.forward(new float[] {1, 2}, 2, false);
    double runInv = 1 / Math.sqrt(before[1] + 1e-5);
    assertArrayEquals(
        new float[] {(float) ((1 - 0.25) * runInv), (float) ((2 - 0.25) * runInv)},
        Arrays.copyOf(y, 2),
        1e-6f);
    assertArrayEquals(before, v.buffers);
  }

  @Test
  void startsAsPyTorch() {
    BatchNorm2d.Spec spec = BatchNorm2d.Spec.of("bn", 0);
    Shape in = Shape.of(3, 4, 4);
    assertEquals(6, spec.paramCount(in));
    assertEquals(6, spec.bufferCount(in));
    assertEquals(1e-5, spec.eps());
    assertEquals(0.1, spec.momentum());
    Vectors v = vectors(spec, in);
    assertArrayEquals(new float[] {1, 1, 1, 0, 0, 0}, v.params);
    assertArrayEquals(new float[] {0, 0, 0, 1, 1, 1}, v.buffers);
  }

  @Test
  void gradientsMatchFiniteDifferencesInTrainingAndEval() {
    Rng rng = Rng.of(7, 16);
    Object[][] cases = {
      {BatchNorm1d.Spec.of("bn", 5), Shape.of(5), 4},
      {BatchNorm1d.Spec.of("bn", 0), Shape.of(3, 4), 2},
      {BatchNorm2d.Spec.of("bn", 3), Shape.of(3, 2, 3), 2}
    };
    for (Object[] t : cases) {
      LayerSpec spec = (LayerSpec) t[0];
      Shape in = (Shape) t[1];
      int n = (int) t[2];
      for (boolean training : new boolean[] {true, false}) {
        Vectors v = vectors(spec, in);
        randomise(v.params, rng, 0.5f, 1.5f);
        int c = in.dim(0);
        for (int i = 0; i < c; i++) {
          v.buffers[i] = rng.uniform(-0.5f, 0.5f); // running_mean
          v.buffers[c + i] = rng.uniform(0.5f, 2f); // running_var
        }
        float[] x = GradCheck.uniform(rng, n * in.size(), -2f, 2f);
        GradCheck.check(spec.bind(in, v, 0, 0), v, x, n, 1e-3, 1e-3, rng, training);
      }
    }
  }

  @Test
  void rejectsWhatPyTorchRejects() {
    Layer bn =
        BatchNorm1d.Spec.of("bn1", 4)
            .bind(Shape.of(4), vectors(BatchNorm1d.Spec.of("bn1", 4), Shape.of(4)), 0, 0);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> bn.forward(new float[4], 1, true));
    assertTrue(
        e.getMessage().contains("bn1") && e.getMessage().contains("more than one value"),
        e.getMessage());
    bn.forward(new float[4], 1, false); // inference on one sample is fine
    assertThrows(
        ShapeMismatch.class, () -> BatchNorm2d.Spec.of("bn", 3).outputShape(Shape.of(4, 2, 2)));
    assertThrows(
        ShapeMismatch.class, () -> BatchNorm1d.Spec.of("bn", 0).outputShape(Shape.of(4, 2, 2)));
    assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d.Spec("bn", 3, 0.0, null));
    assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d.Spec("bn", 3, null, 1.5));
  }

  private static Vectors vectors(LayerSpec spec, Shape in) {
    Vectors v = new Vectors(spec.paramCount(in), spec.bufferCount(in));
    spec.init(v.params, 0, in, Init.HE, Rng.of(0));
    spec.initBuffers(v.buffers, 0, in);
    return v;
  }

  private static void randomise(float[] a, Rng rng, float lo, float hi) {
    for (int i = 0; i < a.length; i++) {
      a[i] = rng.uniform(lo, hi);
    }
  }
}

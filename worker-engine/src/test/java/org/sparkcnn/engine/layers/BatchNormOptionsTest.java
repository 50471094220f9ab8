/*
 * BatchNorm1d and BatchNorm2d with PyTorch's other arguments: affine=False (no weight and bias,
 * y = xhat), track_running_stats=False (no buffers, batch statistics in inference too) and
 * momentum=None (the cumulative average, its running statistics after two batches worked out by
 * hand), with finite differences in both modes, the JSON forms of the arguments and their checks.
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
import org.sparkcnn.engine.Init;
import org.sparkcnn.engine.ModelFile;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

class BatchNormOptionsTest {
  private static Vectors vectors(LayerSpec spec, Shape in) {
    Vectors v = new Vectors(spec.paramCount(in), spec.bufferCount(in));
    spec.init(v.params, 0, in, Init.HE, Rng.of(0));
    spec.initBuffers(v.buffers, 0, in);
    return v;
  }

  @Test
  void withoutAffineThereAreNoParametersAndYIsXhat() {
    BatchNorm1d.Spec spec = new BatchNorm1d.Spec("bn", 1, null, null, false, null);
    Shape in = Shape.of(1);
    assertEquals(0, spec.paramCount(in));
    assertEquals(2, spec.bufferCount(in));
    Vectors v = vectors(spec, in);
    Layer bn = spec.bind(in, v, 0, 0);
    float[] y = bn.forward(new float[] {1, 2, 3, 4}, 4, true);
    double inv = 1 / Math.sqrt(1.25 + 1e-5); // mean 2.5, biased variance 1.25
    assertArrayEquals(
        new float[] {
          (float) (-1.5 * inv), (float) (-0.5 * inv), (float) (0.5 * inv), (float) (1.5 * inv)
        },
        Arrays.copyOf(y, 4),
        1e-6f);
    assertArrayEquals(new float[] {0.25f, (float) (0.9 + 0.1 * 5.0 / 3)}, v.buffers, 1e-6f);
    y = bn.forward(new float[] {1}, 1, false);
    assertEquals((1 - 0.25) / Math.sqrt(v.buffers[1] + 1e-5), y[0], 1e-6);
  }

  @Test
  void withoutRunningStatisticsInferenceUsesTheBatchToo() {
    BatchNorm2d.Spec spec = new BatchNorm2d.Spec("bn", 2, null, null, null, false);
    Shape in = Shape.of(2, 2, 2);
    assertEquals(4, spec.paramCount(in));
    assertEquals(0, spec.bufferCount(in));
    Vectors v = vectors(spec, in);
    v.params[0] = 2f; // weight of channel 0
    v.params[3] = -1f; // bias of channel 1
    Layer bn = spec.bind(in, v, 0, 0);
    float[] x = GradCheck.uniform(Rng.of(7, 40), 3 * in.size(), -2f, 2f);
    float[] train = bn.forward(x, 3, true).clone();
    float[] eval = Arrays.copyOf(bn.forward(x, 3, false), train.length);
    assertArrayEquals(train, eval);
    // channel 0 of sample 0, by hand: its 12 values over the batch and the positions
    double mean = 0;
    double sq = 0;
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 4; j++) {
        mean += x[i * 8 + j] / 12.0;
      }
    }
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 4; j++) {
        sq += (x[i * 8 + j] - mean) * (x[i * 8 + j] - mean) / 12.0;
      }
    }
    assertEquals(2 * (x[0] - mean) / Math.sqrt(sq + 1e-5), eval[0], 1e-5);
    Layer one =
        new BatchNorm1d.Spec("bn1", 2, null, null, null, false)
            .bind(Shape.of(2), new Vectors(4, 0), 0, 0);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> one.forward(new float[2], 1, false));
    assertEquals(
        "batch norm 'bn1': inference without running statistics needs more than one"
            + " value per channel, got 1",
        e.getMessage());
  }

  @Test
  void momentumNullIsTheCumulativeAverageOfTheBatches() {
    BatchNorm1d.Spec spec = new BatchNorm1d.Spec("bn", 1, null, BatchNorm.CUMULATIVE);
    Shape in = Shape.of(1);
    assertTrue(spec.cumulative());
    assertEquals(3, spec.bufferCount(in)); // running_mean, running_var, num_batches_tracked
    Vectors v = vectors(spec, in);
    assertArrayEquals(new float[] {0, 1, 0}, v.buffers);
    Layer bn = spec.bind(in, v, 0, 0);
    // batch 1: mean 2.5, unbiased variance 5/3; the factor 1/1 replaces the starting 0 and 1
    bn.forward(new float[] {1, 2, 3, 4}, 4, true);
    assertArrayEquals(new float[] {2.5f, 5f / 3, 1f}, v.buffers, 1e-6f);
    // batch 2: mean 5, unbiased variance (9 + 1 + 1 + 9) / 3 = 20/3; the factor is 1/2, so the
    // statistics are the plain averages of the two batches': 3.75 and 25/6
    bn.forward(new float[] {2, 4, 6, 8}, 4, true);
    assertArrayEquals(new float[] {3.75f, 25f / 6, 2f}, v.buffers, 1e-6f);
    // inference neither uses nor moves the counter
    float[] y = bn.forward(new float[] {3.75f}, 1, false);
    assertEquals(0f, y[0], 1e-7f);
    assertArrayEquals(new float[] {3.75f, 25f / 6, 2f}, v.buffers, 1e-6f);
    // without running statistics there is nothing to count
    assertFalse(
        new BatchNorm1d.Spec("bn", 1, null, BatchNorm.CUMULATIVE, null, false).cumulative());
  }

  @Test
  void gradientsMatchFiniteDifferencesInTrainingAndEval() {
    Rng rng = Rng.of(7, 41);
    LayerSpec[] specs = {
      new BatchNorm2d.Spec("bn", 3, null, null, false, null),
      new BatchNorm2d.Spec("bn", 3, null, null, true, false),
      new BatchNorm2d.Spec("bn", 3, null, null, false, false),
      new BatchNorm1d.Spec("bn", 0, null, BatchNorm.CUMULATIVE, false, true)
    };
    Shape[] shapes = {Shape.of(3, 2, 3), Shape.of(3, 2, 3), Shape.of(3, 2, 3), Shape.of(3, 4)};
    for (int k = 0; k < specs.length; k++) {
      Shape in = shapes[k];
      for (boolean training : new boolean[] {true, false}) {
        Vectors v = vectors(specs[k], in);
        for (int i = 0; i < v.params.length; i++) {
          v.params[i] = rng.uniform(0.5f, 1.5f);
        }
        int c = in.dim(0);
        for (int i = 0; v.buffers.length > 0 && i < c; i++) {
          v.buffers[i] = rng.uniform(-0.5f, 0.5f); // running_mean
          v.buffers[c + i] = rng.uniform(0.5f, 2f); // running_var
        }
        float[] x = GradCheck.uniform(rng, 2 * in.size(), -2f, 2f);
        GradCheck.check(specs[k].bind(in, v, 0, 0), v, x, 2, 1e-3, 1e-3, rng, training);
      }
    }
  }

  @Test
  void jsonTakesPyTorchsNamesAndNullMomentum() throws Exception {
    Architecture a =
        ModelFile.JSON.readValue(
            """
        {"input": [2, 4, 4], "layers": [
          {"type": "batch_norm2d", "name": "a", "momentum": null, "affine": false},
          {"type": "batch_norm2d", "name": "b", "track_running_stats": false},
          {"type": "batch_norm2d", "name": "c"}]}""",
            Architecture.class);
    BatchNorm2d.Spec cumulative = (BatchNorm2d.Spec) a.layers().get(0);
    assertTrue(cumulative.momentum().isNaN());
    assertFalse(cumulative.affine());
    assertFalse(((BatchNorm2d.Spec) a.layers().get(1)).trackRunningStats());
    assertEquals(0.1, ((BatchNorm2d.Spec) a.layers().get(2)).momentum());
    assertEquals(BatchNorm2d.Spec.of("c", 0), a.layers().get(2));
    assertEquals(4 + 4, a.paramCount());
    assertEquals(5 + 4, a.bufferCount());
    String json = ModelFile.JSON.writeValueAsString(a);
    assertTrue(
        json.contains("\"momentum\":null")
            && json.contains("\"affine\":false")
            && json.contains("\"track_running_stats\":false"),
        json);
    String plain = ModelFile.JSON.writeValueAsString(a.layers().get(2));
    assertFalse(
        plain.contains("affine") || plain.contains("track_running_stats"),
        "the defaults are left out, so older models' files keep their bytes: " + plain);
    Architecture back = ModelFile.JSON.readValue(json, Architecture.class);
    assertEquals(a.layers(), back.layers());
    assertEquals(a.bufferCount(), back.bufferCount());
    @SuppressWarnings("unchecked")
    Map<String, Object> doc =
        ModelFile.JSON.readValue(
            """
        {"layers": [{"batch_norm2d": {"momentum": null, "track_running_stats": false}}]}""",
            Map.class);
    BatchNorm2d.Spec parsed =
        (BatchNorm2d.Spec)
            org.sparkcnn.engine.ModelDefinition.parse(doc, Shape.of(2, 3, 3), 2).layers().get(0);
    assertEquals(
        List.of(true, false), List.of(parsed.momentum().isNaN(), parsed.trackRunningStats()));
  }

  @Test
  void rejectsMomentumOutsideZeroToOne() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new BatchNorm1d.Spec("bn7", 3, null, 1.5));
    assertEquals(
        "batch_norm1d 'bn7': features must be non-negative, eps positive and momentum"
            + " in [0, 1] or null for the cumulative average (features=3, eps=1.0E-5,"
            + " momentum=1.5)",
        e.getMessage());
  }
}

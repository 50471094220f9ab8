/*
 * Softmax cross-entropy against PyTorch (../shared/golden/cross_entropy_*.json: class ids with and
 * without label smoothing, and soft targets) and against finite differences. The engine returns
 * the SUM of the losses and unscaled per-sample gradients; PyTorch's golden values are the mean,
 * so ours are divided by n before comparing.
 */
package org.sparkcnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SoftmaxCrossEntropyTest {
  static List<String> goldenCases() {
    return Golden.cases("cross_entropy_*.json");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenCases")
  void matchesPyTorch(String file) {
    JsonNode c = Golden.read(file);
    assertEquals("mean", c.get("reduction").asText());
    int[] shape = Golden.shape(c.get("logits"));
    int n = shape[0];
    int k = shape[1];
    float[] logits = Golden.floats(c.get("logits"));
    float[] dLogits = new float[n * k];
    SoftmaxCrossEntropy.Result r =
        c.has("soft_target")
            ? SoftmaxCrossEntropy.softLossAndGrad(
                logits, Golden.floats(c.get("soft_target")), n, k, dLogits)
            : SoftmaxCrossEntropy.lossAndGrad(
                logits,
                Golden.intArray(c.get("target")),
                n,
                k,
                c.path("label_smoothing").asDouble(0),
                dLogits);
    double loss = c.get("loss").doubleValue();
    assertEquals(loss, r.lossSum() / n, Golden.FORWARD_TOL * Math.max(1, Math.abs(loss)));
    double[] mean = new double[n * k];
    for (int i = 0; i < mean.length; i++) {
      mean[i] = (double) dLogits[i] / n;
    }
    // relative to the gradient's own magnitude (well below 1 here)
    Golden.assertClose(
        file + " grad_logits", Golden.doubles(c.get("grad_logits")), mean, Golden.GRAD_TOL, 0);
  }

  /** A loss sum of the logits that writes its gradient when given an array. */
  interface Loss {
    double apply(float[] z, float[] grad);
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    Rng rng = Rng.of(7, 6);
    int n = 4;
    int k = 6;
    int[] labels = {0, 5, 2, 2};
    float[] soft = new float[n * k]; // mixup of two classes, and one row that sums to 0.5
    soft[0] = 0.7f;
    soft[5] = 0.3f;
    soft[k + 1] = 1f;
    soft[2 * k + 2] = 0.4f;
    soft[2 * k + 3] = 0.6f;
    soft[3 * k] = 0.25f;
    soft[3 * k + 4] = 0.25f;
    checkGradient(
        "class ids",
        n,
        k,
        rng,
        (z, g) -> SoftmaxCrossEntropy.lossAndGrad(z, labels, n, k, g).lossSum());
    checkGradient(
        "label smoothing",
        n,
        k,
        rng,
        (z, g) -> SoftmaxCrossEntropy.lossAndGrad(z, labels, n, k, 0.2, g).lossSum());
    checkGradient(
        "soft targets",
        n,
        k,
        rng,
        (z, g) -> SoftmaxCrossEntropy.softLossAndGrad(z, soft, n, k, g).lossSum());
  }

  private static void checkGradient(String what, int n, int k, Rng rng, Loss loss) {
    float[] z = new float[n * k];
    for (int i = 0; i < z.length; i++) {
      z[i] = rng.uniform(-3f, 3f);
    }
    float[] grad = new float[n * k];
    loss.apply(z, grad);
    double[] num = new double[n * k];
    for (int i = 0; i < z.length; i++) {
      float keep = z[i];
      float plus = keep + 1e-3f;
      float minus = keep - 1e-3f;
      z[i] = plus;
      double lp = loss.apply(z, null);
      z[i] = minus;
      double lm = loss.apply(z, null);
      z[i] = keep;
      num[i] = (lp - lm) / ((double) plus - minus);
    }
    Golden.assertClose(what + " dLogits", num, grad, 1e-5);
  }

  @Test
  void labelSmoothingIsPyTorchsFormula() {
    // loss = (1 - eps) (-log p_t) + eps / k * sum_j (-log p_j)
    float[] z = {2f, -1f, 0.5f};
    double logSum = Math.log(Math.exp(2) + Math.exp(-1) + Math.exp(0.5));
    double eps = 0.3;
    double expected =
        (1 - eps) * (logSum - 0.5) + eps / 3 * ((logSum - 2) + (logSum + 1) + (logSum - 0.5));
    float[] grad = new float[3];
    double loss = SoftmaxCrossEntropy.lossAndGrad(z, new int[] {2}, 1, 3, eps, grad).lossSum();
    assertEquals(expected, loss, 1e-6);
    assertEquals(Math.exp(2 - logSum) - eps / 3, grad[0], 1e-6);
    assertEquals(Math.exp(0.5 - logSum) - eps / 3 - (1 - eps), grad[2], 1e-6);
    // soft targets equal to the smoothed one-hot give the same loss
    float[] q = {(float) (eps / 3), (float) (eps / 3), (float) (1 - eps + eps / 3)};
    assertEquals(loss, SoftmaxCrossEntropy.softLossAndGrad(z, q, 1, 3, null).lossSum(), 1e-6);
    assertThrows(
        IllegalArgumentException.class,
        () -> SoftmaxCrossEntropy.lossAndGrad(z, new int[] {2}, 1, 3, 1.5, null));
  }

  @Test
  void softTargetsCountTheTargetsArgmaxAsCorrect() {
    float[] z = {3f, 1f, 0f, 0f, 1f, 3f};
    float[] q = {0.6f, 0.4f, 0f, 0.6f, 0.4f, 0f}; // second sample predicts class 2, target 0
    assertEquals(1, SoftmaxCrossEntropy.softLossAndGrad(z, q, 2, 3, null).correct());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            SoftmaxCrossEntropy.softLossAndGrad(
                z, new float[] {1f, -0.5f, 0.5f, 1f, 0f, 0f}, 2, 3, null));
  }

  @Test
  void countsCorrectPredictionsAndIsStableForLargeLogits() {
    float[] z = {1000f, 0f, -1000f, 0f, 5f, 1f}; // two samples, three classes
    float[] grad = new float[6];
    SoftmaxCrossEntropy.Result r = SoftmaxCrossEntropy.lossAndGrad(z, new int[] {0, 2}, 2, 3, grad);
    assertEquals(1, r.correct());
    double second = Math.log(1 + Math.exp(5) + Math.exp(1)) - 1; // loss of sample 2, target 2
    assertEquals(second, r.lossSum(), 1e-5);
    for (float g : grad) {
      assertTrue(Float.isFinite(g));
    }
  }

  @Test
  void rejectsLabelsOutsideTheClasses() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                SoftmaxCrossEntropy.lossAndGrad(new float[] {0, 0, 0}, new int[] {3}, 1, 3, null));
    assertTrue(e.getMessage().contains("label 3"), e.getMessage());
  }
}

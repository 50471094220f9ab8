/*
 * Softmax cross-entropy against PyTorch (../shared/golden/cross_entropy_*.json, class-id targets
 * without label smoothing; the others are skipped) and against finite differences. The engine
 * returns the SUM of the losses and unscaled per-sample gradients; PyTorch's golden values are
 * the mean, so ours are divided by n before comparing.
 */
package org.sparkcnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
    assumeTrue(c.has("target"), file + ": soft targets are not implemented");
    assumeTrue(c.path("label_smoothing").asDouble(0) == 0,
        file + ": label smoothing is not implemented");
    assertEquals("mean", c.get("reduction").asText());
    int[] shape = Golden.shape(c.get("logits"));
    int n = shape[0];
    int k = shape[1];
    float[] dLogits = new float[n * k];
    SoftmaxCrossEntropy.Result r = SoftmaxCrossEntropy.lossAndGrad(
        Golden.floats(c.get("logits")), Golden.intArray(c.get("target")), n, k, dLogits);
    double loss = c.get("loss").doubleValue();
    assertEquals(loss, r.lossSum() / n, Golden.FORWARD_TOL * Math.max(1, Math.abs(loss)));
    double[] mean = new double[n * k];
    for (int i = 0; i < mean.length; i++) {
      mean[i] = (double) dLogits[i] / n;
    }
    // relative to the gradient's own magnitude (well below 1 here)
    Golden.assertClose(file + " grad_logits", Golden.doubles(c.get("grad_logits")), mean,
        Golden.GRAD_TOL, 0);
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    Rng rng = Rng.of(7, 6);
    int n = 4;
    int k = 6;
    float[] z = new float[n * k];
    for (int i = 0; i < z.length; i++) {
      z[i] = rng.uniform(-3f, 3f);
    }
    int[] labels = {0, 5, 2, 2};
    float[] grad = new float[n * k];
    SoftmaxCrossEntropy.lossAndGrad(z, labels, n, k, grad);
    double[] num = new double[n * k];
    for (int i = 0; i < z.length; i++) {
      float keep = z[i];
      float plus = keep + 1e-3f;
      float minus = keep - 1e-3f;
      z[i] = plus;
      double lp = SoftmaxCrossEntropy.lossAndGrad(z, labels, n, k, null).lossSum();
      z[i] = minus;
      double lm = SoftmaxCrossEntropy.lossAndGrad(z, labels, n, k, null).lossSum();
      z[i] = keep;
      num[i] = (lp - lm) / ((double) plus - minus);
    }
    Golden.assertClose("dLogits", num, grad, 1e-5);
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
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SoftmaxCrossEntropy.lossAndGrad(new float[] {0, 0, 0}, new int[] {3}, 1, 3, null));
    assertTrue(e.getMessage().contains("label 3"), e.getMessage());
  }
}

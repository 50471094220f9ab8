/*
 * MeanSquaredError: the batch sum divided by n is PyTorch's MSELoss(reduction="mean") (checked by
 * hand), and the unscaled per-sample gradient matches finite differences.
 */
package org.sparkcnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MeanSquaredErrorTest {
  @Test
  void theSumOverNIsPyTorchsMean() {
    float[] y = {1f, 2f, 3f, 0f, -1f, 4f}; // two samples, three outputs
    float[] t = {1f, 0f, 0f, 1f, 1f, 1f};
    float[] grad = new float[6];
    double sum = MeanSquaredError.lossAndGrad(y, t, 2, 3, grad);
    // torch.nn.MSELoss()(y, t): (0 + 4 + 9 + 1 + 4 + 9) / 6
    assertEquals(27.0 / 6, sum / 2, 1e-12);
    // d(sum)/dy = 2 (y - t) / k
    assertArrayEquals(new float[] {0f, 4f / 3, 2f, -2f / 3, -4f / 3, 2f}, grad, 1e-6f);
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    Rng rng = Rng.of(7, 20);
    int n = 3;
    int k = 5;
    float[] y = new float[n * k];
    float[] t = new float[n * k];
    for (int i = 0; i < y.length; i++) {
      y[i] = rng.uniform(-2f, 2f);
      t[i] = rng.uniform(-2f, 2f);
    }
    float[] grad = new float[n * k];
    MeanSquaredError.lossAndGrad(y, t, n, k, grad);
    double[] num = new double[n * k];
    for (int i = 0; i < y.length; i++) {
      float keep = y[i];
      float plus = keep + 1e-3f;
      float minus = keep - 1e-3f;
      y[i] = plus;
      double lp = MeanSquaredError.lossAndGrad(y, t, n, k, null);
      y[i] = minus;
      double lm = MeanSquaredError.lossAndGrad(y, t, n, k, null);
      y[i] = keep;
      num[i] = (lp - lm) / ((double) plus - minus);
    }
    Golden.assertClose("dOutputs", num, grad, 1e-5);
  }
}

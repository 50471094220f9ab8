/*
 * Mean squared error for regression outputs: one sample's loss is the mean over its k outputs,
 * sum_j (y_j - t_j)^2 / k, so that the batch SUM returned here divided by the batch size is
 * PyTorch's MSELoss(reduction="mean") over [n, k]. Per-sample gradient, unscaled by the batch:
 * dloss/dy_j = 2 (y_j - t_j) / k. As SoftmaxCrossEntropy, the caller divides by the global batch
 * once (DESIGN.md contract 2).
 */
package org.sparkcnn.engine;

public final class MeanSquaredError {
  private MeanSquaredError() {}

  /**
   * outputs and targets: [n, k]; returns the sum over the batch of the per-sample losses and fills
   * dOutputs [n, k] with d(that sum)/d(outputs) if not null.
   */
  public static double lossAndGrad(
      float[] outputs, float[] targets, int n, int k, float[] dOutputs) {
    double loss = 0;
    for (int i = 0; i < n * k; i++) {
      double d = (double) outputs[i] - targets[i];
      loss += d * d;
      if (dOutputs != null) {
        dOutputs[i] = (float) (2 * d / k);
      }
    }
    return loss / k;
  }
}

/*
 * Softmax cross-entropy on logits, with class-id targets. For one sample with logits z and target
 * t: loss = logsumexp(z) - z_t, dloss/dz = softmax(z) - onehot(t). lossAndGrad returns the SUM over
 * the batch and writes the per-sample gradients unscaled, so that partitions can add their sums and
 * the driver divides once by the global batch (DESIGN.md contract 2).
 */
package org.sparkcnn.engine;

public final class SoftmaxCrossEntropy {
  private SoftmaxCrossEntropy() {}

  /** Loss sum and correct count of a batch. */
  public record Result(double lossSum, int correct) {}

  /**
   * logits: [n, k], labels: [n]; fills dLogits [n, k] with d(sum of losses)/d(logits) if not null.
   */
  public static Result lossAndGrad(float[] logits, int[] labels, int n, int k, float[] dLogits) {
    double loss = 0;
    int correct = 0;
    for (int i = 0; i < n; i++) {
      int off = i * k;
      int t = labels[i];
      if (t < 0 || t >= k) {
        throw new IllegalArgumentException("label " + t + " of sample " + i + " is outside 0.." + (k - 1));
      }
      float max = Float.NEGATIVE_INFINITY;
      int argmax = 0;
      for (int j = 0; j < k; j++) {
        if (logits[off + j] > max) {
          max = logits[off + j];
          argmax = j;
        }
      }
      double sum = 0;
      for (int j = 0; j < k; j++) {
        sum += Math.exp(logits[off + j] - max);
      }
      double logSum = Math.log(sum) + max;
      loss += logSum - logits[off + t];
      if (argmax == t) {
        correct++;
      }
      if (dLogits != null) {
        for (int j = 0; j < k; j++) {
          dLogits[off + j] = (float) Math.exp(logits[off + j] - logSum) - (j == t ? 1f : 0f);
        }
      }
    }
    return new Result(loss, correct);
  }
}

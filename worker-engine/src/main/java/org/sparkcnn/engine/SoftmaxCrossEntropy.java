/*
 * Softmax cross-entropy on logits, against a target distribution q over the k classes:
 * loss = -sum_j q_j log softmax(z)_j = sum(q) logsumexp(z) - sum_j q_j z_j, and
 * dloss/dz = sum(q) softmax(z) - q (= softmax(z) - q when q sums to one). The targets are class ids
 * (q one-hot), class ids with label smoothing eps (Szegedy et al. 2016, section 7, in PyTorch's
 * form: q = (1 - eps) onehot(t) + eps / k), or probabilities given per sample (soft targets, as
 * mixup makes). Every lossAndGrad returns the SUM over the batch and writes the per-sample
 * gradients unscaled, so that partitions can add their sums and the driver divides once by the
 * global batch (DESIGN.md contract 2).
 */
package org.sparkcnn.engine;

import java.util.Arrays;

public final class SoftmaxCrossEntropy {
  private SoftmaxCrossEntropy() {}

  /** Loss sum and correct count of a batch. */
  public record Result(double lossSum, int correct) {}

  /**
   * logits: [n, k], labels: [n]; fills dLogits [n, k] with d(sum of losses)/d(logits) if not null.
   */
  public static Result lossAndGrad(float[] logits, int[] labels, int n, int k, float[] dLogits) {
    return lossAndGrad(logits, labels, n, k, 0.0, dLogits);
  }

  /** As above with label smoothing eps in [0, 1]: the target is (1 - eps) onehot + eps / k. */
  public static Result lossAndGrad(
      float[] logits, int[] labels, int n, int k, double labelSmoothing, float[] dLogits) {
    if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
      throw new IllegalArgumentException(
          "label smoothing must be in [0, 1], got " + labelSmoothing);
    }
    double[] q = new double[k];
    double loss = 0;
    int correct = 0;
    for (int i = 0; i < n; i++) {
      int t = labels[i];
      if (t < 0 || t >= k) {
        throw new IllegalArgumentException(
            "label " + t + " of sample " + i + " is outside 0.." + (k - 1));
      }
      Arrays.fill(q, labelSmoothing / k);
      q[t] += 1 - labelSmoothing;
      loss += sample(logits, i * k, k, q, dLogits);
      if (argmax(logits, i * k, k) == t) {
        correct++;
      }
    }
    return new Result(loss, correct);
  }

  /**
   * Soft targets: logits and targets [n, k], each target row a distribution over the classes (as
   * mixup or distillation make). A prediction counts as correct where its argmax is the target's.
   */
  public static Result softLossAndGrad(
      float[] logits, float[] targets, int n, int k, float[] dLogits) {
    double[] q = new double[k];
    double loss = 0;
    int correct = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < k; j++) {
        q[j] = targets[i * k + j];
        if (!(q[j] >= 0)) {
          throw new IllegalArgumentException(
              "target " + q[j] + " of sample " + i + ", class " + j + " is not a probability");
        }
      }
      loss += sample(logits, i * k, k, q, dLogits);
      if (argmax(logits, i * k, k) == argmax(targets, i * k, k)) {
        correct++;
      }
    }
    return new Result(loss, correct);
  }

  /** One sample's loss against q [k]; writes its gradient at dLogits[off..] if not null. */
  private static double sample(float[] logits, int off, int k, double[] q, float[] dLogits) {
    double max = logits[off + argmax(logits, off, k)];
    double sum = 0;
    for (int j = 0; j < k; j++) {
      sum += Math.exp(logits[off + j] - max); // in double: a float difference would round
    }
    double logSum = Math.log(sum) + max;
    double mass = 0;
    double loss = 0;
    for (int j = 0; j < k; j++) {
      mass += q[j];
      loss += q[j] * (logSum - logits[off + j]);
    }
    if (dLogits != null) {
      for (int j = 0; j < k; j++) {
        dLogits[off + j] = (float) (mass * Math.exp(logits[off + j] - logSum) - q[j]);
      }
    }
    return loss;
  }

  /** Index of the first largest of a[off .. off + k). */
  private static int argmax(float[] a, int off, int k) {
    int best = 0;
    for (int j = 1; j < k; j++) {
      if (a[off + j] > a[off + best]) {
        best = j;
      }
    }
    return best;
  }
}

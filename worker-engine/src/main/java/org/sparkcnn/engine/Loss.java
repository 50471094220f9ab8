/*
 * The training loss of a classifier, chosen by config: softmax cross-entropy, optionally with label
 * smoothing (Szegedy et al. 2016: the target is (1 - eps) onehot + eps / k), or mean squared error
 * of the outputs against one-hot targets. Like its two implementations it returns the SUM over the
 * batch and unscaled per-sample gradients. Serializable: executors receive it with each step.
 */
package org.sparkcnn.engine;

import java.io.Serializable;
import java.util.List;

public record Loss(String kind, double labelSmoothing) implements Serializable {
  public static final List<String> KINDS = List.of("cross_entropy", "mse");
  public static final Loss CROSS_ENTROPY = new Loss("cross_entropy", 0);

  public Loss {
    if (!KINDS.contains(kind)) {
      throw new IllegalArgumentException("unknown loss '" + kind + "': expected one of " + KINDS);
    }
    if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
      throw new IllegalArgumentException(
          "label smoothing must be in [0, 1), got " + labelSmoothing);
    }
    if (kind.equals("mse") && labelSmoothing != 0) {
      throw new IllegalArgumentException("label smoothing applies to cross_entropy, not mse");
    }
  }

  /**
   * outputs: [n, k], labels: [n]; fills dOutputs [n, k] if not null. targets is scratch of at least
   * n * k floats (used by mse). Returns the loss sum and the correct predictions.
   */
  public SoftmaxCrossEntropy.Result apply(
      float[] outputs, int[] labels, int n, int k, float[] dOutputs, float[] targets) {
    if (kind.equals("cross_entropy")) {
      return SoftmaxCrossEntropy.lossAndGrad(outputs, labels, n, k, labelSmoothing, dOutputs);
    }
    int correct = 0;
    for (int i = 0; i < n; i++) {
      if (labels[i] < 0 || labels[i] >= k) {
        throw new IllegalArgumentException(
            "label " + labels[i] + " of sample " + i + " is outside 0.." + (k - 1));
      }
      int best = 0;
      for (int j = 0; j < k; j++) {
        targets[i * k + j] = j == labels[i] ? 1f : 0f;
        best = outputs[i * k + j] > outputs[i * k + best] ? j : best;
      }
      correct += best == labels[i] ? 1 : 0;
    }
    return new SoftmaxCrossEntropy.Result(
        MeanSquaredError.lossAndGrad(outputs, targets, n, k, dOutputs), correct);
  }

  /**
   * Soft targets (mixup, cutmix): outputs and targets [n, k], each target row a distribution over
   * the classes; fills dOutputs [n, k] if not null. Cross-entropy smooths each row as the hard
   * labels are smoothed, (1 - eps) q + eps / k, in place in targets; mse compares the outputs with
   * the rows. A prediction is correct where its argmax is the target's.
   */
  public SoftmaxCrossEntropy.Result applySoft(
      float[] outputs, float[] targets, int n, int k, float[] dOutputs) {
    if (kind.equals("cross_entropy")) {
      if (labelSmoothing > 0) {
        for (int i = 0; i < n * k; i++) {
          targets[i] = (float) ((1 - labelSmoothing) * targets[i] + labelSmoothing / k);
        }
      }
      return SoftmaxCrossEntropy.softLossAndGrad(outputs, targets, n, k, dOutputs);
    }
    int correct = 0;
    for (int i = 0; i < n; i++) {
      int best = 0;
      int want = 0;
      for (int j = 1; j < k; j++) {
        best = outputs[i * k + j] > outputs[i * k + best] ? j : best;
        want = targets[i * k + j] > targets[i * k + want] ? j : want;
      }
      correct += best == want ? 1 : 0;
    }
    return new SoftmaxCrossEntropy.Result(
        MeanSquaredError.lossAndGrad(outputs, targets, n, k, dOutputs), correct);
  }
}

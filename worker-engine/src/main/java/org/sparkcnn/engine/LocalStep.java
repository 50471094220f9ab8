/*
 * One local minibatch on one model replica: forward, softmax cross-entropy, backward. The gradient
 * left in the model's gradient vector is that of the SUM of the samples' losses (not the mean), so
 * that the sums of several partitions add up to the sum over their union; the driver divides by the
 * global batch size once.
 */
package org.sparkcnn.engine;

public final class LocalStep {
  private float[] dLogits; // [n, classes]

  /** Result of a minibatch: summed loss, correct predictions, samples. */
  public record Stats(double lossSum, long correct, long count) {}

  /** x: [n, input], labels: [n]. Zeroes the model's gradients first, then adds this batch's. */
  public Stats gradient(Model model, float[] x, int[] labels, int n) {
    return gradient(model, x, labels, n, 0L);
  }

  /** As gradient, with the step's random seed (dropout masks). */
  public Stats gradient(Model model, float[] x, int[] labels, int n, long stepSeed) {
    int k = model.architecture().output().size();
    if (dLogits == null || dLogits.length < n * k) {
      dLogits = new float[n * k];
    }
    model.zeroGrad();
    float[] logits = model.forward(x, n, true, stepSeed);
    SoftmaxCrossEntropy.Result r = SoftmaxCrossEntropy.lossAndGrad(logits, labels, n, k, dLogits);
    model.backward(dLogits, n);
    return new Stats(r.lossSum(), r.correct(), n);
  }

  /** Forward only, in inference mode: summed loss and correct count. */
  public static Stats evaluate(Model model, float[] x, int[] labels, int n) {
    int k = model.architecture().output().size();
    float[] logits = model.forward(x, n, false);
    SoftmaxCrossEntropy.Result r = SoftmaxCrossEntropy.lossAndGrad(logits, labels, n, k, null);
    return new Stats(r.lossSum(), r.correct(), n);
  }
}

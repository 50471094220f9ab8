/*
 * One local minibatch on one model replica: forward, the loss (softmax cross-entropy unless told
 * otherwise), backward. The gradient
 * left in the model's gradient vector is that of the SUM of the samples' losses (not the mean), so
 * that the sums of several partitions add up to the sum over their union; the driver divides by the
 * global batch size once.
 */
package org.sparkcnn.engine;

import java.util.function.IntConsumer;

public final class LocalStep {
  private float[] dLogits; // [n, classes]
  private float[] targets; // [n, classes]: one-hot targets for mse
  private IntConsumer gradsReady; // hears backward's progress (Model.backward), or null
  private IntConsumer paramsNeeded; // hears forward's progress (Model.forward), or null

  /** Result of a minibatch: summed loss, correct predictions, samples. */
  public record Stats(double lossSum, long correct, long count) {}

  /**
   * Has the backward passes of this step object tell ready (null: nobody) from which parameter on
   * the gradient is final, layer by layer: a data-parallel step sends those parts early.
   */
  public void onGradientsReady(IntConsumer ready) {
    this.gradsReady = ready;
  }

  /**
   * Has the training forward passes of this step object tell needed (null: nobody), before each
   * layer, up to which parameter the weights must be in place: a data-parallel step receives the
   * other replicas' updated weights while the first layers compute.
   */
  public void onParamsNeeded(IntConsumer needed) {
    this.paramsNeeded = needed;
  }

  /** x: [n, input], labels: [n]. Zeroes the model's gradients first, then adds this batch's. */
  public Stats gradient(Model model, float[] x, int[] labels, int n) {
    return gradient(model, x, labels, n, 0L);
  }

  /** As gradient, with the step's random seed (dropout masks). */
  public Stats gradient(Model model, float[] x, int[] labels, int n, long stepSeed) {
    return gradient(model, x, labels, n, stepSeed, Loss.CROSS_ENTROPY);
  }

  /** As gradient, with the step's random seed and a chosen loss. */
  public Stats gradient(Model model, float[] x, int[] labels, int n, long stepSeed, Loss loss) {
    int k = model.architecture().output().size();
    if (dLogits == null || dLogits.length < n * k) {
      dLogits = new float[n * k];
      targets = new float[n * k];
    }
    model.zeroGrad();
    float[] logits = model.forward(x, n, true, stepSeed, paramsNeeded);
    SoftmaxCrossEntropy.Result r = loss.apply(logits, labels, n, k, dLogits, targets);
    model.backward(dLogits, n, gradsReady);
    return new Stats(r.lossSum(), r.correct(), n);
  }

  /**
   * As gradient, against soft targets [n, classes] (mixup, cutmix): each row a distribution over
   * the classes. The loss may rewrite targets (label smoothing).
   */
  public Stats gradient(Model model, float[] x, float[] targets, int n, long stepSeed, Loss loss) {
    int k = model.architecture().output().size();
    if (dLogits == null || dLogits.length < n * k) {
      dLogits = new float[n * k];
      this.targets = new float[n * k];
    }
    model.zeroGrad();
    float[] logits = model.forward(x, n, true, stepSeed, paramsNeeded);
    SoftmaxCrossEntropy.Result r = loss.applySoft(logits, targets, n, k, dLogits);
    model.backward(dLogits, n, gradsReady);
    return new Stats(r.lossSum(), r.correct(), n);
  }

  /** Forward only, in inference mode: summed cross-entropy and correct count. */
  public static Stats evaluate(Model model, float[] x, int[] labels, int n) {
    return evaluate(model, x, labels, n, Loss.CROSS_ENTROPY);
  }

  /** Forward only, in inference mode: summed loss and correct count. */
  public static Stats evaluate(Model model, float[] x, int[] labels, int n, Loss loss) {
    int k = model.architecture().output().size();
    float[] logits = model.forward(x, n, false);
    SoftmaxCrossEntropy.Result r = loss.apply(logits, labels, n, k, null, new float[n * k]);
    return new Stats(r.lossSum(), r.correct(), n);
  }
}

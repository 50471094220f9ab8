/*
 * The runtime of one layer, bound to views of the model's flat vectors. Three verbs, side by side
 * in every subclass: forward computes the output of a batch and keeps what backward needs;
 * backward takes the gradient of the loss with respect to the output, adds (never assigns) this
 * layer's parameter gradients into the gradient vector, and returns the gradient with respect to the
 * input. Output and input-gradient arrays belong to the layer and are reused while the batch size
 * allows; they may be longer than n * size, so callers always pass n.
 */
package org.sparkcnn.engine.layers;

import java.util.List;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

public abstract class Layer {
  protected final Shape in;
  protected final Shape out;
  protected final Vectors v;
  protected final int pOff;
  protected final int bOff;

  /** Where the input gradient goes when it is shared with other layers, else null. */
  SharedGrads.Pair shared;

  /** False for the first layer: nobody needs the gradient of the input images. */
  protected boolean needInputGrad = true;

  protected Layer(Shape in, Shape out, Vectors v, int pOff, int bOff) {
    this.in = in;
    this.out = out;
    this.v = v;
    this.pOff = pOff;
    this.bOff = bOff;
  }

  /**
   * Called by the model before each forward pass with that step's random seed, derived from (job
   * seed, epoch, step, partition); a layer that draws random numbers (dropout) keys its generator
   * by it and its own index, so a retried task draws the same masks. Default: nothing.
   */
  public void beginStep(long stepSeed, int layerIndex) {}

  /** x: [n, in], returns y: [n, out]. */
  public abstract float[] forward(float[] x, int n, boolean training);

  /**
   * dy: [n, out]; adds into the parameter gradients; returns dx: [n, in] (or null if not needed).
   */
  public abstract float[] backward(float[] dy, int n);

  /**
   * Floats this layer keeps for a training step of n samples (forward, then backward): the arrays
   * it owns whose length follows the batch, an int (a max index) counting as one float, with its
   * input gradient unless that lives in arrays shared with other layers (SharedGrads, counted
   * there). Its input is the previous layer's output and is counted there.
   */
  public long heldFloats(int n) {
    return keptFloats(n) + (shared == null ? inputGradFloats(n) : 0);
  }

  /**
   * Adds to out the way each convolution within this layer runs its products (Convolution.path), in
   * order: none for a layer that is no convolution and holds none.
   */
  public void convolutionPaths(List<String> out) {}

  /**
   * Floats kept for n samples besides the input gradient: default the output; a layer that keeps
   * more (indices, masks) or less (a view) says so.
   */
  protected long keptFloats(int n) {
    return (long) n * out.size();
  }

  /** Floats this layer keeps for a forward pass in inference mode of n samples (evaluation). */
  public long forwardFloats(int n) {
    return keptFloats(n);
  }

  /** Floats of the input gradient backward writes for n samples; 0 where it writes none. */
  protected long inputGradFloats(int n) {
    return (long) n * in.size();
  }

  /**
   * Lets backward write the input gradient into the pair of shared arrays at key (the chain's;
   * Sequence.shareInputGrads) instead of an array of its own.
   */
  void shareInputGrads(SharedGrads grads, long key) {
    long perSample = inputGradFloats(1);
    shared = perSample > 0 ? grads.at(key, perSample) : null;
  }

  /**
   * The array for the input gradient of n samples: this layer's own (grown from own when the batch
   * grows), or the shared one it is not reading from (busy: dy, usually).
   */
  protected float[] inputGrad(float[] own, int n, float[] busy) {
    return gradient(own, n * in.size(), n, busy);
  }

  /** As inputGrad, for a gradient of size floats (at most the pair's for n samples when shared). */
  protected float[] gradient(float[] own, int size, int n, float[] busy) {
    return shared == null ? ensure(own, size) : shared.take(n, busy);
  }

  public Shape inputShape() {
    return in;
  }

  public Shape outputShape() {
    return out;
  }

  public void setNeedInputGrad(boolean need) {
    this.needInputGrad = need;
  }

  /**
   * Asks this layer to take over the ReLU that follows it: if it returns true, forward returns
   * max(0, y) and backward takes the gradient of that, and the ReLU is bound as a pass-through
   * (Sequence.bind). It saves the ReLU's two passes over memory. Default: false.
   */
  boolean fuseReLU() {
    return false;
  }

  /** A reusable array of at least size floats: reallocated only when the batch grows. */
  protected static float[] ensure(float[] buf, int size) {
    return buf != null && buf.length >= size ? buf : new float[size];
  }

  protected static int[] ensure(int[] buf, int size) {
    return buf != null && buf.length >= size ? buf : new int[size];
  }
}

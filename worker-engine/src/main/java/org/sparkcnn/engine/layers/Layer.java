/*
 * The runtime of one layer, bound to views of the model's flat vectors. Three verbs, side by side
 * in every subclass: forward computes the output of a batch and keeps what backward needs;
 * backward takes the gradient of the loss with respect to the output, adds (never assigns) this
 * layer's parameter gradients into the gradient vector, and returns the gradient with respect to the
 * input. Output and input-gradient arrays belong to the layer and are reused while the batch size
 * allows; they may be longer than n * size, so callers always pass n.
 */
package org.sparkcnn.engine.layers;

import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

public abstract class Layer {
  protected final Shape in;
  protected final Shape out;
  protected final Vectors v;
  protected final int pOff;
  protected final int bOff;
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
   * Called by the model before each forward pass with that step's random seed, derived from
   * (job seed, epoch, step, partition); a layer that draws random numbers (dropout) keys its
   * generator by it and its own index, so a retried task draws the same masks. Default: nothing.
   */
  public void beginStep(long stepSeed, int layerIndex) {}

  /** x: [n, in], returns y: [n, out]. */
  public abstract float[] forward(float[] x, int n, boolean training);

  /** dy: [n, out]; adds into the parameter gradients; returns dx: [n, in] (or null if not needed). */
  public abstract float[] backward(float[] dy, int n);

  /**
   * Floats this layer keeps for a training step of n samples (forward, then backward): the arrays
   * it owns whose length follows the batch, an int (a max index) counting as one float. Its input
   * is the previous layer's output and is counted there. Default: the output and the input
   * gradient; a layer that keeps more (indices, masks) or skips the input gradient when nobody
   * needs it says so.
   */
  public long heldFloats(int n) {
    return (long) n * (out.size() + in.size());
  }

  /** The input gradient's floats for n samples, 0 when nobody needs it (needInputGrad). */
  protected long inputGradFloats(int n) {
    return needInputGrad ? (long) n * in.size() : 0;
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

/*
 * A network bound for computation: the layers' runtimes over one set of flat vectors. forward runs
 * the layers in order; backward runs them in reverse, each adding into its gradient slice. A Model
 * keeps its activations and scratch buffers between steps, so an executor keeps one replica per
 * concurrent task and only swaps in the weights of each step. Its EngineOptions, fixed when it is
 * built, say how: the layers bind by them, and the passes compute on the pool of their threads.
 */
package org.sparkcnn.engine;

import java.util.Arrays;
import java.util.function.IntConsumer;
import org.sparkcnn.engine.kernels.Parallel;
import org.sparkcnn.engine.layers.Sequence;

public final class Model {
  private final Architecture arch;
  private final Vectors v;
  private final Sequence layers;
  private final EngineOptions options;
  private final Parallel compute;

  /** A model on v computing as EngineOptions.DEFAULT (one thread). */
  public Model(Architecture arch, Vectors v) {
    this(arch, v, EngineOptions.DEFAULT);
  }

  public Model(Architecture arch, Vectors v, EngineOptions options) {
    if (v.params.length != arch.paramCount() || v.buffers.length != arch.bufferCount()) {
      throw new IllegalArgumentException(
          "vectors of "
              + v.params.length
              + " parameters and "
              + v.buffers.length
              + " buffers do not fit a model of "
              + arch.paramCount()
              + " and "
              + arch.bufferCount());
    }
    this.arch = arch;
    this.v = v;
    this.options = options;
    this.compute = Parallel.of(options.threads());
    this.layers = Sequence.bindModel(arch.layers(), arch.input(), v, options);
  }

  /** A model with zero parameters, for an executor replica that receives weights each step. */
  public static Model empty(Architecture arch, EngineOptions options) {
    return new Model(arch, new Vectors(arch.paramCount(), arch.bufferCount()), options);
  }

  public static Model empty(Architecture arch) {
    return empty(arch, EngineOptions.DEFAULT);
  }

  public EngineOptions options() {
    return options;
  }

  public Architecture architecture() {
    return arch;
  }

  public Vectors vectors() {
    return v;
  }

  /** Points the model at new weights (same layout); no copy. */
  public void setParams(float[] params) {
    if (params.length != arch.paramCount()) {
      throw new IllegalArgumentException(
          "expected " + arch.paramCount() + " parameters, got " + params.length);
    }
    v.params = params;
  }

  /** Copies buffer values in (BatchNorm running statistics are updated in place, so no view). */
  public void setBuffers(float[] buffers) {
    if (buffers.length != v.buffers.length) {
      throw new IllegalArgumentException(
          "expected " + v.buffers.length + " buffer values, got " + buffers.length);
    }
    System.arraycopy(buffers, 0, v.buffers, 0, buffers.length);
  }

  public void zeroGrad() {
    Arrays.fill(v.grads, 0f);
  }

  /** Floats the layers keep for a training step of n samples (Layer.heldFloats). */
  public long heldFloats(int n) {
    return layers.heldFloats(n);
  }

  /** The output batch for an input batch (inference mode unless training); a view, not a copy. */
  public Tensor forward(Tensor x, boolean training) {
    if (!x.shape().equals(arch.input())) {
      throw new IllegalArgumentException("model input is " + arch.input() + ", got a tensor " + x);
    }
    return new Tensor(forward(x.data(), x.n(), training), x.n(), arch.output());
  }

  /** x: [n, input], returns the output [n, classes] (owned by the last layer). */
  public float[] forward(float[] x, int n, boolean training) {
    return forward(x, n, training, 0L);
  }

  /** As forward, with the step's random seed for layers that draw random numbers (dropout). */
  public float[] forward(float[] x, int n, boolean training, long stepSeed) {
    return forward(x, n, training, stepSeed, null);
  }

  /**
   * As forward; needed (or null) hears, layer by layer from the first, the parameter index up to
   * which vectors().params must be in place before the layer runs (Sequence.forward).
   */
  public float[] forward(float[] x, int n, boolean training, long stepSeed, IntConsumer needed) {
    Parallel previous = compute.enter();
    try {
      layers.beginStep(stepSeed);
      return layers.forward(x, n, training, needed);
    } finally {
      Parallel.exit(previous);
    }
  }

  /** dOut: [n, classes]; adds the parameter gradients into vectors().grads. */
  public void backward(float[] dOut, int n) {
    backward(dOut, n, null);
  }

  /**
   * As backward; ready (or null) hears, layer by layer from the last, the parameter index from
   * which vectors().grads is final (what a data-parallel step can start sending).
   */
  public void backward(float[] dOut, int n, IntConsumer ready) {
    Parallel previous = compute.enter();
    try {
      layers.backward(dOut, n, ready);
    } finally {
      Parallel.exit(previous);
    }
  }
}

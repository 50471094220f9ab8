/*
 * A chain of layers bound to consecutive slices of the flat vectors: the body of a model, of a
 * residual block or of one branch of a concatenation. The static helpers walk a list of specs for
 * shapes, parameter and buffer counts and multiply-adds; the instance runs forward through the
 * chain and backward through it in reverse.
 */
package org.sparkcnn.engine.layers;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.function.ToLongBiFunction;
import org.sparkcnn.engine.EngineOptions;
import org.sparkcnn.engine.Init;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

public final class Sequence {
  private final List<Layer> layers;
  private final int[] paramFrom; // [layer]: where its parameters begin in the flat vector
  private final int paramEnd; // where the chain's parameters end
  private final Shape in;
  private final Shape out;
  private SharedGrads grads; // a model's chain: the input gradients' arrays of all its layers

  private Sequence(List<Layer> layers, int[] paramFrom, int paramEnd, Shape in, Shape out) {
    this.layers = layers;
    this.paramFrom = paramFrom;
    this.paramEnd = paramEnd;
    this.in = in;
    this.out = out;
  }

  public static Shape outputShape(List<LayerSpec> specs, Shape in) {
    Shape s = in;
    for (LayerSpec l : specs) {
      s = l.outputShape(s);
    }
    return s;
  }

  public static int paramCount(List<LayerSpec> specs, Shape in) {
    return Math.toIntExact(sum(specs, in, LayerSpec::paramCount));
  }

  public static int bufferCount(List<LayerSpec> specs, Shape in) {
    return Math.toIntExact(sum(specs, in, LayerSpec::bufferCount));
  }

  public static long macs(List<LayerSpec> specs, Shape in) {
    return sum(specs, in, LayerSpec::macs);
  }

  /** The sum of f(spec, its input shape) along the chain. */
  private static long sum(List<LayerSpec> specs, Shape in, ToLongBiFunction<LayerSpec, Shape> f) {
    long total = 0;
    Shape s = in;
    for (LayerSpec l : specs) {
      total += f.applyAsLong(l, s);
      s = l.outputShape(s);
    }
    return total;
  }

  /** Initialises the chain's parameters, p[pOff] on. */
  public static void initParams(
      List<LayerSpec> specs, Shape in, float[] p, int pOff, Init scheme, Rng rng) {
    Shape s = in;
    for (int i = 0; i < specs.size(); i++) {
      LayerSpec l = specs.get(i);
      l.init(p, pOff, s, scheme, Rng.of(rng.nextLong(), i));
      pOff += l.paramCount(s);
      s = l.outputShape(s);
    }
  }

  /** Sets the chain's buffers to their starting values, b[bOff] on. */
  public static void initBuffers(List<LayerSpec> specs, Shape in, float[] b, int bOff) {
    Shape s = in;
    for (LayerSpec l : specs) {
      l.initBuffers(b, bOff, s);
      bOff += l.bufferCount(s);
      s = l.outputShape(s);
    }
  }

  /**
   * Binds the chain to v from p[pOff] and b[bOff] on. A ReLU right after a layer that takes it over
   * (Layer.fuseReLU) is bound as a pass-through, unless options.fuseReLU() is off.
   */
  public static Sequence bind(
      List<LayerSpec> specs, Shape in, Vectors v, int pOff, int bOff, EngineOptions options) {
    List<Layer> layers = new ArrayList<>();
    List<Integer> from = new ArrayList<>();
    Shape s = in;
    for (int i = 0; i < specs.size(); i++) {
      LayerSpec l = specs.get(i);
      Layer layer = l.bind(s, v, pOff, bOff, options);
      layers.add(layer);
      from.add(pOff);
      pOff += l.paramCount(s);
      bOff += l.bufferCount(s);
      s = l.outputShape(s);
      if (options.fuseReLU()
          && i + 1 < specs.size()
          && specs.get(i + 1) instanceof ReLU.Spec
          && layer.fuseReLU()) {
        layers.add(ReLU.passThrough(s, v));
        from.add(pOff);
        i++;
      }
    }
    return new Sequence(layers, from.stream().mapToInt(Integer::intValue).toArray(), pOff, in, s);
  }

  public boolean isEmpty() {
    return layers.isEmpty();
  }

  public Shape outputShape() {
    return out;
  }

  public List<Layer> layers() {
    return layers;
  }

  /** Whether the first layer must compute the gradient of the chain's input. */
  public void setNeedInputGrad(boolean need) {
    if (!layers.isEmpty()) {
      layers.get(0).setNeedInputGrad(need);
    }
  }

  public void beginStep(long stepSeed) {
    for (int i = 0; i < layers.size(); i++) {
      layers.get(i).beginStep(stepSeed, i);
    }
  }

  /**
   * The chain of a model: bound as bind does, its first layer computing no input gradient and the
   * input gradients of all its layers in shared arrays (SharedGrads).
   */
  public static Sequence bindModel(
      List<LayerSpec> specs, Shape in, Vectors v, EngineOptions options) {
    Sequence s = bind(specs, in, v, 0, 0, options);
    s.setNeedInputGrad(false);
    s.grads = new SharedGrads();
    s.shareInputGrads(s.grads, SharedGrads.ROOT);
    return s;
  }

  /** Lets the layers write their input gradients into the pairs of grads, at key (SharedGrads). */
  void shareInputGrads(SharedGrads grads, long key) {
    for (Layer l : layers) {
      l.shareInputGrads(grads, key);
    }
  }

  /** The paths of the chain's convolutions, in order (Layer.convolutionPaths). */
  public void convolutionPaths(List<String> out) {
    for (Layer l : layers) {
      l.convolutionPaths(out);
    }
  }

  /** Floats the chain's layers keep for a training step of n samples (Layer.heldFloats). */
  public long heldFloats(int n) {
    long held = grads == null ? 0 : grads.heldFloats(n);
    for (Layer l : layers) {
      held += l.heldFloats(n);
    }
    return held;
  }

  /** Floats the chain's layers keep for a forward pass in inference mode of n samples. */
  public long forwardFloats(int n) {
    long held = 0;
    for (Layer l : layers) {
      held += l.forwardFloats(n);
    }
    return held;
  }

  /** x: [n, in], returns [n, out] (x itself for an empty chain). */
  public float[] forward(float[] x, int n, boolean training) {
    return forward(x, n, training, null);
  }

  /**
   * As forward; before each layer, needed (when not null) hears where the parameters that layer
   * reads end: every parameter before that index must then be in place. A data-parallel step
   * receives the other replicas' updated weights meanwhile, the first layers' first.
   */
  public float[] forward(float[] x, int n, boolean training, IntConsumer needed) {
    float[] a = x;
    for (int i = 0; i < layers.size(); i++) {
      if (needed != null) {
        needed.accept(i + 1 < layers.size() ? paramFrom[i + 1] : paramEnd);
      }
      a = layers.get(i).forward(a, n, training);
    }
    return a;
  }

  /** dy: [n, out]; adds parameter gradients; returns dx: [n, in] (dy for an empty chain). */
  public float[] backward(float[] dy, int n) {
    return backward(dy, n, null);
  }

  /**
   * As backward; after each layer, ready (when not null) hears where the parameters whose gradients
   * are now final begin: every gradient from there to the chain's end is complete.
   */
  public float[] backward(float[] dy, int n, IntConsumer ready) {
    float[] g = dy;
    for (int i = layers.size() - 1; i >= 0; i--) {
      g = layers.get(i).backward(g, n);
      if (ready != null) {
        ready.accept(paramFrom[i]);
      }
    }
    return g;
  }

  Shape inputShape() {
    return in;
  }
}

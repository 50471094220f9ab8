/*
 * A residual block (He et al., "Deep residual learning for image recognition", CVPR 2016):
 * y = body(x) + shortcut(x), where an empty shortcut is the identity. Both chains see the same
 * input and must produce the same shape. The gradient flows into both chains, and the input
 * gradient is the sum of theirs. Parameters: the body's, then the shortcut's. A ReLU right after
 * the block is taken over (fuseReLU): forward writes max(0, body + shortcut) in the same pass as
 * the sum, and backward gates dy where that is 0 before both chains take it.
 */
package org.sparkcnn.engine.layers;

import java.util.List;
import org.sparkcnn.engine.EngineOptions;
import org.sparkcnn.engine.Init;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;
import org.sparkcnn.engine.kernels.Parallel;

public final class Residual extends Layer {
  public record Spec(String name, List<LayerSpec> body, List<LayerSpec> shortcut)
      implements LayerSpec {
    public Spec {
      if (body == null || body.isEmpty()) {
        throw new IllegalArgumentException("residual '" + name + "' needs a non-empty body");
      }
      body = List.copyOf(body);
      shortcut = shortcut == null ? List.of() : List.copyOf(shortcut);
    }

    @Override
    public Shape outputShape(Shape in) {
      Shape b = Sequence.outputShape(body, in);
      Shape s = Sequence.outputShape(shortcut, in);
      if (!b.equals(s)) {
        throw new ShapeMismatch(
            this,
            in,
            "its body gives "
                + b
                + " but its shortcut gives "
                + s
                + (shortcut.isEmpty() ? " (the identity): add a projection shortcut" : ""));
      }
      return b;
    }

    @Override
    public int paramCount(Shape in) {
      return Math.addExact(Sequence.paramCount(body, in), Sequence.paramCount(shortcut, in));
    }

    @Override
    public int bufferCount(Shape in) {
      return Math.addExact(Sequence.bufferCount(body, in), Sequence.bufferCount(shortcut, in));
    }

    @Override
    public long macs(Shape in) {
      return Sequence.macs(body, in) + Sequence.macs(shortcut, in) + outputShape(in).size();
    }

    @Override
    public void init(float[] p, int off, Shape in, Init scheme, Rng rng) {
      Sequence.initParams(body, in, p, off, scheme, rng);
      Sequence.initParams(shortcut, in, p, off + Sequence.paramCount(body, in), scheme, rng);
    }

    @Override
    public void initBuffers(float[] b, int off, Shape in) {
      Sequence.initBuffers(body, in, b, off);
      Sequence.initBuffers(shortcut, in, b, off + Sequence.bufferCount(body, in));
    }

    @Override
    public Layer bind(Shape in, Vectors v, int pOff, int bOff, EngineOptions o) {
      return new Residual(this, in, v, pOff, bOff, o);
    }
  }

  private final Sequence body;
  private final Sequence shortcut;
  private boolean relu; // whether the ReLU after the block is applied here
  private float[] y; // [n, out]
  private float[] gated; // [n, out]: the output's gradient gated by the ReLU taken over
  private float[] dx; // [n, in]

  private Residual(Spec spec, Shape in, Vectors v, int pOff, int bOff, EngineOptions o) {
    super(in, spec.outputShape(in), v, pOff, bOff);
    body = Sequence.bind(spec.body(), in, v, pOff, bOff, o);
    shortcut =
        Sequence.bind(
            spec.shortcut(),
            in,
            v,
            pOff + Sequence.paramCount(spec.body(), in),
            bOff + Sequence.bufferCount(spec.body(), in),
            o);
  }

  @Override
  public void setNeedInputGrad(boolean need) {
    super.setNeedInputGrad(need);
    body.setNeedInputGrad(need);
    shortcut.setNeedInputGrad(need);
  }

  @Override
  public void beginStep(long stepSeed, int layerIndex) {
    long seed = Rng.of(stepSeed, layerIndex).nextLong();
    body.beginStep(seed);
    shortcut.beginStep(~seed);
  }

  @Override
  boolean fuseReLU() {
    relu = true;
    return true;
  }

  @Override
  protected long inputGradFloats(int n) { // gated and dx
    return (relu ? (long) n * out.size() : 0) + (needInputGrad ? (long) n * in.size() : 0);
  }

  @Override
  public long heldFloats(int n) {
    return super.heldFloats(n) + body.heldFloats(n) + shortcut.heldFloats(n);
  }

  @Override
  public void convolutionPaths(List<String> out) {
    body.convolutionPaths(out);
    shortcut.convolutionPaths(out);
  }

  @Override
  public long forwardFloats(int n) {
    return super.forwardFloats(n) + body.forwardFloats(n) + shortcut.forwardFloats(n);
  }

  /** gated and dx share the pair at key (each is written while the other is not read). */
  @Override
  void shareInputGrads(SharedGrads grads, long key) {
    long perSample = Math.max(relu ? out.size() : 0, needInputGrad ? in.size() : 0);
    shared = perSample > 0 ? grads.at(key, perSample) : null;
    body.shareInputGrads(grads, SharedGrads.child(key, 0));
    shortcut.shareInputGrads(grads, SharedGrads.child(key, 1));
  }

  @Override
  public float[] forward(float[] x, int n, boolean training) {
    int len = n * out.size();
    y = ensure(y, len);
    float[] b = body.forward(x, n, training);
    float[] s = shortcut.forward(x, n, training);
    float[] sum = y;
    float floor = relu ? 0f : Float.NEGATIVE_INFINITY;
    int size = out.size();
    Parallel.forEach(
        n,
        smp -> {
          for (int i = smp * size, end = i + size; i < end; i++) {
            sum[i] = Math.max(b[i] + s[i], floor);
          }
        });
    return y;
  }

  @Override
  public float[] backward(float[] dyOut, int n) {
    float[] dy = dyOut;
    if (relu) {
      gated = gradient(gated, n * out.size(), n, dyOut);
      dy = ReLU.gate(y, dyOut, n, out.size(), gated);
    }
    float[] db = body.backward(dy, n);
    if (!needInputGrad) {
      shortcut.backward(dy, n);
      return null;
    }
    dx = inputGrad(dx, n, dy); // not gated, which the shortcut may return as it is
    float[] ds = shortcut.backward(dy, n);
    add(db, ds, dx, n, in.size());
    return dx;
  }

  /** sum[i] = a[i] + b[i] for the n samples of size floats, on the compute threads. */
  private static void add(float[] a, float[] b, float[] sum, int n, int size) {
    Parallel.forEach(
        n,
        s -> {
          for (int i = s * size, end = i + size; i < end; i++) {
            sum[i] = a[i] + b[i];
          }
        });
  }
}

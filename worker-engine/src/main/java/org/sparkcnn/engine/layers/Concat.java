/*
 * Channel concatenation of parallel branches, as in an Inception module (Szegedy et al., "Going
 * deeper with convolutions", CVPR 2015): every branch sees the same [C, H, W] input, and their
 * outputs [C_i, H', W'] (same H', W') are stacked into [sum C_i, H', W']. Backward hands each
 * branch its channels of the gradient and sums the branches' input gradients. Parameters: the
 * branches' in order.
 */
package org.sparkcnn.engine.layers;

import java.util.ArrayList;
import java.util.List;
import org.sparkcnn.engine.EngineOptions;
import org.sparkcnn.engine.Init;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

public final class Concat extends Layer {
  public record Spec(String name, List<List<LayerSpec>> branches) implements LayerSpec {
    public Spec {
      if (branches == null || branches.size() < 2) {
        throw new IllegalArgumentException("concat '" + name + "' needs at least two branches");
      }
      branches = branches.stream().map(List::copyOf).toList();
    }

    @Override
    public Shape outputShape(Shape in) {
      int channels = 0;
      Shape first = null;
      for (List<LayerSpec> b : branches) {
        Shape s = Sequence.outputShape(b, in);
        if (s.rank() != 3) {
          throw new ShapeMismatch(this, in, "a branch gives " + s + ", expected [C, H, W]");
        }
        if (first != null && (s.h() != first.h() || s.w() != first.w())) {
          throw new ShapeMismatch(
              this,
              in,
              "branches give " + first + " and " + s + ", which differ in height or width");
        }
        first = first == null ? s : first;
        channels += s.c();
      }
      return Shape.of(channels, first.h(), first.w());
    }

    @Override
    public int paramCount(Shape in) {
      return Math.toIntExact(branches.stream().mapToLong(b -> Sequence.paramCount(b, in)).sum());
    }

    @Override
    public int bufferCount(Shape in) {
      return Math.toIntExact(branches.stream().mapToLong(b -> Sequence.bufferCount(b, in)).sum());
    }

    @Override
    public long macs(Shape in) {
      return branches.stream().mapToLong(b -> Sequence.macs(b, in)).sum();
    }

    @Override
    public void init(float[] p, int off, Shape in, Init scheme, Rng rng) {
      for (List<LayerSpec> b : branches) {
        Sequence.initParams(b, in, p, off, scheme, rng);
        off += Sequence.paramCount(b, in);
      }
    }

    @Override
    public void initBuffers(float[] buf, int off, Shape in) {
      for (List<LayerSpec> b : branches) {
        Sequence.initBuffers(b, in, buf, off);
        off += Sequence.bufferCount(b, in);
      }
    }

    @Override
    public Layer bind(Shape in, Vectors v, int pOff, int bOff, EngineOptions o) {
      return new Concat(this, in, v, pOff, bOff, o);
    }
  }

  private final List<Sequence> branches = new ArrayList<>();
  private final float[][] dyParts; // per branch: [n, C_i, H', W']
  private float[] y; // [n, sum C_i, H', W']
  private float[] dx; // [n, C, H, W]

  private Concat(Spec spec, Shape in, Vectors v, int pOff, int bOff, EngineOptions o) {
    super(in, spec.outputShape(in), v, pOff, bOff);
    for (List<LayerSpec> b : spec.branches()) {
      branches.add(Sequence.bind(b, in, v, pOff, bOff, o));
      pOff += Sequence.paramCount(b, in);
      bOff += Sequence.bufferCount(b, in);
    }
    dyParts = new float[branches.size()][];
  }

  @Override
  public void setNeedInputGrad(boolean need) {
    super.setNeedInputGrad(need);
    branches.forEach(b -> b.setNeedInputGrad(need));
  }

  @Override
  public void beginStep(long stepSeed, int layerIndex) {
    Rng r = Rng.of(stepSeed, layerIndex);
    branches.forEach(b -> b.beginStep(r.nextLong()));
  }

  @Override
  protected long keptFloats(int n) { // y, dyParts (as long as y)
    return 2L * n * out.size();
  }

  @Override
  protected long inputGradFloats(int n) {
    return needInputGrad ? super.inputGradFloats(n) : 0;
  }

  @Override
  public void convolutionPaths(List<String> out) {
    for (Sequence b : branches) {
      b.convolutionPaths(out);
    }
  }

  @Override
  public long heldFloats(int n) {
    long held = super.heldFloats(n);
    for (Sequence b : branches) {
      held += b.heldFloats(n);
    }
    return held;
  }

  @Override
  public long forwardFloats(int n) { // y and the branches'
    long held = (long) n * out.size();
    for (Sequence b : branches) {
      held += b.forwardFloats(n);
    }
    return held;
  }

  @Override
  void shareInputGrads(SharedGrads grads, long key) {
    super.shareInputGrads(grads, key);
    branches.forEach(b -> b.shareInputGrads(grads, SharedGrads.child(key, 0)));
  }

  @Override
  public float[] forward(float[] x, int n, boolean training) {
    y = ensure(y, n * out.size());
    int channelOffset = 0;
    for (Sequence b : branches) {
      float[] part = b.forward(x, n, training);
      int partSize = b.outputShape().size();
      for (int i = 0; i < n; i++) {
        System.arraycopy(part, i * partSize, y, i * out.size() + channelOffset, partSize);
      }
      channelOffset += partSize;
    }
    return y;
  }

  @Override
  public float[] backward(float[] dy, int n) {
    if (needInputGrad) {
      dx = inputGrad(dx, n, dy);
      java.util.Arrays.fill(dx, 0, n * in.size(), 0f);
    }
    int channelOffset = 0;
    for (int k = 0; k < branches.size(); k++) {
      Sequence b = branches.get(k);
      int partSize = b.outputShape().size();
      dyParts[k] = ensure(dyParts[k], n * partSize);
      for (int i = 0; i < n; i++) {
        System.arraycopy(dy, i * out.size() + channelOffset, dyParts[k], i * partSize, partSize);
      }
      channelOffset += partSize;
      float[] g = b.backward(dyParts[k], n);
      if (needInputGrad) {
        for (int i = 0; i < n * in.size(); i++) {
          dx[i] += g[i];
        }
      }
    }
    return needInputGrad ? dx : null;
  }
}

/*
 * Inverted dropout (Srivastava et al., "Dropout", JMLR 2014; scaled at training time as PyTorch
 * does): in training each value is kept with probability 1 - p and then scaled by 1 / (1 - p), so
 * that inference is the identity. The mask is a pure function of the step's seed and this layer's
 * index: Rng.of(stepSeed, layerIndex), drawn anew at each forward, so a retried Spark task (or a
 * second forward of the same step) drops exactly the same values (DESIGN.md contract 3).
 *   forward:  y = x * dropMask, dropMask in {0, 1 / (1 - p)};  backward: dx = dy * dropMask.
 */
package org.sparkcnn.engine.layers;

import org.sparkcnn.engine.EngineOptions;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

public final class Dropout extends Layer {
  /** p, the probability of dropping a value, defaults to 0.5 as in PyTorch. */
  public record Spec(String name, Double p) implements LayerSpec {
    public Spec {
      p = p == null ? 0.5 : p;
      if (!(p >= 0 && p <= 1)) {
        throw new IllegalArgumentException(
            "dropout '" + name + "': p must be a probability in [0, 1], got " + p);
      }
    }

    @Override
    public Shape outputShape(Shape in) {
      return in;
    }

    @Override
    public Layer bind(Shape in, Vectors v, int pOff, int bOff, EngineOptions o) {
      return new Dropout(in, v, p);
    }
  }

  private final double p;
  private final float scale; // 1 / (1 - p), 0 when p = 1
  private long stepSeed;
  private int layerIndex;
  private boolean dropped; // whether the last forward applied a mask
  private float[] dropMask; // [n, ...]: 0 or scale
  private float[] y; // [n, ...]
  private float[] dx; // [n, ...]

  private Dropout(Shape in, Vectors v, double p) {
    super(in, in, v, 0, 0);
    this.p = p;
    this.scale = p < 1 ? (float) (1 / (1 - p)) : 0f;
  }

  @Override
  public void beginStep(long stepSeed, int layerIndex) {
    this.stepSeed = stepSeed;
    this.layerIndex = layerIndex;
  }

  @Override
  protected long keptFloats(int n) { // dropMask, y; nothing when it passes its input on
    return p > 0 ? 2L * n * in.size() : 0;
  }

  @Override
  protected long inputGradFloats(int n) {
    return p > 0 ? super.inputGradFloats(n) : 0;
  }

  @Override
  public long forwardFloats(int n) { // inference passes its input on
    return 0;
  }

  @Override
  public float[] forward(float[] x, int n, boolean training) {
    dropped = training && p > 0;
    if (!dropped) {
      return x;
    }
    int len = n * in.size();
    dropMask = ensure(dropMask, len);
    y = ensure(y, len);
    Rng rng = Rng.of(stepSeed, layerIndex);
    for (int i = 0; i < len; i++) {
      dropMask[i] = rng.nextDouble() < p ? 0f : scale;
      y[i] = x[i] * dropMask[i];
    }
    return y;
  }

  @Override
  public float[] backward(float[] dy, int n) {
    if (!dropped) {
      return dy;
    }
    int len = n * in.size();
    dx = inputGrad(dx, n, dy);
    for (int i = 0; i < len; i++) {
      dx[i] = dy[i] * dropMask[i];
    }
    return dx;
  }

  /** The mask of the last training forward: [n, ...], each value 0 or 1 / (1 - p). */
  float[] dropMask() {
    return dropMask;
  }
}

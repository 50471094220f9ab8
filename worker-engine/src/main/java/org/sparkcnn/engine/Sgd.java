/*
 * Stochastic gradient descent with PyTorch's semantics (torch.optim.SGD):
 *   d = g + weight_decay * w
 *   buf = d on the first step, else momentum * buf + (1 - dampening) * d
 *   d = nesterov ? d + momentum * buf : buf        (when momentum != 0)
 *   w = w - lr * d
 * The momentum buffer is one flat array with the layout of the parameters.
 */
package org.sparkcnn.engine;

public final class Sgd {
  public record Hyper(double momentum, double dampening, double weightDecay, boolean nesterov)
      implements java.io.Serializable {
    public Hyper {
      if (!(momentum >= 0) || !(weightDecay >= 0) || !(dampening >= 0 && dampening <= 1)) {
        throw new IllegalArgumentException(
            "sgd: momentum and weight_decay must be >= 0 and"
                + " dampening in [0, 1] (momentum="
                + momentum
                + ", weight_decay="
                + weightDecay
                + ", dampening="
                + dampening
                + ")");
      }
      if (nesterov && (momentum == 0 || dampening != 0)) {
        throw new IllegalArgumentException("sgd: nesterov needs momentum > 0 and dampening 0");
      }
    }
  }

  private final Hyper h;
  private final float[] buf;
  private long steps;

  public Sgd(Hyper h, int paramCount) {
    this.h = h;
    this.buf = h.momentum() != 0 ? new float[paramCount] : null;
  }

  /** Restores the momentum buffer and step count (from a checkpoint). */
  public Sgd(Hyper h, float[] momentumBuffer, long steps) {
    this.h = h;
    this.buf = h.momentum() != 0 ? momentumBuffer : null;
    this.steps = steps;
  }

  /** One update of w in place with the averaged gradient g and learning rate lr. */
  public void step(float[] w, float[] g, double lr) {
    step(w, g, lr, new int[] {0, w.length});
  }

  /**
   * As step, for the parameters in ranges only ([from, to) pairs, ascending): the others are
   * frozen, neither decayed nor moved by momentum.
   */
  public void step(float[] w, float[] g, double lr, int[] ranges) {
    if (!(lr >= 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + lr);
    }
    float m = (float) h.momentum();
    float damp = 1f - (float) h.dampening();
    float wd = (float) h.weightDecay();
    float rate = (float) lr;
    boolean first = steps == 0;
    for (int r = 0; r < ranges.length; r += 2) {
      update(w, g, ranges[r], ranges[r + 1], rate, wd, m, damp, first);
    }
    steps++;
  }

  /**
   * w[from, to) -= rate * d with d = g + wd * w, through the momentum buffer when there is one: one
   * loop per case without branches inside, so that the JIT vectorises it.
   */
  private void update(
      float[] w,
      float[] g,
      int from,
      int to,
      float rate,
      float wd,
      float m,
      float damp,
      boolean first) {
    if (buf == null) {
      for (int i = from; i < to; i++) {
        w[i] -= rate * (g[i] + wd * w[i]);
      }
    } else if (first) { // PyTorch: the buffer starts as the first gradient
      for (int i = from; i < to; i++) {
        float d = g[i] + wd * w[i];
        buf[i] = d;
        w[i] -= rate * (h.nesterov() ? d + m * d : d);
      }
    } else if (h.nesterov()) {
      for (int i = from; i < to; i++) {
        float d = g[i] + wd * w[i];
        float b = m * buf[i] + damp * d;
        buf[i] = b;
        w[i] -= rate * (d + m * b);
      }
    } else {
      for (int i = from; i < to; i++) {
        float b = m * buf[i] + damp * (g[i] + wd * w[i]);
        buf[i] = b;
        w[i] -= rate * b;
      }
    }
  }

  public float[] momentumBuffer() {
    return buf;
  }

  public long steps() {
    return steps;
  }
}

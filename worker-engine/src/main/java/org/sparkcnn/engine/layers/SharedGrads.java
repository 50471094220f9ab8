/*
 * Input-gradient arrays shared by the layers of a model. A layer's input gradient is read only by
 * the layer before it, in the next backward call, so a chain needs two arrays between all its
 * layers, not one each: each layer writes into whichever of the two it is not reading. A chain
 * nested in a residual block or a concatenation keeps a pair of its own, since the block's
 * gradient must outlive it; pairs are keyed by where the chain sits (the model's chain is 1, the
 * chains of a block at key k are 2k and 2k + 1), so the blocks at one place share theirs. A pair
 * is as long as the largest input gradient among its layers, for the batch of the step.
 */
package org.sparkcnn.engine.layers;

import java.util.HashMap;
import java.util.Map;

final class SharedGrads {
  static final long ROOT = 1;
  private final Map<Long, Pair> pairs = new HashMap<>();

  /** The key of a block's chain number role (0 or 1) when the block sits in the chain at key. */
  static long child(long key, int role) {
    return 2 * key + role;
  }

  /** The pair at key, made long enough for perSample floats a sample. */
  Pair at(long key, long perSample) {
    Pair p = pairs.computeIfAbsent(key, k -> new Pair());
    p.perSample = Math.max(p.perSample, perSample);
    return p;
  }

  /** Floats of all pairs for a step of n samples. */
  long heldFloats(int n) {
    long held = 0;
    for (Pair p : pairs.values()) {
      held += 2L * n * p.perSample;
    }
    return held;
  }

  /** Two arrays of n * perSample floats, made when the batch grows. */
  static final class Pair {
    private long perSample;
    private float[] a = new float[0];
    private float[] b = new float[0];

    /** The one of the two arrays for n samples that is not busy (the array the caller reads). */
    float[] take(int n, float[] busy) {
      int size = Math.toIntExact(n * perSample);
      if (a.length < size) {
        a = new float[size];
        b = new float[size];
      }
      return busy == a ? b : a;
    }
  }
}

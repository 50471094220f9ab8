/*
 * ColorJitter's hue turn on the JDK Vector API: a vector of pixels at a time, every lane the
 * scalar code's operations in the scalar code's order (the sector picked by masks instead of
 * branches, floor as truncation corrected by one where it rounded up, the remainder mod 6 as one
 * subtraction), so the result is ColorJitter.hueScalar's bit for bit; the last pixels go through
 * that scalar code. ColorJitter uses it when the module jdk.incubator.vector is present.
 */
package org.sparkcnn.data.augment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

final class VectorHue {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

  private VectorHue() {}

  /** Pixels [0, plane) of px [3, plane] turned by h (a fraction of a turn), in place. */
  static void hue(float[] px, int plane, float h) {
    int l = S.length();
    int i = 0;
    for (; i <= plane - l; i += l) {
      FloatVector r = FloatVector.fromArray(S, px, i);
      FloatVector g = FloatVector.fromArray(S, px, plane + i);
      FloatVector b = FloatVector.fromArray(S, px, 2 * plane + i);
      FloatVector max = r.max(g.max(b));
      FloatVector min = r.min(g.min(b));
      FloatVector chroma = max.sub(min);
      VectorMask<Float> grey = chroma.compare(VectorOperators.EQ, 0f);
      if (grey.allTrue()) {
        continue;
      }
      VectorMask<Float> red = max.compare(VectorOperators.EQ, r);
      VectorMask<Float> green = red.not().and(max.compare(VectorOperators.EQ, g));
      FloatVector diff = r.sub(g).blend(b.sub(r), green).blend(g.sub(b), red);
      FloatVector offset = FloatVector.broadcast(S, 4f).blend(2f, green).blend(0f, red);
      FloatVector hh = diff.div(chroma).add(offset).div(6f).add(h);
      FloatVector trunc = (FloatVector) hh.convert(VectorOperators.F2I, 0)
          .convert(VectorOperators.I2F, 0);
      FloatVector floor = trunc.sub(1f, trunc.compare(VectorOperators.GT, hh));
      hh = hh.sub(floor);
      FloatVector sat = chroma.div(max);
      channel(5, hh, sat, max).blend(r, grey).intoArray(px, i);
      channel(3, hh, sat, max).blend(g, grey).intoArray(px, plane + i);
      channel(1, hh, sat, max).blend(b, grey).intoArray(px, 2 * plane + i);
    }
    ColorJitter.hueScalar(px, plane, i, plane, h);
  }

  /** v - v s max(0, min(k, 4 - k, 1)), k = (n + 6 h) mod 6. */
  private static FloatVector channel(int n, FloatVector h, FloatVector s, FloatVector v) {
    FloatVector k = h.mul(6f).add((float) n);
    k = k.sub(6f, k.compare(VectorOperators.GE, 6f));
    FloatVector m = k.min(FloatVector.broadcast(S, 4f).sub(k).min(1f)).max(0f);
    return v.sub(v.mul(s).mul(m));
  }
}

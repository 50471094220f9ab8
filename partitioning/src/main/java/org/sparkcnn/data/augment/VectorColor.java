/*
 * ColorJitter's hue turn and saturation on the JDK Vector API. The hue turn: a vector of pixels
 * at a time, every lane the
 * scalar code's operations in the scalar code's order (the sector picked by masks instead of
 * branches, floor by comparisons, the remainder mod 6 as one subtraction; blends rather than
 * masked operations or conversions, which the JDK 17 JIT does not compile to vector code and
 * which then allocate), so the result is ColorJitter.hueScalar's bit for bit; the last pixels go through
 * that scalar code. ColorJitter uses it when the module jdk.incubator.vector is present.
 */
package org.sparkcnn.data.augment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

final class VectorColor {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final FloatVector ZERO = FloatVector.zero(S);
  private static final FloatVector FOUR = FloatVector.broadcast(S, 4f);

  private VectorColor() {}

  /**
   * Pixels [0, plane) of px [3, plane] turned by h, a fraction of a turn in [-0.5, 0.5] (so that
   * every hue plus h lies in (-1, 2), where floor is -1, 0 or 1), in place.
   */
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
      // floor(hh) for hh in (-1, 2): -1, 0 or 1
      FloatVector floor =
          ZERO.blend(-1f, hh.compare(VectorOperators.LT, 0f))
              .blend(1f, hh.compare(VectorOperators.GE, 1f));
      hh = hh.sub(floor);
      // HSV back to RGB, channel n (5 red, 3 green, 1 blue): v - (v s) max(0, min(k, 4 - k, 1))
      // with k = (n + 6 hh) mod 6; written out, as a call would box the vectors
      FloatVector vs = max.mul(chroma.div(max));
      FloatVector h6 = hh.mul(6f);
      FloatVector k = h6.add(5f);
      k = k.blend(k.sub(6f), k.compare(VectorOperators.GE, 6f));
      max.sub(vs.mul(k.min(FOUR.sub(k).min(1f)).max(0f))).blend(r, grey).intoArray(px, i);
      k = h6.add(3f);
      k = k.blend(k.sub(6f), k.compare(VectorOperators.GE, 6f));
      max.sub(vs.mul(k.min(FOUR.sub(k).min(1f)).max(0f))).blend(g, grey).intoArray(px, plane + i);
      k = h6.add(1f);
      k = k.blend(k.sub(6f), k.compare(VectorOperators.GE, 6f));
      max.sub(vs.mul(k.min(FOUR.sub(k).min(1f)).max(0f)))
          .blend(b, grey)
          .intoArray(px, 2 * plane + i);
    }
    ColorJitter.hueScalar(px, plane, i, plane, h);
  }

  /** Pixels [0, plane) of px [3, plane]: x = clamp(s x + (1 - s) grey(pixel)), in place. */
  static void saturation(float[] px, int plane, float s) {
    float t = 1 - s;
    int l = S.length();
    int i = 0;
    for (; i <= plane - l; i += l) {
      FloatVector r = FloatVector.fromArray(S, px, i);
      FloatVector g = FloatVector.fromArray(S, px, plane + i);
      FloatVector b = FloatVector.fromArray(S, px, 2 * plane + i);
      FloatVector tg = r.mul(0.2989f).add(g.mul(0.587f)).add(b.mul(0.114f)).mul(t);
      r.mul(s).add(tg).min(1f).max(0f).intoArray(px, i);
      g.mul(s).add(tg).min(1f).max(0f).intoArray(px, plane + i);
      b.mul(s).add(tg).min(1f).max(0f).intoArray(px, 2 * plane + i);
    }
    ColorJitter.saturationScalar(px, plane, i, plane, s);
  }
}

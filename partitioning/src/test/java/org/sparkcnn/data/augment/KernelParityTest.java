/*
 * The fast augmentation kernels against their plain references, bit for bit: the resize's
 * horizontal pass with padded fixed-width taps against the loop over each output's own taps, for
 * boxes that shrink, enlarge and keep their size, in whole images and in decoded windows; and
 * the hue turn (scalar without branches or float remainder, and on the Vector API) and the
 * saturation (scalar and on the Vector API) against the original code, kept here.
 */
package org.sparkcnn.data.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparkcnn.engine.Rng;

class KernelParityTest {
  private static Image noise(int c, int h, int w, long seed, float lo) {
    float[] v = new float[c * h * w];
    Rng r = Rng.of(seed);
    for (int i = 0; i < v.length; i++) {
      v[i] = lo + (1 - lo) * r.nextFloat();
    }
    return Image.of(c, h, w, v);
  }

  @Test
  void paddedHorizontalPassIsTheReferenceBitForBit() {
    Rng r = Rng.of(21);
    int padded = 0;
    for (int trial = 0; trial < 300; trial++) {
      int h = 1 + r.nextInt(60);
      int w = 1 + r.nextInt(700);
      // normalised pixels may be negative when resize follows normalize
      Image src = noise(trial % 2 == 0 ? 3 : 1, h, w, trial, trial % 3 == 0 ? -2f : 0f);
      int bw = 1 + r.nextInt(w);
      int left = r.nextInt(w - bw + 1);
      int outW = 1 + r.nextInt(trial % 4 == 0 ? 8 : 300);
      Warp.Taps tx = Warp.Taps.of(left, bw, outW);
      float[] fast = new float[src.c * h * outW];
      float[] ref = new float[src.c * h * outW];
      Warp.horizontalReference(src, 0, 0, 0, h, outW, tx, ref);
      if (tx.padded() != null) {
        padded++;
        Warp.horizontal(src, 0, 0, 0, h, outW, tx, fast);
        assertArrayEquals(ref, fast, "box " + left + "+" + bw + " of " + w + " to " + outW);
      }
    }
    assertTrue(padded > 200, padded + " trials took the padded pass");
  }

  @Test
  void resizeOfAWindowIsResizeOfTheWholeImage() {
    Image whole = noise(3, 90, 120, 5, 0f);
    Image expected = new Image();
    Warp.resize(whole, 10, 17, 70, 95, 24, 24, expected);
    Image window = new Image();
    Warp.crop(whole, 10, 17, 70, 95, new float[3], window);
    Image got = new Image();
    Warp.resize(window, 10, 17, 10, 17, 70, 95, 24, 24, got);
    assertArrayEquals(expected.pixels(), got.pixels());
  }

  /** ColorJitter.hue as first written: branches on the sector, % for the remainder. */
  private static void hueReference(Image im, float h) {
    int plane = im.h * im.w;
    for (int i = 0; i < plane; i++) {
      float r = im.px[i];
      float g = im.px[plane + i];
      float b = im.px[2 * plane + i];
      float max = Math.max(r, Math.max(g, b));
      float min = Math.min(r, Math.min(g, b));
      float chroma = max - min;
      if (chroma == 0) {
        continue;
      }
      float hh;
      if (max == r) {
        hh = (g - b) / chroma / 6f;
      } else if (max == g) {
        hh = ((b - r) / chroma + 2f) / 6f;
      } else {
        hh = ((r - g) / chroma + 4f) / 6f;
      }
      hh = hh + h;
      hh -= (float) Math.floor(hh);
      float sat = chroma / max;
      im.px[i] = channel(5, hh, sat, max);
      im.px[plane + i] = channel(3, hh, sat, max);
      im.px[2 * plane + i] = channel(1, hh, sat, max);
    }
  }

  private static float channel(int n, float h, float s, float v) {
    float k = (n + 6f * h) % 6f;
    return v - v * s * Math.max(0f, Math.min(k, Math.min(4f - k, 1f)));
  }

  @Test
  void hueIsTheOriginalCodeBitForBit() {
    Rng r = Rng.of(8);
    for (int trial = 0; trial < 200; trial++) {
      int h = 5 + r.nextInt(20);
      int w = 5 + r.nextInt(20); // planes that are not a whole number of vectors
      int plane = h * w;
      Image im = noise(3, h, w, 100 + trial, 0f);
      for (int i = 0; i < 40; i++) { // greys, ties between channels, black and white
        int at = r.nextInt(plane);
        float v = (float) r.nextInt(3) / 2;
        im.px[at] = v;
        im.px[plane + at] = i % 2 == 0 ? v : im.px[plane + at];
        im.px[2 * plane + at] = i % 3 == 0 ? v : im.px[2 * plane + at];
      }
      float turn =
          trial < 4
              ? new float[] {-0.5f, 0.5f, 1e-7f, -1e-7f}[trial]
              : (float) (r.nextDouble() - 0.5);
      Image ref = Image.of(3, h, w, im.pixels());
      hueReference(ref, turn);
      Image scalar = Image.of(3, h, w, im.pixels());
      ColorJitter.hueScalar(scalar.px, plane, 0, plane, turn);
      assertArrayEquals(ref.pixels(), scalar.pixels(), "scalar, hue " + turn);
      Image vector = Image.of(3, h, w, im.pixels());
      VectorColor.hue(vector.px, plane, turn);
      assertArrayEquals(ref.pixels(), vector.pixels(), "vector, hue " + turn);
      Image chosen = Image.of(3, h, w, im.pixels());
      ColorJitter.hue(chosen, turn);
      assertArrayEquals(ref.pixels(), chosen.pixels(), "ColorJitter.hue " + turn);
    }
  }

  @Test
  void saturationIsTheOriginalCodeBitForBit() {
    for (int trial = 0; trial < 50; trial++) {
      Image im = noise(3, 7 + trial, 9, 300 + trial, 0f);
      float s = trial * 0.05f;
      Image ref = Image.of(im.c, im.h, im.w, im.pixels());
      int plane = im.h * im.w;
      for (int i = 0; i < plane; i++) { // as first written
        float g = 0.2989f * ref.px[i] + 0.587f * ref.px[plane + i] + 0.114f * ref.px[2 * plane + i];
        for (int ch = 0; ch < 3; ch++) {
          int at = ch * plane + i;
          ref.px[at] = Math.max(0f, Math.min(1f, s * ref.px[at] + (1 - s) * g));
        }
      }
      Image scalar = Image.of(im.c, im.h, im.w, im.pixels());
      ColorJitter.saturationScalar(scalar.px, plane, 0, plane, s);
      assertArrayEquals(ref.pixels(), scalar.pixels(), "scalar, saturation " + s);
      Image vector = Image.of(im.c, im.h, im.w, im.pixels());
      VectorColor.saturation(vector.px, plane, s);
      assertArrayEquals(ref.pixels(), vector.pixels(), "vector, saturation " + s);
      ColorJitter.saturation(im, s);
      assertArrayEquals(ref.pixels(), im.pixels(), "ColorJitter.saturation " + s);
    }
  }
}

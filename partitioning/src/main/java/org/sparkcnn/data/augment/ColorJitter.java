/*
 * Colour jitter with torchvision's semantics (ColorJitter on float images in [0, 1]): brightness
 * multiplies by b; contrast blends with the mean grey level of the image by c; saturation blends
 * with each pixel's grey by s; hue turns the hue (HSV) by h of a full turn; results are clamped to
 * [0, 1]. Each factor is drawn uniformly from its range (brightness, contrast, saturation: x means
 * [max(0, 1 - x), 1 + x]; hue: x means [-x, x], x <= 0.5; or an explicit [lo, hi]), and the four
 * are applied in a random order, as torchvision does. Grey is 0.2989 R + 0.587 G + 0.114 B; on
 * one-channel images saturation and hue change nothing. Needs pixels in [0, 1]: before normalize.
 * Hue and saturation run on the Vector API (VectorColor) when jdk.incubator.vector is present,
 * with the same bits as the scalar loops (picked once, logged); the parity tests run both.
 */
package org.sparkcnn.data.augment;

import org.slf4j.LoggerFactory;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;

record ColorJitter(
    Shape outputShape,
    double[] brightness,
    double[] contrast,
    double[] saturation,
    double[] hue,
    double p)
    implements SampleOp<ColorJitter.Factors> {
  /** Whether hue and saturation run on the Vector API (VectorColor), picked once. */
  static final boolean VECTOR = vectorColor();

  /** The drawn factors and the order of the four adjustments (0 b, 1 c, 2 s, 3 h). */
  record Factors(float brightness, float contrast, float saturation, float hue, int[] order) {}

  static ColorJitter parse(Settings s, Shape in) {
    double[] b = factor(s, "brightness");
    double[] c = factor(s, "contrast");
    double[] sat = factor(s, "saturation");
    String expected = "a number h in [0, 0.5] (for [-h, h]) or a range [lo, hi] in [-0.5, 0.5]";
    double[] h = s.numbers("hue", new double[] {0}, expected);
    if (h.length == 1 && h[0] >= 0 && h[0] <= 0.5) {
      h = new double[] {-h[0], h[0]};
    } else if (!(h.length == 2 && -0.5 <= h[0] && h[0] <= h[1] && h[1] <= 0.5)) {
      throw s.bad("hue", expected);
    }
    return new ColorJitter(in, b, c, sat, h, s.p(1));
  }

  private static double[] factor(Settings s, String key) {
    String expected = "a number x >= 0 (for [max(0, 1 - x), 1 + x]) or a range [lo, hi], lo >= 0";
    double[] v = s.numbers(key, new double[] {0}, expected);
    if (v.length == 1 && v[0] >= 0) {
      return new double[] {Math.max(0, 1 - v[0]), 1 + v[0]};
    }
    if (v.length == 2 && 0 <= v[0] && v[0] <= v[1]) {
      return v;
    }
    throw s.bad(key, expected);
  }

  @Override
  public String name() {
    return "color_jitter";
  }

  @Override
  public Factors draw(Rng r) {
    int[] order = r.permutation(4);
    return new Factors(
        uniform(r, brightness),
        uniform(r, contrast),
        uniform(r, saturation),
        uniform(r, hue),
        order);
  }

  private static float uniform(Rng r, double[] range) {
    return (float) (range[0] + (range[1] - range[0]) * r.nextDouble());
  }

  @Override
  public void apply(Image src, Factors f, Image dst) {
    dst.reshape(src.c, src.h, src.w);
    System.arraycopy(src.px, 0, dst.px, 0, src.size());
    for (int step : f.order()) {
      switch (step) {
        case 0 -> brightness(dst, f.brightness());
        case 1 -> contrast(dst, f.contrast());
        case 2 -> saturation(dst, f.saturation());
        default -> hue(dst, f.hue());
      }
    }
  }

  /** x = clamp(b x), in place. */
  static void brightness(Image im, float b) {
    if (b != 1f) {
      for (int i = 0; i < im.size(); i++) {
        im.px[i] = clamp(b * im.px[i]);
      }
    }
  }

  /** x = clamp(c x + (1 - c) mean(grey)), in place. */
  static void contrast(Image im, float c) {
    if (c == 1f) {
      return;
    }
    int plane = im.h * im.w;
    double sum = 0;
    for (int i = 0; i < plane; i++) {
      sum += grey(im, i, plane);
    }
    float mean = (float) (sum / plane);
    for (int i = 0; i < im.size(); i++) {
      im.px[i] = clamp(c * im.px[i] + (1 - c) * mean);
    }
  }

  /** x = clamp(s x + (1 - s) grey(pixel)), in place; nothing on one channel. */
  static void saturation(Image im, float s) {
    if (s == 1f || im.c != 3) {
      return;
    }
    int plane = im.h * im.w;
    if (VECTOR) {
      VectorColor.saturation(im.px, plane, s);
    } else {
      saturationScalar(im.px, plane, 0, plane, s);
    }
  }

  /** The saturation of pixels [from, to) of px [3, plane]: the reference of VectorColor's. */
  static void saturationScalar(float[] px, int plane, int from, int to, float s) {
    float t = 1 - s;
    for (int i = from; i < to; i++) {
      float r = px[i];
      float g = px[plane + i];
      float b = px[2 * plane + i];
      float grey = 0.2989f * r + 0.587f * g + 0.114f * b;
      px[i] = Math.max(0f, Math.min(1f, s * r + t * grey));
      px[plane + i] = Math.max(0f, Math.min(1f, s * g + t * grey));
      px[2 * plane + i] = Math.max(0f, Math.min(1f, s * b + t * grey));
    }
  }

  /** Hue turned by h (a fraction of a full turn) through HSV, in place; nothing on one channel. */
  static void hue(Image im, float h) {
    if (h == 0f || im.c != 3) {
      return;
    }
    int plane = im.h * im.w;
    if (VECTOR && h >= -0.5f && h <= 0.5f) {
      VectorColor.hue(im.px, plane, h);
    } else {
      hueScalar(im.px, plane, 0, plane, h);
    }
  }

  /**
   * The hue turn of pixels [from, to) of px [3, plane], in place: the reference of VectorColor's,
   * which runs instead when the module jdk.incubator.vector is present.
   */
  static void hueScalar(float[] px, int plane, int from, int to, float h) {
    for (int i = from; i < to; i++) {
      float r = px[i];
      float g = px[plane + i];
      float b = px[2 * plane + i];
      float max = Math.max(r, Math.max(g, b));
      float min = Math.min(r, Math.min(g, b));
      float chroma = max - min;
      if (chroma == 0) {
        continue; // grey: no hue to turn
      }
      // the sector's difference and offset picked without branches (the JIT uses conditional
      // moves); (x + 0f) is x, so the red sector's hue is (g - b) / chroma / 6 as written out
      boolean red = max == r;
      boolean green = !red && max == g;
      float diff = red ? g - b : green ? b - r : r - g;
      float offset = red ? 0f : green ? 2f : 4f;
      float hh = (diff / chroma + offset) / 6f;
      hh = hh + h;
      hh -= (float) Math.floor(hh);
      float sat = chroma / max;
      // HSV back to RGB: channel k = v - v s max(0, min(q, 4 - q, 1)), q = (k + 6 hh) mod 6
      px[i] = hsvChannel(5, hh, sat, max);
      px[plane + i] = hsvChannel(3, hh, sat, max);
      px[2 * plane + i] = hsvChannel(1, hh, sat, max);
    }
  }

  private static boolean vectorColor() {
    boolean vector;
    try {
      vector = VectorColor.S.length() >= 4;
    } catch (LinkageError e) {
      vector = false; // no jdk.incubator.vector at run time: the scalar loop
    }
    LoggerFactory.getLogger(ColorJitter.class)
        .info("sparkcnn color_jitter hue and saturation: {}", vector ? "vector" : "scalar");
    return vector;
  }

  private static float hsvChannel(int n, float h, float s, float v) {
    // (n + 6 h) mod 6 for h in [0, 1): subtracting 6 from a float in [6, 12) is exact, so this
    // is the float remainder (%) bit for bit, without its slow library call
    float k = n + 6f * h;
    if (k >= 6f) {
      k -= 6f;
    }
    return v - v * s * Math.max(0f, Math.min(k, Math.min(4f - k, 1f)));
  }

  private static float grey(Image im, int i, int plane) {
    return im.c == 3
        ? 0.2989f * im.px[i] + 0.587f * im.px[plane + i] + 0.114f * im.px[2 * plane + i]
        : im.px[i];
  }

  private static float clamp(float x) {
    return Math.max(0f, Math.min(1f, x));
  }
}

/*
 * The generated dataset of sparkcnn's quickstart, which needs no download: 32x32 RGB images of ten
 * kinds of shape, each drawn at a random position, size, rotation and light colour on a noisy
 * background of a random dark colour. Keeping the shape lighter than its background (every channel
 * at least 91 levels apart) is what lets LeNet-5 pass 90% test accuracy in the quickstart's 250
 * steps; with both colours fully random it stayed near 30%. Sample id is a pure function of
 * (seed, id) through the counter-based Rng, so any executor renders exactly the same image. As in
 * torchvision's v2 transforms, a sample first draws its parameters, then a pure function draws
 * the pixels. Orientation is part of some classes (square vs diamond, cross vs x, horizontal bar),
 * so those turn by at most 10 degrees; the others turn freely.
 */
package org.sparkcnn.data;

import java.util.List;
import org.sparkcnn.engine.Rng;

public final class ShapesGenerator {
  public static final int SIZE = 32;
  public static final int CHANNELS = 3;
  public static final int CLASSES = 10;
  public static final List<String> CLASS_NAMES =
      List.of(
          "circle",
          "square",
          "triangle",
          "cross",
          "star",
          "ring",
          "diamond",
          "bar",
          "crescent",
          "x");

  static final float MIN_RADIUS = 7.5f; // half the shape's size, in pixels
  static final float MAX_RADIUS = 13f;
  static final int DARK = 60; // background channels are in 0..DARK-1
  static final int LIGHT = 150; // shape channels are in LIGHT..255
  static final float NOISE = 20f; // per-pixel noise in -NOISE..NOISE, triangular
  private static final float JITTER = (float) Math.toRadians(10);
  private static final float STAR_SECTOR = (float) (2 * Math.PI / 5);
  private static final float STAR_EDGE_X = 0.42f * (float) Math.cos(STAR_SECTOR / 2) - 1f;
  private static final float STAR_EDGE_Y = 0.42f * (float) Math.sin(STAR_SECTOR / 2);

  /** A sample's drawn parameters; bg and fg are RGB colours 0..255. */
  record Params(int label, float cx, float cy, float radius, float angle, int[] bg, int[] fg) {}

  private ShapesGenerator() {}

  /** The class of sample id, uniform over 0..CLASSES-1. */
  public static int label(long seed, long id) {
    return Rng.of(seed, id).nextInt(CLASSES);
  }

  /** The pixels of sample id: [CHANNELS, SIZE, SIZE], unsigned bytes. */
  public static byte[] render(long seed, long id) {
    Rng r = Rng.of(seed, id);
    return draw(params(r), r);
  }

  static Params params(long seed, long id) {
    return params(Rng.of(seed, id));
  }

  /** Draws the label first, so that label(seed, id) agrees with render(seed, id). */
  private static Params params(Rng r) {
    int label = r.nextInt(CLASSES);
    float radius = r.uniform(MIN_RADIUS, MAX_RADIUS);
    float cx = r.uniform(radius, SIZE - radius);
    float cy = r.uniform(radius, SIZE - radius);
    boolean oriented = label == 1 || label == 3 || label == 6 || label == 7 || label == 9;
    float base = label == 9 ? (float) (Math.PI / 4) : 0f;
    float angle =
        oriented ? base + r.uniform(-JITTER, JITTER) : r.uniform(0, (float) (2 * Math.PI));
    int[] bg = {r.nextInt(DARK), r.nextInt(DARK), r.nextInt(DARK)};
    int[] fg = {
      LIGHT + r.nextInt(256 - LIGHT), LIGHT + r.nextInt(256 - LIGHT), LIGHT + r.nextInt(256 - LIGHT)
    };
    return new Params(label, cx, cy, radius, angle, bg, fg);
  }

  /** Coverage by 2x2 supersampling inside the shape's box, then colour and noise from r. */
  private static byte[] draw(Params p, Rng r) {
    float[] cover = new float[SIZE * SIZE];
    float cos = (float) Math.cos(p.angle());
    float sin = (float) Math.sin(p.angle());
    float inv = 1f / p.radius();
    float reach = 1.1f * p.radius() + 1;
    int x0 = Math.max(0, (int) (p.cx() - reach));
    int x1 = Math.min(SIZE - 1, (int) (p.cx() + reach));
    int y0 = Math.max(0, (int) (p.cy() - reach));
    int y1 = Math.min(SIZE - 1, (int) (p.cy() + reach));
    for (int y = y0; y <= y1; y++) {
      for (int x = x0; x <= x1; x++) {
        int hits = 0;
        for (int s = 0; s < 4; s++) {
          float dx = x + 0.25f + 0.5f * (s & 1) - p.cx();
          float dy = y + 0.25f + 0.5f * (s >> 1) - p.cy();
          float u = (cos * dx + sin * dy) * inv; // the shape's own frame, radius 1
          float v = (-sin * dx + cos * dy) * inv;
          hits += inside(p.label(), u, v) ? 1 : 0;
        }
        cover[y * SIZE + x] = hits * 0.25f;
      }
    }
    byte[] out = new byte[CHANNELS * SIZE * SIZE];
    long bits = 0;
    for (int c = 0; c < CHANNELS; c++) {
      float bg = p.bg()[c];
      float fg = p.fg()[c];
      for (int i = 0; i < SIZE * SIZE; i++) {
        if ((i & 3) == 0) {
          bits = r.nextLong(); // 16 bits of noise per pixel: two bytes summed, triangular
        }
        int noise = (int) (bits & 0xff) + (int) ((bits >>> 8) & 0xff) - 255;
        bits >>>= 16;
        float v = bg + (fg - bg) * cover[i] + noise * (NOISE / 255f);
        out[c * SIZE * SIZE + i] = (byte) Math.max(0, Math.min(255, Math.round(v)));
      }
    }
    return out;
  }

  /** Whether (u, v), in the shape's frame where it fits the unit disc, is inside the shape. */
  static boolean inside(int label, float u, float v) {
    float au = Math.abs(u);
    float av = Math.abs(v);
    float rr = u * u + v * v;
    return switch (label) {
      case 0 -> rr <= 0.81f; // circle
      case 1 -> au <= 0.72f && av <= 0.72f; // square
      case 2 -> v >= -0.5f && 0.866f * u + 0.5f * v <= 0.5f && -0.866f * u + 0.5f * v <= 0.5f;
      case 3, 9 -> (au <= 0.3f && av <= 0.92f) || (av <= 0.3f && au <= 0.92f); // cross, x
      case 4 -> star(u, v);
      case 5 -> rr <= 0.9f && rr >= 0.3f; // ring: radii 0.95 and 0.55
      case 6 -> au / 0.68f + av <= 1f; // diamond, taller than wide
      case 7 -> au <= 1f && av <= 0.3f; // bar
      case 8 -> rr <= 0.9f && (u - 0.45f) * (u - 0.45f) + v * v > 0.64f; // crescent
      default -> throw new IllegalArgumentException("no shape for class " + label);
    };
  }

  /** A five-pointed star, points at radius 1, inner corners at radius 0.42. */
  private static boolean star(float u, float v) {
    float rho = (float) Math.sqrt(u * u + v * v);
    if (rho > 1f) {
      return false;
    }
    float phi = (float) Math.atan2(v, u) % STAR_SECTOR; // fold onto one point's half-sector
    phi = phi < 0 ? phi + STAR_SECTOR : phi;
    phi = Math.min(phi, STAR_SECTOR - phi);
    float qx = rho * (float) Math.cos(phi);
    float qy = rho * (float) Math.sin(phi);
    // Inside iff q is on the origin's side of the edge from the point (1, 0) to the inner corner.
    return STAR_EDGE_X * qy - STAR_EDGE_Y * (qx - 1f) >= 0f;
  }
}

/*
 * Every per-sample op on images small enough to check by hand: flips of a 3x2 image, a crop's
 * exact window (inside and in the padding), resizing's bilinear weights, rotation by 90 degrees
 * as a transpose and a flip, affine shifts, the colour adjustments at their extremes (brightness 0
 * is black, saturation 0 is grey, a half turn of hue makes red cyan), normalisation values and
 * cutout's exact box.
 */
package org.sparkcnn.data.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;

class AugmentOpsTest {
  /** 1 x 2 x 3: 1 2 3 / 4 5 6. */
  private static final Image IMAGE_3X2 = Image.of(1, 2, 3, 1, 2, 3, 4, 5, 6);

  /** The op of one config item for input shape in. */
  static SampleOp<?> op(Shape in, Map<String, Object> item) {
    return Augmentation.training(List.of(item), "data.augment", in).ops().get(0);
  }

  private static <P> Image apply(SampleOp<P> op, P params, Image src) {
    Image dst = new Image();
    op.apply(src, params, dst);
    return dst;
  }

  private static float[] ramp(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = i;
    }
    return v;
  }

  @Test
  void flipsMirrorA3x2Image() {
    Image h = new Image();
    Warp.flip(IMAGE_3X2, false, h);
    assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4}, h.pixels());
    Image v = new Image();
    Warp.flip(IMAGE_3X2, true, v);
    assertArrayEquals(new float[] {4, 5, 6, 1, 2, 3}, v.pixels());
    assertEquals(Shape.of(1, 2, 3), v.shape());
  }

  @Test
  void cropTakesTheExactWindowAndFillsThePadding() {
    Image src = Image.of(1, 4, 4, ramp(16)); // rows 0-3, 4-7, 8-11, 12-15
    Image inside = new Image();
    Warp.crop(src, 1, 2, 2, 2, new float[] {9}, inside);
    assertArrayEquals(new float[] {6, 7, 10, 11}, inside.pixels());
    Image padded = new Image();
    Warp.crop(src, -1, -1, 2, 3, new float[] {-5}, padded);
    assertArrayEquals(new float[] {-5, -5, -5, -5, 0, 1}, padded.pixels());
  }

  @Test
  void randomCropDrawsWindowsWithinThePaddedImage() {
    var op =
        (RandomCrop) op(Shape.of(1, 4, 4), Map.of("op", "random_crop", "size", 3, "padding", 1));
    Image src = Image.of(1, 4, 4, ramp(16));
    boolean sawPadding = false;
    for (int id = 0; id < 200; id++) {
      int[] at = op.draw(Rng.of(7, id));
      assertTrue(at[0] >= -1 && at[0] <= 2 && at[1] >= -1 && at[1] <= 2, at[0] + "," + at[1]);
      sawPadding |= at[0] == -1 || at[1] == -1 || at[0] == 2 || at[1] == 2;
      Image out = apply(op, at, src);
      Image expected = new Image();
      Warp.crop(src, at[0], at[1], 3, 3, new float[1], expected);
      assertArrayEquals(expected.pixels(), out.pixels());
    }
    assertTrue(sawPadding);
  }

  @Test
  void centerCropRoundsHalfToEvenAsTorchvision() {
    var op = (CenterCrop) op(Shape.of(1, 4, 5), Map.of("op", "center_crop", "size", 2));
    Image out = apply(op, null, Image.of(1, 4, 5, ramp(20)));
    // top = round(1.0) = 1, left = round(1.5) = 2 (half to even)
    assertArrayEquals(new float[] {7, 8, 12, 13}, out.pixels());
  }

  @Test
  void resizeInterpolatesBilinearlyBetweenPixelCentres() {
    Image out = new Image();
    Warp.resize(Image.of(1, 1, 2, 0, 1), 0, 0, 1, 2, 1, 4, out);
    assertArrayEquals(new float[] {0, 0.25f, 0.75f, 1}, out.pixels(), 1e-6f);
    Image src = Image.of(1, 3, 3, ramp(9));
    Image same = new Image();
    Warp.resize(src, 0, 0, 3, 3, 3, 3, same);
    assertArrayEquals(src.pixels(), same.pixels());
    var op = (Resize) op(Shape.of(3, 20, 40), Map.of("op", "resize", "size", 10));
    assertEquals(Shape.of(3, 10, 20), op.outputShape()); // shorter side to 10
  }

  @Test
  void resizedCropOfTheWholeImageAtItsSizeIsTheImage() {
    var op =
        (RandomResizedCrop)
            op(
                Shape.of(1, 6, 6),
                Map.of(
                    "op",
                    "random_resized_crop",
                    "size",
                    6,
                    "scale",
                    List.of(1, 1),
                    "ratio",
                    List.of(1, 1)));
    int[] box = op.draw(Rng.of(1, 2));
    assertArrayEquals(new int[] {0, 0, 6, 6}, box);
    Image src = Image.of(1, 6, 6, ramp(36));
    assertArrayEquals(src.pixels(), apply(op, box, src).pixels());
  }

  @Test
  void resizedCropBoxesStayInsideAndCoverTheirScale() {
    var op =
        (RandomResizedCrop)
            op(
                Shape.of(3, 40, 50),
                Map.of("op", "random_resized_crop", "size", 16, "scale", List.of(0.25, 0.5)));
    for (int id = 0; id < 100; id++) {
      int[] b = op.draw(Rng.of(3, id));
      assertTrue(b[0] >= 0 && b[1] >= 0 && b[0] + b[2] <= 40 && b[1] + b[3] <= 50);
      double share = (double) b[2] * b[3] / (40 * 50);
      assertTrue(share > 0.2 && share < 0.56, "area share " + share);
      double ratio = (double) b[3] / b[2];
      assertTrue(ratio > 0.7 && ratio < 1.45, "ratio " + ratio);
    }
    assertEquals(Shape.of(3, 16, 16), op.outputShape());
  }

  @Test
  void rotationBy90DegreesIsATransposeAndAFlip() {
    float[] v = new float[2 * 4 * 4];
    Rng r = Rng.of(5);
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextFloat();
    }
    Image src = Image.of(2, 4, 4, v);
    var op = (Rotate) op(Shape.of(2, 4, 4), Map.of("op", "rotate", "degrees", 90));
    Image out = apply(op, 90.0, src);
    for (int c = 0; c < 2; c++) {
      for (int y = 0; y < 4; y++) {
        for (int x = 0; x < 4; x++) {
          // counter-clockwise: the transpose flipped upside down, out[y][x] = in[x][3 - y]
          assertEquals(src.get(c, x, 3 - y), out.get(c, y, x), 1e-5f, c + "," + y + "," + x);
        }
      }
    }
    assertArrayEquals(src.pixels(), apply(op, 0.0, src).pixels(), 1e-6f);
  }

  @Test
  void rotationFillsWhatTheImageNoLongerCovers() {
    var op = (Rotate) op(Shape.of(1, 8, 8), Map.of("op", "rotate", "degrees", 45, "fill", 0.5));
    float[] ones = new float[64];
    java.util.Arrays.fill(ones, 1f);
    Image out = apply(op, 45.0, Image.of(1, 8, 8, ones));
    assertEquals(0.5f, out.get(0, 0, 0), 1e-6f); // a corner comes from outside
    assertEquals(1f, out.get(0, 3, 3), 1e-6f); // the middle stays inside
  }

  @Test
  void affineIdentityKeepsTheImageAndShiftsAndShearsMoveIt() {
    var op =
        (Affine)
            op(Shape.of(1, 3, 3), Map.of("op", "affine", "translate", List.of(0.4, 0), "fill", 9));
    Image src = Image.of(1, 3, 3, ramp(9));
    assertArrayEquals(
        src.pixels(), apply(op, new double[] {0, 0, 0, 1, 0, 0}, src).pixels(), 1e-6f);
    Image right = apply(op, new double[] {0, 1, 0, 1, 0, 0}, src);
    assertArrayEquals(new float[] {9, 0, 1, 9, 3, 4, 9, 6, 7}, right.pixels(), 1e-6f);
    // shear x by 45 degrees: x' = x + (y - centre), so the top row moves left, the bottom right
    Image sheared = apply(op, new double[] {0, 0, 0, 1, 45, 0}, src);
    assertArrayEquals(new float[] {1, 2, 9, 3, 4, 5, 9, 6, 7}, sheared.pixels(), 1e-5f);
    for (int id = 0; id < 50; id++) {
      double[] q = op.draw(Rng.of(1, id));
      assertTrue(Math.abs(q[1]) <= 1 && q[2] == 0 && q[3] == 1, java.util.Arrays.toString(q));
    }
  }

  @Test
  void affineZoomByTwoDoublesDistancesFromTheCentre() {
    var op = (Affine) op(Shape.of(1, 1, 8), Map.of("op", "affine", "scale", List.of(2, 2)));
    Image row = Image.of(1, 1, 8, ramp(8));
    Image out = apply(op, new double[] {0, 0, 0, 2, 0, 0}, row);
    // output x (centre x + 0.5) reads 4 + (x + 0.5 - 4) / 2 - 0.5: x = 4 reads 3.75
    assertEquals(3.75f, out.get(0, 0, 4), 1e-5f);
    assertEquals(2.75f, out.get(0, 0, 2), 1e-5f);
  }

  @Test
  void colourJitterAtItsExtremes() {
    Image rgb = Image.of(3, 1, 2, 1f, 0.2f, 0f, 0.4f, 0f, 0.6f); // red, then (0.2, 0.4, 0.6)
    Image black = copy(rgb);
    ColorJitter.brightness(black, 0f);
    assertArrayEquals(new float[6], black.pixels());
    Image grey = copy(rgb);
    ColorJitter.saturation(grey, 0f);
    float g0 = 0.2989f;
    float g1 = 0.2989f * 0.2f + 0.587f * 0.4f + 0.114f * 0.6f;
    assertArrayEquals(new float[] {g0, g1, g0, g1, g0, g1}, grey.pixels(), 1e-6f);
    Image flat = copy(rgb);
    ColorJitter.contrast(flat, 0f);
    float mean = (g0 + g1) / 2;
    assertArrayEquals(new float[] {mean, mean, mean, mean, mean, mean}, flat.pixels(), 1e-6f);
    Image turned = copy(rgb);
    ColorJitter.hue(turned, 0.5f);
    assertEquals(0f, turned.get(0, 0, 0), 1e-6f); // red turns cyan
    assertEquals(1f, turned.get(1, 0, 0), 1e-6f);
    assertEquals(1f, turned.get(2, 0, 0), 1e-6f);
    Image third = copy(rgb);
    ColorJitter.hue(third, 1f / 3);
    assertArrayEquals(
        new float[] {0, 1, 0},
        new float[] {third.get(0, 0, 0), third.get(1, 0, 0), third.get(2, 0, 0)},
        1e-6f); // red turns green
    Image bright = copy(rgb);
    ColorJitter.brightness(bright, 2f);
    assertArrayEquals(new float[] {1, 0.4f, 0, 0.8f, 0, 1}, bright.pixels(), 1e-6f); // clamped
  }

  @Test
  void brightnessZeroFromConfigGivesBlack() {
    var op =
        (ColorJitter)
            op(
                Shape.of(3, 2, 2),
                Map.of(
                    "op",
                    "color_jitter",
                    "brightness",
                    List.of(0, 0),
                    "contrast",
                    0.5,
                    "saturation",
                    0.5,
                    "hue",
                    0.2));
    Image src =
        Image.of(3, 2, 2, 0.1f, 0.9f, 0.5f, 0.3f, 0.2f, 0.8f, 0.4f, 0.6f, 0.7f, 0.05f, 0.95f, 0.5f);
    for (int id = 0; id < 20; id++) {
      Image out = apply(op, op.draw(Rng.of(2, id)), src);
      // brightness 0 zeroes every pixel, and contrast, saturation and hue keep black black
      assertArrayEquals(new float[12], out.pixels(), 1e-6f, "sample " + id);
    }
  }

  @Test
  void normalizeSubtractsTheMeanAndDividesByTheStd() {
    var op =
        (Normalize)
            op(
                Shape.of(2, 1, 2),
                Map.of("op", "normalize", "mean", List.of(0.5, 0.25), "std", List.of(0.25, 0.5)));
    Image out = apply(op, null, Image.of(2, 1, 2, 0.75f, 0f, 0.25f, 1f));
    assertArrayEquals(new float[] {1f, -2f, 0f, 1.5f}, out.pixels(), 1e-6f);
  }

  @Test
  void cutoutFillsExactlyItsBox() {
    var op = (Cutout) op(Shape.of(2, 5, 5), Map.of("op", "cutout", "size", List.of(3, 2)));
    float[] ones = new float[50];
    java.util.Arrays.fill(ones, 1f);
    Image src = Image.of(2, 5, 5, ones);
    int[] box = Cutout.box(2, 3, 3, 2, 5, 5); // centre (2, 3): rows 1..3, columns 2..3
    assertArrayEquals(new int[] {1, 2, 4, 4}, box);
    Image out = apply(op, box, src);
    for (int c = 0; c < 2; c++) {
      for (int y = 0; y < 5; y++) {
        for (int x = 0; x < 5; x++) {
          boolean in = y >= 1 && y < 4 && x >= 2 && x < 4;
          assertEquals(in ? 0f : 1f, out.get(c, y, x), c + "," + y + "," + x);
        }
      }
    }
    assertArrayEquals(new int[] {0, 0, 2, 1}, Cutout.box(0, 0, 3, 2, 5, 5)); // clipped
  }

  private static Image copy(Image im) {
    return Image.of(im.c, im.h, im.w, im.pixels());
  }
}

/*
 * Tests of the generated shapes dataset: determinism from (seed, id), balanced labels, shapes that
 * stand out from their background. (Speed is measured by benchmarks, never by tests.) writeGrid() draws a PNG of samples per
 * class for a person to look at (see the main method).
 */
package org.sparkcnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ShapesGeneratorTest {
  private static final int N = ShapesGenerator.SIZE * ShapesGenerator.SIZE;

  @Test
  void sameSeedAndIdGiveTheSameImageAndLabel() {
    for (long id = 0; id < 50; id++) {
      assertArrayEquals(ShapesGenerator.render(7, id), ShapesGenerator.render(7, id));
      assertEquals(ShapesGenerator.label(7, id), ShapesGenerator.label(7, id));
      assertEquals(ShapesGenerator.label(7, id), ShapesGenerator.params(7, id).label());
    }
    assertEquals(ShapesGenerator.CHANNELS * N, ShapesGenerator.render(7, 0).length);
  }

  @Test
  void differentIdsAndSeedsGiveDifferentImages() {
    byte[] a = ShapesGenerator.render(7, 1);
    assertFalse(Arrays.equals(a, ShapesGenerator.render(7, 2)));
    assertFalse(Arrays.equals(a, ShapesGenerator.render(8, 1)));
    assertFalse(Arrays.equals(a, ShapesGenerator.render(7, 1L << 40)));
  }

  @Test
  void labelsAreInRangeAndRoughlyBalanced() {
    int[] counts = new int[ShapesGenerator.CLASSES];
    for (long id = 0; id < 10_000; id++) {
      counts[ShapesGenerator.label(3, id)]++;
    }
    for (int c = 0; c < ShapesGenerator.CLASSES; c++) {
      assertTrue(counts[c] > 850 && counts[c] < 1150, "class " + c + ": " + counts[c]);
    }
    assertEquals(ShapesGenerator.CLASSES, ShapesGenerator.CLASS_NAMES.size());
  }

  @Test
  void filledShapesCoverTheirCentreInTheShapeColour() {
    for (long id = 0; id < 2000; id++) {
      ShapesGenerator.Params p = ShapesGenerator.params(11, id);
      assertTrue(distance(p.fg(), p.bg()) >= 150, "sample " + id);
      if (p.label() == 5 || p.label() == 8) {
        continue; // ring and crescent are hollow at the centre
      }
      byte[] img = ShapesGenerator.render(11, id);
      int[] centre = pixel(img, (int) p.cx(), (int) p.cy());
      assertTrue(
          distance(centre, p.fg()) < distance(centre, p.bg()),
          "sample " + id + " (" + ShapesGenerator.CLASS_NAMES.get(p.label()) + ")");
    }
  }

  @Test
  void cornersFarFromTheShapeShowTheBackground() {
    for (long id = 0; id < 2000; id++) {
      ShapesGenerator.Params p = ShapesGenerator.params(11, id);
      int x = p.cx() < 16 ? 31 : 0;
      int y = p.cy() < 16 ? 31 : 0;
      if (Math.hypot(x + 0.5 - p.cx(), y + 0.5 - p.cy()) < 1.1 * p.radius() + 1) {
        continue;
      }
      int[] corner = pixel(ShapesGenerator.render(11, id), x, y);
      assertTrue(distance(corner, p.bg()) <= ShapesGenerator.NOISE * Math.sqrt(3), "sample " + id);
    }
  }

  @Test
  void shapeTestsMatchTheirGeometry() {
    assertTrue(ShapesGenerator.inside(4, 0.95f, 0f)); // a star's point
    assertFalse(ShapesGenerator.inside(4, 0.6f * 0.809f, 0.6f * 0.588f)); // between two points
    assertTrue(ShapesGenerator.inside(4, 0f, 0f));
    assertFalse(ShapesGenerator.inside(5, 0f, 0f)); // the ring's hole
    assertTrue(ShapesGenerator.inside(5, 0.75f, 0f));
    assertTrue(ShapesGenerator.inside(3, 0.9f, 0f));
    assertFalse(ShapesGenerator.inside(3, 0.6f, 0.6f)); // between a cross's arms
    assertTrue(ShapesGenerator.inside(1, 0.6f, 0.6f)); // a square's corner
    assertFalse(ShapesGenerator.inside(6, 0.6f, 0.6f)); // not in the diamond
  }

  private static double distance(int[] a, int[] b) {
    return Math.sqrt(
        Math.pow(a[0] - b[0], 2) + Math.pow(a[1] - b[1], 2) + Math.pow(a[2] - b[2], 2));
  }

  private static int[] pixel(byte[] img, int x, int y) {
    int i = y * ShapesGenerator.SIZE + x;
    return new int[] {img[i] & 0xff, img[N + i] & 0xff, img[2 * N + i] & 0xff};
  }

  /** One row per class, `perClass` samples each, scaled up by `zoom`, as a PNG. */
  static void writeGrid(Path file, long seed, int perClass, int zoom) throws IOException {
    int s = ShapesGenerator.SIZE;
    int cell = s * zoom + 2;
    BufferedImage grid =
        new BufferedImage(
            perClass * cell, ShapesGenerator.CLASSES * cell, BufferedImage.TYPE_INT_RGB);
    int[] filled = new int[ShapesGenerator.CLASSES];
    for (long id = 0; Arrays.stream(filled).min().getAsInt() < perClass; id++) {
      int c = ShapesGenerator.label(seed, id);
      if (filled[c] == perClass) {
        continue;
      }
      byte[] img = ShapesGenerator.render(seed, id);
      for (int y = 0; y < s * zoom; y++) {
        for (int x = 0; x < s * zoom; x++) {
          int[] rgb = pixel(img, x / zoom, y / zoom);
          grid.setRGB(filled[c] * cell + x, c * cell + y, rgb[0] << 16 | rgb[1] << 8 | rgb[2]);
        }
      }
      filled[c]++;
    }
    ImageIO.write(grid, "png", file.toFile());
  }

  /** Writes /tmp/shapes.png, or the file given, to look at the classes. */
  public static void main(String[] args) throws IOException {
    writeGrid(Path.of(args.length > 0 ? args[0] : "/tmp/shapes.png"), 42, 12, 3);
  }
}

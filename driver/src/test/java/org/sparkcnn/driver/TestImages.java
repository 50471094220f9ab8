/*
 * Image folders written for the tests in the ImageNet layout, root/train|val/<a|b>/img<i>.<ext>:
 * class a is a bright square on noise, class b a dark one, so that a small network tells them
 * apart in a few steps. Where the sizes and formats vary is the test's to say.
 */
package org.sparkcnn.driver;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntFunction;
import javax.imageio.ImageIO;
import org.sparkcnn.engine.Rng;

public final class TestImages {
  private TestImages() {}

  /** How image i of a split is drawn: its {width, height} from its generator, and its format. */
  interface Layout {
    int[] size(int i, Rng r);

    String format(int i);
  }

  /**
   * Writes `train` and `test` images (val/ is the test split), image i of class a when i is even;
   * the square's half-side is the image's side over `squareDivisor`.
   */
  public static Path folder(
      Path root, int train, int test, long seed, int squareDivisor, Layout layout)
      throws Exception {
    for (String split : List.of("train", "val")) {
      int n = split.equals("train") ? train : test;
      for (int i = 0; i < n; i++) {
        String c = i % 2 == 0 ? "a" : "b";
        Rng r = Rng.of(seed, split.hashCode(), i);
        int[] wh = layout.size(i, r);
        int w = wh[0];
        int h = wh[1];
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            boolean inside =
                Math.abs(x - w / 2) < w / squareDivisor && Math.abs(y - h / 2) < h / squareDivisor;
            int v = inside ? (c.equals("a") ? 230 : 25) : r.nextInt(256);
            img.setRGB(x, y, (v << 16) | (r.nextInt(256) << 8) | v);
          }
        }
        String format = layout.format(i);
        Path file = root.resolve(split).resolve(c).resolve("img" + i + "." + format);
        Files.createDirectories(file.getParent());
        assertTrue(ImageIO.write(img, format, file.toFile()), "wrote " + file);
      }
    }
    return root;
  }

  /** A Layout from a size rule and a format rule. */
  public static Layout layout(
      java.util.function.BiFunction<Integer, Rng, int[]> size, IntFunction<String> format) {
    return new Layout() {
      @Override
      public int[] size(int i, Rng r) {
        return size.apply(i, r);
      }

      @Override
      public String format(int i) {
        return format.apply(i);
      }
    };
  }
}

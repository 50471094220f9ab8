/*
 * bench-augment: one line per pipeline in the reference script's format on a tiny folder of
 * JPEG files (no timing asserted), threads' shares that cover every image once, and bad options
 * refused with a message.
 */
package org.sparkcnn.driver.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.driver.Main;
import org.sparkcnn.driver.MainTest;

class AugmentBenchTest {
  @TempDir Path dir;

  private void image(String name, int w, int h) throws IOException {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, (x * 7 & 0xFF) << 16 | (y * 5 & 0xFF) << 8 | (x + y & 0xFF));
      }
    }
    Path f = dir.resolve(name);
    Files.createDirectories(f.getParent());
    assertTrue(ImageIO.write(img, name.endsWith(".png") ? "png" : "jpeg", f.toFile()));
  }

  @Test
  void printsALinePerPipelineInTheScriptsFormat() throws IOException {
    image("ants/a.jpg", 120, 90);
    image("bees/b.JPEG", 64, 200);
    image("bees/c.png", 50, 50); // not a JPEG: left out
    Files.writeString(dir.resolve("bees/imageNotFound.gif"), "GIF89a");
    assertEquals(2, AugmentBench.jpegs(dir).size());
    MainTest.Outcome o =
        MainTest.cli(
            "bench-augment", "--seconds", "0.05", "--threads", "2", "--images", dir.toString());
    assertEquals(0, o.status(), o.err());
    String[] lines = o.out().strip().split("\n");
    assertEquals(2, lines.length, o.out());
    assertTrue(
        lines[0].matches(
            "A1 cifar_style threads=2 images_per_sec=\\d+\\.\\d"
                + " images_per_sec_per_core=\\d+\\.\\d images_per_cpu_sec=\\d+\\.\\d"),
        lines[0]);
    assertTrue(
        lines[1].matches(
            "A2 imagenet_style threads=2 images_per_sec=\\d+\\.\\d"
                + " images_per_sec_per_core=\\d+\\.\\d images_per_cpu_sec=\\d+\\.\\d"),
        lines[1]);
  }

  @Test
  void sharesCoverEveryImageOnce() {
    assertArrayEquals(new int[] {1, 4, 7}, AugmentBench.share(9, 3, 1));
    assertArrayEquals(new int[] {2, 5}, AugmentBench.share(7, 3, 2));
    assertArrayEquals(new int[0], AugmentBench.share(1, 2, 1));
  }

  @Test
  void badOptionsAreRefusedWithAMessage() {
    MainTest.Outcome o = MainTest.cli("bench-augment", "--threads", "0");
    assertEquals(Main.EXIT_BAD_INPUT, o.status());
    assertTrue(o.err().contains("--threads must be >= 1, got 0"), o.err());
    o = MainTest.cli("bench-augment", "--seconds", "-1");
    assertEquals(Main.EXIT_BAD_INPUT, o.status());
    assertTrue(o.err().contains("--seconds must be in (0, 3600], got -1.0"), o.err());
    o = MainTest.cli("bench-augment", "--pipelines", "A3");
    assertTrue(o.err().contains("unknown pipeline A3; known: A1, A2"), o.err());
    o = MainTest.cli("bench-augment", "--images", dir.resolve("none").toString());
    assertEquals(Main.EXIT_BAD_INPUT, o.status());
    assertTrue(o.err().contains("is not a folder; A2 needs a folder of JPEG files"), o.err());
    o = MainTest.cli("bench-augment", "--images", dir.toString());
    assertEquals(Main.EXIT_BAD_INPUT, o.status());
    assertTrue(o.err().contains("holds no JPEG files (*.jpg, *.jpeg)"), o.err());
  }
}

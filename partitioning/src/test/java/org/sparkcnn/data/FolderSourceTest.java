/*
 * FolderSource on a small folder tree written here: JPEG, grey PNG and GIF files, a file name
 * with a space, classes in sorted order with dense ids, the resize + centre crop of a
 * hand-checkable image (left half red, right half blue); and the messages of a class folder only
 * the test split has, an empty class folder and a file that is not an image.
 */
package org.sparkcnn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FolderSourceTest {
  private static SparkSession spark;
  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("folder-test")
        .config("spark.ui.enabled", "false").getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** A w x h image, left half red, right half blue, written in format to path. */
  private static void image(Path path, int w, int h, String format, int type) throws Exception {
    BufferedImage img = new BufferedImage(w, h, type);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, (x < w / 2 ? Color.RED : Color.BLUE).getRGB());
      }
    }
    Files.createDirectories(path.getParent());
    assertTrue(ImageIO.write(img, format, path.toFile()), "wrote " + path);
  }

  private void tree() throws Exception {
    image(dir.resolve("train/bees/b1.png"), 40, 20, "png", BufferedImage.TYPE_INT_RGB);
    image(dir.resolve("train/ants/ant photos.jpg"), 30, 30, "jpg", BufferedImage.TYPE_INT_RGB);
    image(dir.resolve("train/ants/grey.png"), 16, 16, "png", BufferedImage.TYPE_BYTE_GRAY);
    image(dir.resolve("train/ants/placeholder.gif"), 12, 12, "gif", BufferedImage.TYPE_INT_RGB);
    image(dir.resolve("val/bees/v.png"), 8, 8, "png", BufferedImage.TYPE_INT_RGB);
  }

  @Test
  void readsEveryFormatInClassOrder() throws Exception {
    tree();
    FolderSource s = new FolderSource(dir.toString(), 8, 0, 0);
    s.check();
    assertEquals(List.of("ants", "bees"), s.classNames());
    List<Sample> train = s.load(spark, Split.TRAIN).collectAsList().stream().map(Sample::fromRow)
        .sorted(Comparator.comparingLong(Sample::id)).toList();
    assertEquals(List.of(0, 0, 0, 1), train.stream().map(Sample::label).toList());
    assertEquals(List.of(0L, 1L, 2L, 3L), train.stream().map(Sample::id).toList());
    for (Sample x : train) {
      assertEquals(3 * 8 * 8, x.pixels().length);
    }
    // b1.png, 40x20: the centre 20x20 square is cols 10..29, red left of col 20, blue right
    byte[] b = train.get(3).pixels();
    assertEquals(255, b[0] & 0xff, "top-left red");
    assertEquals(0, b[2 * 64] & 0xff, "top-left has no blue");
    assertEquals(255, b[2 * 64 + 7] & 0xff, "top-right blue");
    assertEquals(1, s.load(spark, Split.TEST).count());
  }

  @Test
  void badFoldersAndFilesAreNamed() throws Exception {
    tree();
    Files.createDirectories(dir.resolve("val/wasps"));
    image(dir.resolve("val/wasps/w.png"), 8, 8, "png", BufferedImage.TYPE_INT_RGB);
    FolderSource s = new FolderSource(dir.toString(), 8, 0, 0);
    var only = assertThrows(IllegalArgumentException.class, s::check);
    assertTrue(only.getMessage().contains("wasps appears only in the test split"),
        only.getMessage());
    Files.delete(dir.resolve("val/wasps/w.png"));
    Files.delete(dir.resolve("val/wasps"));

    Files.createDirectories(dir.resolve("train/moths"));
    var empty = assertThrows(IllegalArgumentException.class, s::check);
    assertTrue(empty.getMessage().contains("moths holds no files"), empty.getMessage());
    Files.delete(dir.resolve("train/moths"));

    var bad = assertThrows(IllegalArgumentException.class,
        () -> FolderSource.decode(new byte[] {1, 2, 3}, 8, "x/y.jpg"));
    assertTrue(bad.getMessage().contains("cannot decode the image x/y.jpg"), bad.getMessage());
    assertEquals("ants/ant photos.jpg",
        FolderSource.key("file:/data/train/ants/ant%20photos.jpg"));
    assertEquals("ants/ant photos.jpg", FolderSource.key("file:/data/train/ants/ant photos.jpg"));
  }
}

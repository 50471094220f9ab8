/*
 * FolderSource on a small folder tree written here: JPEG, grey PNG and GIF files, a file name
 * with a space, classes in sorted order with dense ids, the resize + centre crop of a
 * hand-checkable image (left half red, right half blue); and the messages of a class folder only
 * the test split has, an empty class folder, an unreadable file and a file that is not an image.
 * A truncated JPEG (which javax.imageio would return as a partly grey image with only a warning),
 * a truncated PNG and garbage bytes are refused by decode(), naming the file, and load() skips
 * them: the other files keep the ids of the listing, and listing() still has all of them.
 */
package org.sparkcnn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FolderSourceTest {
  private static SparkSession spark;
  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("folder-test")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
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
    List<Sample> train =
        s.load(spark, Split.TRAIN).collectAsList().stream()
            .map(Sample::fromRow)
            .sorted(Comparator.comparingLong(Sample::id))
            .toList();
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
    assertTrue(
        only.getMessage().contains("wasps appears only in the test split"), only.getMessage());
    Files.delete(dir.resolve("val/wasps/w.png"));
    Files.delete(dir.resolve("val/wasps"));

    Files.createDirectories(dir.resolve("train/moths"));
    var empty = assertThrows(IllegalArgumentException.class, s::check);
    assertTrue(empty.getMessage().contains("moths holds no files"), empty.getMessage());
    Files.delete(dir.resolve("train/moths"));

    var bad =
        assertThrows(
            IllegalArgumentException.class,
            () -> FolderSource.decode(new byte[] {1, 2, 3}, 8, "x/y.jpg"));
    assertTrue(bad.getMessage().contains("cannot decode the image x/y.jpg"), bad.getMessage());
    assertEquals("ants/ant photos.jpg", FolderSource.key("file:/data/train/ants/ant%20photos.jpg"));
    assertEquals("ants/ant photos.jpg", FolderSource.key("file:/data/train/ants/ant photos.jpg"));
  }

  /** A w x h image of random colours encoded in format. */
  private static byte[] encoded(String format, int w, int h) throws Exception {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    java.util.Random rnd = new java.util.Random(7);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, rnd.nextInt());
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(img, format, out), format);
    return out.toByteArray();
  }

  @Test
  void truncatedAndGarbageFilesAreRefusedByName() throws Exception {
    byte[] jpeg = encoded("jpg", 40, 40);
    assertEquals(3 * 16 * 16, FolderSource.decode(jpeg, 16, "ok.jpg").length);

    byte[] cut = Arrays.copyOf(jpeg, jpeg.length * 6 / 10);
    assertTrue(
        ImageIO.read(new java.io.ByteArrayInputStream(cut)) != null,
        "javax.imageio alone returns the truncated JPEG as an image, with only a warning");
    var truncated =
        assertThrows(
            IllegalArgumentException.class, () -> FolderSource.decode(cut, 16, "a/cut.jpg"));
    assertTrue(
        truncated.getMessage().startsWith("cannot decode the image a/cut.jpg")
            && truncated.getMessage().contains("truncated or corrupt"),
        truncated.getMessage());

    byte[] png = encoded("png", 20, 20);
    var pngCut =
        assertThrows(
            IllegalArgumentException.class,
            () -> FolderSource.decode(Arrays.copyOf(png, png.length / 2), 16, "a/cut.png"));
    assertTrue(pngCut.getMessage().contains("a/cut.png"), pngCut.getMessage());

    var garbage =
        assertThrows(
            IllegalArgumentException.class,
            () -> FolderSource.decode("not an image".getBytes(), 16, "a/notes.jpg"));
    assertTrue(
        garbage
            .getMessage()
            .contains("a/notes.jpg (12 bytes): not a format javax.imageio" + " reads"),
        garbage.getMessage());
  }

  @Test
  void loadSkipsUndecodableFilesAndKeepsTheListedIds() throws Exception {
    tree();
    byte[] jpeg = encoded("jpg", 30, 30);
    Files.write(dir.resolve("train/ants/cut.jpg"), Arrays.copyOf(jpeg, jpeg.length / 2));
    Files.write(dir.resolve("train/bees/garbage.png"), new byte[] {9, 9, 9, 9});
    FolderSource s = new FolderSource(dir.toString(), 8, 0, 0);
    s.check(); // the files are readable: corruption shows only when they are decoded
    List<String> listing = s.listing(Split.TRAIN).orElseThrow();
    assertEquals(6, listing.size());
    assertTrue(listing.get(1).endsWith("train/ants/cut.jpg"), listing.toString());
    assertTrue(listing.get(5).endsWith("train/bees/garbage.png"), listing.toString());
    List<Sample> train =
        s.load(spark, Split.TRAIN).collectAsList().stream()
            .map(Sample::fromRow)
            .sorted(Comparator.comparingLong(Sample::id))
            .toList();
    assertEquals(List.of(0L, 2L, 3L, 4L), train.stream().map(Sample::id).toList());
    assertEquals(List.of(0, 0, 0, 1), train.stream().map(Sample::label).toList());
  }

  @Test
  void anUnreadableFileIsNamed() throws Exception {
    tree();
    Path locked = dir.resolve("train/ants/grey.png");
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
    Assumptions.assumeFalse(
        Files.isReadable(locked), "this user (root?) reads files whatever their permissions");
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new FolderSource(dir.toString(), 8, 0, 0).check());
    assertTrue(e.getMessage().contains("cannot read the image " + locked), e.getMessage());
  }
}

/*
 * Tests of the IDX reader on small files made here, plain and gzipped, on each kind of broken
 * file (the message must name the file and the problem), and on the real MNIST test set when
 * ../shared/datasets/mnist is present.
 */
package org.sparkcnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
  private static final byte[] PIXELS = {0, 1, 2, 3, 4, 5, (byte) 200, (byte) 255, 9, 10, 11, 12};

  /** An IDX file: magic 0x0000 type dims, the sizes, then data. */
  private static byte[] idx(int type, int[] sizes, byte[] data) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream d = new DataOutputStream(b); // big-endian, as IDX is
    d.writeInt(type << 8 | sizes.length);
    for (int s : sizes) {
      d.writeInt(s);
    }
    d.write(data);
    return b.toByteArray();
  }

  private static byte[] gzip(byte[] plain) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(b)) {
      g.write(plain);
    }
    return b.toByteArray();
  }

  private static byte[] imagesFile() throws IOException {
    return idx(8, new int[] {2, 2, 3}, PIXELS); // 2 images of 2x3
  }

  private static IdxReader.Images images(byte[] file, String name) throws IOException {
    return IdxReader.readImages(new ByteArrayInputStream(file), name);
  }

  @Test
  void readsPlainAndGzippedImagesBack() throws IOException {
    for (byte[] file : new byte[][] {imagesFile(), gzip(imagesFile())}) {
      IdxReader.Images im = images(file, "imgs");
      assertEquals(2, im.count());
      assertEquals(2, im.rows());
      assertEquals(3, im.cols());
      assertArrayEquals(PIXELS, im.pixels());
    }
  }

  @Test
  void readsPlainAndGzippedLabelsFromPaths(@TempDir Path dir) throws IOException {
    byte[] labels = {3, 1, 4, 1, 5, 9, 2, 6};
    byte[] file = idx(8, new int[] {labels.length}, labels);
    Files.write(dir.resolve("plain"), file);
    Files.write(dir.resolve("packed.gz"), gzip(file));
    Files.write(dir.resolve("packed-no-suffix"), gzip(file)); // gzip known by content, not name
    for (String name : new String[] {"plain", "packed.gz", "packed-no-suffix"}) {
      assertArrayEquals(labels, IdxReader.readLabels(dir.resolve(name)), name);
    }
    Files.write(dir.resolve("im.gz"), gzip(imagesFile()));
    assertArrayEquals(PIXELS, IdxReader.readImages(dir.resolve("im.gz")).pixels());
  }

  @Test
  void readsAnEmptySet() throws IOException {
    assertEquals(0, images(idx(8, new int[] {0, 28, 28}, new byte[0]), "e").count());
  }

  @Test
  void findsThePlainOrTheGzippedFile(@TempDir Path dir) throws IOException {
    assertEquals(Optional.empty(), IdxReader.find(dir, "a"));
    Files.write(dir.resolve("a.gz"), new byte[0]);
    assertEquals(Optional.of(dir.resolve("a.gz")), IdxReader.find(dir, "a"));
    Files.write(dir.resolve("a"), new byte[0]);
    assertEquals(Optional.of(dir.resolve("a")), IdxReader.find(dir, "a"));
  }

  private static void assertFails(byte[] file, String... parts) {
    IOException e = assertThrows(IOException.class, () -> images(file, "my-file"));
    assertTrue(e.getMessage().startsWith("my-file: "), e.getMessage());
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "'" + p + "' not in: " + e.getMessage());
    }
  }

  @Test
  void namesTheFileAndTheProblem() throws IOException {
    assertFails(
        new byte[0], "expected magic 2051 (0x00000803, idx3 unsigned byte images)", "only 0 bytes");
    assertFails("PK\3\4 a zip file".getBytes(), "expected magic 2051", "not an IDX file");
    assertFails(
        idx(0x0D, new int[] {2, 2, 3}, new byte[48]),
        "data type 0xd (float)",
        "expected 0x08 (unsigned byte)");
    assertFails(
        idx(8, new int[] {12}, PIXELS),
        "found 2049",
        "labels file?",
        "1 dimensions, expected 3 (count, rows, cols)");
    assertFails(
        Arrays.copyOf(imagesFile(), 10), "expected 3 dimension sizes", "ends after 10 bytes");
    assertFails(idx(8, new int[] {2, -2, 3}, PIXELS), "dimension 1 (rows) is -2");
    assertFails(idx(8, new int[] {60000, 60000, 60000}, PIXELS), "more than one Java array");
    assertFails(
        idx(8, new int[] {10000, 28, 28}, PIXELS),
        "expected 7840000 pixel bytes, file ends after 12 of them");
    assertFails(
        gzip(Arrays.copyOf(imagesFile(), 20)), "expected 12 pixel bytes", "ends after 4 of them");
    assertFails(idx(8, new int[] {2, 2, 2}, PIXELS), "holds more data");
    byte[] brokenGzip = Arrays.copyOf(gzip(imagesFile()), 25);
    assertFails(brokenGzip); // a cut gzip stream: still named
  }

  @Test
  void labelsWithTheWrongMagicAreNamed() throws IOException {
    IOException e =
        assertThrows(
            IOException.class,
            () -> IdxReader.readLabels(new ByteArrayInputStream(imagesFile()), "lab"));
    assertTrue(
        e.getMessage()
            .startsWith(
                "lab: expected magic 2049 (0x00000801, idx1 unsigned "
                    + "byte labels), found 2051"),
        e.getMessage());
  }

  @Test
  void countMismatchNamesBothFiles() throws IOException {
    IdxReader.Images im = images(imagesFile(), "imgs");
    IdxReader.checkSameCount(im, new byte[2], "imgs", "labs");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> IdxReader.checkSameCount(im, new byte[3], "imgs", "labs"));
    assertTrue(
        e.getMessage().contains("imgs holds 2 images but labs holds 3 labels"), e.getMessage());
  }

  @Test
  void readsTheRealMnistTestSet() throws IOException {
    Path dir = Path.of(String.valueOf(System.getProperty("sparkcnn.shared")), "datasets", "mnist");
    if (!Files.isDirectory(dir)) {
      String why = dir + " is absent (set -Dsparkcnn.shared to the shared folder)";
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError(why);
      }
      assumeTrue(false, why);
    }
    Path imagesPath = IdxReader.find(dir, "t10k-images-idx3-ubyte").orElseThrow();
    Path labelsPath = IdxReader.find(dir, "t10k-labels-idx1-ubyte").orElseThrow();
    IdxReader.Images im = IdxReader.readImages(imagesPath);
    byte[] labels = IdxReader.readLabels(labelsPath);
    IdxReader.checkSameCount(im, labels, imagesPath.toString(), labelsPath.toString());
    assertEquals(10_000, im.count());
    assertEquals(28, im.rows());
    assertEquals(28, im.cols());
    int[] counts = new int[10];
    for (byte l : labels) {
      assertTrue(l >= 0 && l <= 9, "label " + l);
      counts[l]++;
    }
    assertTrue(Arrays.stream(counts).allMatch(c -> c > 800), Arrays.toString(counts));
  }
}

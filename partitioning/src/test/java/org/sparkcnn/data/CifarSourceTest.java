/*
 * CifarSource on small files written in the exact published record formats (CIFAR-10: label byte
 * then 3072 pixel bytes; CIFAR-100: coarse and fine label bytes then the pixels): ids dense in
 * file order, the fine label, the planes as [C, H, W], the size limit; and the errors of a missing
 * file, a truncated file and a label out of range, each naming the file (and the record).
 */
package org.sparkcnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarSourceTest {
  private static SparkSession spark;
  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("cifar-test")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** Pixel byte i of record r of a file: distinct per file, record and position. */
  private static byte pixel(int file, int r, int i) {
    return (byte) (file * 37 + r * 11 + i * 7);
  }

  /**
   * Writes records of one file: CIFAR-10 (labelBytes 1) or CIFAR-100 (2: coarse, fine); the labels
   * are (record + file) mod classes.
   */
  static void write(Path file, int fileNo, int records, int labelBytes, int classes)
      throws IOException {
    int size = labelBytes + CifarSource.PIXELS;
    byte[] b = new byte[records * size];
    for (int r = 0; r < records; r++) {
      int fine = (r + fileNo) % classes;
      if (labelBytes == 2) {
        b[r * size] = (byte) (fine / 5); // the coarse label, unused
      }
      b[r * size + labelBytes - 1] = (byte) fine;
      for (int i = 0; i < CifarSource.PIXELS; i++) {
        b[r * size + labelBytes + i] = pixel(fileNo, r, i);
      }
    }
    Files.createDirectories(file.getParent());
    Files.write(file, b);
  }

  private void writeCifar10(int perBatch, int test) throws IOException {
    Path f = dir.resolve("cifar-10-batches-bin");
    for (int i = 1; i <= 5; i++) {
      write(f.resolve("data_batch_" + i + ".bin"), i, perBatch, 1, 10);
    }
    write(f.resolve("test_batch.bin"), 0, test, 1, 10);
  }

  private static List<Sample> samples(Source s, Split split) {
    return s.load(spark, split).collectAsList().stream()
        .map(Sample::fromRow)
        .sorted(Comparator.comparingLong(Sample::id))
        .toList();
  }

  @Test
  void cifar10ReadsTheFiveBatchesInOrder() throws IOException {
    writeCifar10(3, 4);
    CifarSource s = new CifarSource(dir.toString(), "cifar10", 0, 0);
    s.check();
    assertEquals(10, s.classes());
    List<Sample> train = samples(s, Split.TRAIN);
    assertEquals(15, train.size());
    for (int id = 0; id < 15; id++) {
      Sample x = train.get(id);
      int file = id / 3 + 1;
      int r = id % 3;
      assertEquals(id, x.id());
      assertEquals((r + file) % 10, x.label(), "label of sample " + id);
      assertEquals(pixel(file, r, 0), x.pixels()[0]);
      assertEquals(pixel(file, r, 1024), x.pixels()[1024], "green plane starts at 1024");
      assertEquals(pixel(file, r, 3071), x.pixels()[3071]);
    }
    assertEquals(4, samples(s, Split.TEST).size());
    assertEquals(7, samples(new CifarSource(dir.toString(), "cifar10", 7, 0), Split.TRAIN).size());
  }

  @Test
  void cifar100UsesTheFineLabel() throws IOException {
    Path f = dir.resolve("cifar-100-binary");
    write(f.resolve("train.bin"), 0, 5, 2, 100);
    write(f.resolve("test.bin"), 3, 2, 2, 100);
    Files.write(
        f.resolve("train.bin"), patchFine(Files.readAllBytes(f.resolve("train.bin")), 4, 99));
    CifarSource s = new CifarSource(dir.toString(), "cifar100", 0, 0);
    s.check();
    assertEquals(100, s.classes());
    List<Sample> train = samples(s, Split.TRAIN);
    assertEquals(List.of(0, 1, 2, 3, 99), train.stream().map(Sample::label).toList());
    byte[] want = new byte[CifarSource.PIXELS];
    for (int i = 0; i < want.length; i++) {
      want[i] = pixel(0, 2, i);
    }
    assertArrayEquals(want, train.get(2).pixels());
    assertEquals(List.of(3, 4), samples(s, Split.TEST).stream().map(Sample::label).toList());
  }

  private static byte[] patchFine(byte[] b, int record, int label) {
    b[record * (2 + CifarSource.PIXELS) + 1] = (byte) label;
    return b;
  }

  @Test
  void badFilesAreNamed() throws IOException {
    CifarSource s = new CifarSource(dir.toString(), "cifar10", 0, 0);
    var missing = assertThrows(IllegalArgumentException.class, s::check);
    assertTrue(
        missing.getMessage().contains("data_batch_1.bin does not exist"), missing.getMessage());

    writeCifar10(2, 2);
    Path batch3 = dir.resolve("cifar-10-batches-bin/data_batch_3.bin");
    byte[] whole = Files.readAllBytes(batch3);
    Files.write(batch3, Arrays.copyOf(whole, whole.length - 100));
    var truncated = assertThrows(IllegalArgumentException.class, s::check);
    assertTrue(
        truncated.getMessage().contains("data_batch_3.bin")
            && truncated.getMessage().contains("not a whole number"),
        truncated.getMessage());

    whole[1 + CifarSource.PIXELS] = 10; // record 1's label
    Files.write(batch3, whole);
    var label = assertThrows(IllegalArgumentException.class, s::check);
    assertTrue(
        label.getMessage().contains("data_batch_3.bin: record 1 has label 10, expected 0..9"),
        label.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new CifarSource("x", "cifar20", 0, 0));
  }
}

/*
 * Source.samples(), what training caches, against load()'s rows, for the sources that make their
 * samples without Spark SQL (MNIST's IDX files, gzipped and plain; CIFAR's binaries; the generated
 * shapes): the same ids, labels and pixels, and for the files, the values written into them.
 */
package org.sparkcnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceSamplesTest {
  private static SparkSession spark;
  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("source-samples-test")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static List<Sample> sorted(List<Sample> s) {
    return s.stream().sorted(Comparator.comparingLong(Sample::id)).toList();
  }

  /** samples() and load() give the same samples; returns them by id. */
  private static List<Sample> sameBothWays(Source s, Split split) {
    List<Sample> direct = sorted(s.samples(spark, split).collect());
    List<Sample> rows =
        sorted(s.load(spark, split).collectAsList().stream().map(Sample::fromRow).toList());
    assertEquals(rows.size(), direct.size(), "sample count");
    for (int i = 0; i < rows.size(); i++) {
      assertEquals(rows.get(i).id(), direct.get(i).id(), "id at " + i);
      assertEquals(rows.get(i).label(), direct.get(i).label(), "label of " + rows.get(i).id());
      assertArrayEquals(rows.get(i).pixels(), direct.get(i).pixels(), "pixels of " + i);
    }
    return direct;
  }

  private static byte pixel(int split, int image, int i) {
    return (byte) (split * 101 + image * 13 + i * 3);
  }

  /** An IDX file: magic 0x0000 08 dims, the sizes, the data; gzipped when asked. */
  private static void idx(Path file, int dims, int[] sizes, byte[] data, boolean gzip)
      throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(b);
    out.writeInt(0x0800 | dims);
    for (int size : sizes) {
      out.writeInt(size);
    }
    out.write(data);
    Files.createDirectories(file.getParent());
    try (OutputStream f = Files.newOutputStream(file)) {
      if (gzip) {
        try (GZIPOutputStream z = new GZIPOutputStream(f)) {
          z.write(b.toByteArray());
        }
      } else {
        f.write(b.toByteArray());
      }
    }
  }

  private void mnist(String split, int n, int splitNo, boolean gzip) throws IOException {
    byte[] pixels = new byte[n * 784];
    byte[] labels = new byte[n];
    for (int k = 0; k < n; k++) {
      labels[k] = (byte) ((k * 7 + splitNo) % 10);
      for (int i = 0; i < 784; i++) {
        pixels[k * 784 + i] = pixel(splitNo, k, i);
      }
    }
    String z = gzip ? ".gz" : "";
    Path f = dir.resolve("mnist");
    idx(f.resolve(split + "-images-idx3-ubyte" + z), 3, new int[] {n, 28, 28}, pixels, gzip);
    idx(f.resolve(split + "-labels-idx1-ubyte" + z), 1, new int[] {n}, labels, gzip);
  }

  @Test
  void mnistFilesGzippedOrPlain() throws IOException {
    mnist("train", 5, 0, true);
    mnist("t10k", 3, 1, false);
    MnistSource s = new MnistSource(dir.toString(), "mnist", 0, 0);
    s.check();
    List<Sample> train = sameBothWays(s, Split.TRAIN);
    assertEquals(5, train.size());
    for (int k = 0; k < 5; k++) {
      assertEquals(k, train.get(k).id());
      assertEquals((k * 7) % 10, train.get(k).label());
      assertEquals(pixel(0, k, 783), train.get(k).pixels()[783]);
    }
    List<Sample> test = sameBothWays(s, Split.TEST);
    assertEquals(List.of(1, 8, 5), test.stream().map(Sample::label).toList());
    assertEquals(pixel(1, 2, 0), test.get(2).pixels()[0]);
    assertEquals(
        2, sameBothWays(new MnistSource(dir.toString(), "mnist", 2, 0), Split.TRAIN).size());
  }

  @Test
  void cifarBinaries() throws IOException {
    Path f = dir.resolve("cifar-10-batches-bin");
    for (int i = 1; i <= 5; i++) {
      CifarSourceTest.write(f.resolve("data_batch_" + i + ".bin"), i, 2, 1, 10);
    }
    CifarSourceTest.write(f.resolve("test_batch.bin"), 0, 3, 1, 10);
    CifarSource s = new CifarSource(dir.toString(), "cifar10", 0, 0);
    s.check();
    List<Sample> train = sameBothWays(s, Split.TRAIN);
    assertEquals(10, train.size());
    assertEquals((1 + 5) % 10, train.get(9).label(), "the last record of data_batch_5");
    assertEquals(3, sameBothWays(s, Split.TEST).size());
  }

  @Test
  void generatedShapes() {
    ShapesSource s = new ShapesSource(7, 1500, 40);
    assertEquals(1500, sameBothWays(s, Split.TRAIN).size());
    assertEquals(40, sameBothWays(s, Split.TEST).size());
  }
}

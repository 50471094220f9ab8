/*
 * Parquet shards written by ParquetShards and read back by ParquetSource: generated shapes round
 * trip decoded with ids, labels and pixels byte-identical to the source's rows; an image folder
 * (PNG, grey PNG, JPEG written here) round trips encoded, its original sizes kept in the rows and
 * its decoded pixels equal to FolderSource's at any data.image_size; and every bad input is named:
 * an existing output folder (left as it was), encoded shards from a source without files, a
 * folder without metadata, a wrong format version, a missing split folder, a missing or changed
 * shard, a Parquet file the metadata does not list, and samples of the wrong size.
 */
package org.sparkcnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.engine.Shape;

class ParquetSourceTest {
  private static SparkSession spark;
  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("parquet-test")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static List<Sample> samples(Source s, Split split) {
    return s.load(spark, split).collectAsList().stream()
        .map(Sample::fromRow)
        .sorted(Comparator.comparingLong(Sample::id))
        .toList();
  }

  private static void assertSameSamples(List<Sample> expected, List<Sample> actual) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i).id(), actual.get(i).id());
      assertEquals(expected.get(i).label(), actual.get(i).label(), "label of id " + i);
      assertArrayEquals(expected.get(i).pixels(), actual.get(i).pixels(), "pixels of id " + i);
    }
  }

  private Path prepareShapes() throws Exception {
    Path out = dir.resolve("shapes-parquet");
    ParquetShards.write(
        spark,
        new ShapesSource(7, 300, 100),
        Map.of("name", "shapes"),
        out,
        3,
        ParquetMeta.Format.DECODED);
    return out;
  }

  @Test
  void shapesRoundTripDecoded() throws Exception {
    ShapesSource shapes = new ShapesSource(7, 300, 100);
    Path out = prepareShapes();
    ParquetMeta meta = ParquetMeta.read(out);
    assertEquals(ParquetMeta.Format.DECODED, meta.format());
    assertEquals(Shape.of(3, 32, 32), meta.shape());
    assertEquals(ShapesGenerator.CLASS_NAMES, meta.classNames());
    assertEquals(300, meta.splits().get(Split.TRAIN).samples());
    assertEquals(100, meta.splits().get(Split.TEST).samples());
    assertEquals(3, meta.splits().get(Split.TRAIN).shards().size());
    assertEquals(
        300,
        meta.splits().get(Split.TRAIN).shards().stream().mapToLong(ParquetMeta.Shard::rows).sum());

    ParquetSource p = new ParquetSource(out.toString(), 64, 0, 0);
    p.check();
    assertEquals(shapes.shape(), p.shape());
    assertEquals(10, p.classes());
    for (Split s : Split.values()) {
      assertSameSamples(samples(shapes, s), samples(p, s));
    }
    List<Sample> first = samples(new ParquetSource(out.toString(), 64, 50, 0), Split.TRAIN);
    assertEquals(50, first.size());
    assertSameSamples(samples(shapes, Split.TRAIN).subList(0, 50), first);
  }

  private static void image(Path path, int w, int h, String format, int type) throws Exception {
    BufferedImage img = new BufferedImage(w, h, type);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(
            x,
            y,
            ((x * 37 + y * 11) & 0xff) << 16 | ((x * 5 + y * 23) & 0xff) << 8 | (x * y) & 0xff);
      }
    }
    Files.createDirectories(path.getParent());
    assertTrue(ImageIO.write(img, format, path.toFile()), "wrote " + path);
  }

  @Test
  void folderRoundTripEncoded() throws Exception {
    Path root = dir.resolve("images");
    image(root.resolve("train/ants/a.png"), 40, 20, "png", BufferedImage.TYPE_INT_RGB);
    image(root.resolve("train/ants/grey one.png"), 16, 16, "png", BufferedImage.TYPE_BYTE_GRAY);
    image(root.resolve("train/bees/b.jpg"), 24, 30, "jpg", BufferedImage.TYPE_INT_RGB);
    image(root.resolve("val/bees/v.jpg"), 20, 20, "jpg", BufferedImage.TYPE_INT_RGB);
    Path out = dir.resolve("images-parquet");
    FolderSource folder = new FolderSource(root.toString(), 16, 0, 0);
    ParquetShards.write(
        spark, folder, Map.of("name", "folder"), out, 2, ParquetMeta.Format.ENCODED);
    ParquetMeta meta = ParquetMeta.read(out);
    assertEquals(ParquetMeta.Format.ENCODED, meta.format());
    assertEquals(List.of("ants", "bees"), meta.classNames());
    assertEquals(3, meta.splits().get(Split.TRAIN).samples());

    List<Row> rows =
        spark
            .read()
            .parquet(out.resolve("train").toString())
            .orderBy("id")
            .select("id", "label", "height", "width", "channels", "path", "bytes")
            .collectAsList();
    assertEquals(
        List.of("ants/a.png", "ants/grey one.png", "bees/b.jpg"),
        rows.stream().map(r -> r.getString(5)).toList());
    assertEquals(List.of(20, 16, 30), rows.stream().map(r -> r.getInt(2)).toList());
    assertEquals(List.of(40, 16, 24), rows.stream().map(r -> r.getInt(3)).toList());
    assertEquals(List.of(3, 1, 3), rows.stream().map(r -> r.getInt(4)).toList());
    assertArrayEquals(
        Files.readAllBytes(root.resolve("train/bees/b.jpg")),
        (byte[]) rows.get(2).get(6),
        "the original file, byte for byte");

    for (int size : new int[] {16, 8}) {
      ParquetSource p = new ParquetSource(out.toString(), size, 0, 0);
      p.check();
      assertEquals(Shape.of(3, size, size), p.shape());
      FolderSource f = new FolderSource(root.toString(), size, 0, 0);
      for (Split s : Split.values()) {
        assertSameSamples(samples(f, s), samples(p, s));
      }
    }
  }

  @Test
  void refusesAnExistingOutputAndEncodedWithoutFiles() throws Exception {
    Path out = Files.createDirectories(dir.resolve("taken"));
    Files.writeString(out.resolve("keep.txt"), "mine");
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ParquetShards.write(
                    spark,
                    new ShapesSource(7, 10, 10),
                    Map.of("name", "shapes"),
                    out,
                    1,
                    ParquetMeta.Format.DECODED));
    assertTrue(e.getMessage().contains(out + " already exists and is not empty"), e.getMessage());
    assertEquals("mine", Files.readString(out.resolve("keep.txt")));
    try (Stream<Path> s = Files.list(out)) {
      assertEquals(1, s.count());
    }
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ParquetShards.write(
                    spark,
                    new ShapesSource(7, 10, 10),
                    Map.of("name", "shapes"),
                    dir.resolve("new"),
                    1,
                    ParquetMeta.Format.ENCODED));
    assertTrue(
        e.getMessage().contains("only data.source folder has; shapes has none"), e.getMessage());
    assertTrue(Files.notExists(dir.resolve("new")));
  }

  private static String checkError(Path out) {
    return assertThrows(
            IllegalArgumentException.class,
            () -> new ParquetSource(out.toString(), 64, 0, 0).check())
        .getMessage();
  }

  @Test
  void namesWhatIsWrongWithAPreparedFolder() throws Exception {
    Path none = dir.resolve("nothing");
    assertTrue(checkError(none).contains("no Parquet folder " + none));
    Path empty = Files.createDirectories(dir.resolve("unfinished"));
    assertTrue(
        checkError(empty).contains(empty.resolve("_sparkcnn.json") + " does not exist"),
        checkError(empty));

    Path out = prepareShapes();
    Path meta = out.resolve("_sparkcnn.json");
    String json = Files.readString(meta);
    Files.writeString(meta, json.replace("\"format_version\" : 1", "\"format_version\" : 2"));
    assertTrue(
        checkError(out).contains("format_version 2, but this sparkcnn reads version 1"),
        checkError(out));
    Files.writeString(meta, json.replace("\"format\" : \"decoded\"", "\"format\" : \"jpeg\""));
    assertTrue(
        checkError(out).contains("format 'jpeg': expected decoded or encoded"), checkError(out));
    Files.writeString(meta, "{\"format_version\": 1,");
    assertTrue(checkError(out).contains(meta + ": not valid JSON"), checkError(out));
    Files.writeString(meta, json);

    Path shard =
        out.resolve("train")
            .resolve(ParquetMeta.read(out).splits().get(Split.TRAIN).shards().get(0).file());
    byte[] bytes = Files.readAllBytes(shard);
    Files.write(out.resolve("train/part-99999-extra.parquet"), bytes);
    assertTrue(
        checkError(out).contains("part-99999-extra.parquet is not one of the shards"),
        checkError(out));
    Files.delete(out.resolve("train/part-99999-extra.parquet"));
    Files.write(shard, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    assertTrue(
        checkError(out).contains("the shard " + shard + " has " + bytes.length / 2 + " bytes"),
        checkError(out));
    Files.delete(shard);
    assertTrue(
        checkError(out).contains("the shard " + shard + " that " + meta + " lists does not exist"),
        checkError(out));
    Files.write(shard, bytes);
    try (Stream<Path> s = Files.list(out.resolve("test"))) {
      for (Path p : s.toList()) {
        Files.delete(p);
      }
    }
    Files.delete(out.resolve("test"));
    assertTrue(checkError(out).contains("no folder " + out.resolve("test")), checkError(out));
  }

  @Test
  void samplesOfAnotherSizeAreNamed() throws Exception {
    Path out = prepareShapes();
    Path meta = out.resolve("_sparkcnn.json");
    Files.writeString(meta, Files.readString(meta).replace("\"height\" : 32", "\"height\" : 16"));
    ParquetSource p = new ParquetSource(out.toString(), 64, 0, 0);
    p.check();
    assertEquals(Shape.of(3, 16, 32), p.shape());
    Exception e = assertThrows(Exception.class, () -> p.load(spark, Split.TEST).collectAsList());
    assertTrue(
        e.getMessage().contains("is 3x32x32 with 3072 pixel bytes, expected 3x16x32"),
        e.getMessage());
    assertTrue(e.getMessage().contains(".parquet: sample id "), e.getMessage());
  }
}

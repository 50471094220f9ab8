/*
 * What `deploy/sparkcnn prepare` does: reads both splits of any source through Spark and writes
 * them as Parquet shards that ParquetSource reads back (the layout is described there and in
 * ParquetMeta). Each split is hash-partitioned by id into the requested number of shards and
 * sorted by id inside each, so the same data gives the same shards. Decoded shards hold the
 * source's samples as they are; encoded shards, only possible from an image folder, keep each
 * original file, whose size is read (and decodability checked) on the executors now rather than
 * in the middle of a training run. After writing, the shards are read back to count their rows
 * and to check that the ids are dense (0..n-1) and, for decoded shards, that every sample has
 * the shape's size. The metadata file is written last, so an output folder without it is an
 * unfinished prepare; an existing non-empty output folder is refused before anything is written.
 */
package org.sparkcnn.data;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.sparkcnn.engine.Shape;

public final class ParquetShards {
  private ParquetShards() {}

  /** Refuses an output that exists and is not an empty folder, so that nothing is overwritten. */
  public static void checkOut(Path out) {
    if (!Files.exists(out)) {
      return;
    }
    if (!Files.isDirectory(out)) {
      throw new IllegalArgumentException(
          "--out "
              + out
              + " exists and is not a folder; prepare"
              + " writes a new folder (choose another --out)");
    }
    try (Stream<Path> s = Files.list(out)) {
      if (s.findAny().isPresent()) {
        throw new IllegalArgumentException(
            "--out "
                + out
                + " already exists and is not empty;"
                + " prepare writes only into a new or empty folder, so that nothing there is"
                + " overwritten (remove it or choose another --out)");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + out + ": " + e.getMessage(), e);
    }
  }

  /**
   * A local path as Spark's readers and writers take it: a file: URI that Hadoop parses back to the
   * same path (a URI string would keep escapes such as %20 as characters of the name).
   */
  static String hadoopPath(Path p) {
    return new org.apache.hadoop.fs.Path(p.toAbsolutePath().toUri()).toString();
  }

  /** Refuses encoded shards from a source without image files (all but folder). */
  public static void checkFormat(Source source, String name, ParquetMeta.Format format) {
    if (format == ParquetMeta.Format.ENCODED && !(source instanceof FolderSource)) {
      throw new IllegalArgumentException(
          "--format encoded keeps each sample's original image"
              + " file, which only data.source folder has; "
              + name
              + " has none: use --format"
              + " decoded");
    }
  }

  /**
   * Writes out/train, out/test and out/_sparkcnn.json; origin describes the source (its "name" and
   * what else defines the data) for the metadata.
   */
  public static ParquetMeta write(
      SparkSession spark,
      Source source,
      Map<String, Object> origin,
      Path out,
      int shards,
      ParquetMeta.Format format)
      throws IOException {
    if (shards < 1) {
      throw new IllegalArgumentException("shards must be positive, got " + shards);
    }
    checkOut(out);
    checkFormat(source, String.valueOf(origin.get("name")), format);
    Files.createDirectories(out);
    boolean decoded = format == ParquetMeta.Format.DECODED;
    Shape shape = decoded ? source.shape() : null;
    Map<Split, ParquetMeta.SplitInfo> splits = new EnumMap<>(Split.class);
    for (Split s : Split.values()) {
      Path folder = out.resolve(ParquetMeta.folder(s));
      Dataset<Row> rows =
          decoded ? decodedRows(spark, source, s) : encodedRows(spark, (FolderSource) source, s);
      rows.repartition(shards, col("id"))
          .sortWithinPartitions("id")
          .write()
          .parquet(hadoopPath(folder));
      splits.put(s, readBack(spark, folder, shape));
    }
    ParquetMeta meta =
        new ParquetMeta(format, origin, source.classes(), source.classNames(), shape, splits);
    meta.write(out);
    return meta;
  }

  private static Dataset<Row> decodedRows(SparkSession spark, Source source, Split s) {
    Shape shape = source.shape();
    return source
        .load(spark, s)
        .select(
            col("id"),
            col("label"),
            col("pixels"),
            functions.lit(shape.h()).as("height"),
            functions.lit(shape.w()).as("width"),
            functions.lit(shape.c()).as("channels"));
  }

  private static Dataset<Row> encodedRows(SparkSession spark, FolderSource source, Split s) {
    var rows =
        source
            .rawFiles(spark, s)
            .javaRDD()
            .map(
                r -> {
                  byte[] file = (byte[]) r.get(3);
                  int[] chw = FolderSource.dimensions(file, r.getString(2));
                  return RowFactory.create(
                      r.getLong(0),
                      r.getInt(1),
                      file,
                      chw[1],
                      chw[2],
                      chw[0],
                      FolderSource.key(r.getString(2)));
                });
    return spark.createDataFrame(rows, ParquetSource.ENCODED);
  }

  /**
   * The written shards of a split, read back: rows per file, ids dense from 0 and, for decoded
   * shards (shape not null), every sample of shape's size.
   */
  private static ParquetMeta.SplitInfo readBack(SparkSession spark, Path folder, Shape shape)
      throws IOException {
    List<Path> files;
    try (Stream<Path> st = Files.list(folder)) {
      files = st.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().toList();
    }
    if (files.isEmpty()) {
      throw new IllegalStateException("Spark wrote no Parquet file into " + folder);
    }
    Column badSize =
        shape == null
            ? functions.lit(0)
            : functions
                .when(functions.length(col("pixels")).notEqual(shape.size()), 1)
                .otherwise(0);
    List<Row> perFile =
        spark
            .read()
            .schema(shape == null ? ParquetSource.ENCODED : ParquetSource.DECODED)
            .parquet(files.stream().map(ParquetShards::hadoopPath).toArray(String[]::new))
            .groupBy(functions.input_file_name().as("file"))
            .agg(
                functions.count(functions.lit(1)),
                functions.min("id"),
                functions.max("id"),
                functions.sum(badSize))
            .collectAsList();
    Map<String, Long> rows = new HashMap<>();
    long total = 0;
    long minId = Long.MAX_VALUE;
    long maxId = -1;
    long bad = 0;
    for (Row r : perFile) {
      String uri = r.getString(0);
      rows.put(uri.substring(uri.lastIndexOf('/') + 1), r.getLong(1));
      total += r.getLong(1);
      minId = Math.min(minId, r.getLong(2));
      maxId = Math.max(maxId, r.getLong(3));
      bad += r.getLong(4);
    }
    if (total > 0 && (minId != 0 || maxId != total - 1)) {
      throw new IllegalStateException(
          folder
              + ": the source gave "
              + total
              + " samples with ids "
              + minId
              + ".."
              + maxId
              + ", expected dense ids 0.."
              + (total - 1));
    }
    if (bad > 0) {
      throw new IllegalStateException(
          folder
              + ": "
              + bad
              + " samples do not have the "
              + shape.size()
              + " pixel bytes of the source's shape "
              + shape);
    }
    List<ParquetMeta.Shard> shards = new ArrayList<>();
    for (Path p : files) {
      String name = p.getFileName().toString();
      shards.add(new ParquetMeta.Shard(name, rows.getOrDefault(name, 0L), Files.size(p)));
    }
    return new ParquetMeta.SplitInfo(total, shards);
  }
}

/*
 * A dataset prepared as Parquet shards by `deploy/sparkcnn prepare` (ParquetShards), data.dir
 * being the prepared folder: DIR/_sparkcnn.json (ParquetMeta), DIR/train/*.parquet and
 * DIR/test/*.parquet. The usual step before a large cluster run: one pass converts any source into
 * a few large files that every executor reads in parallel, instead of many small ones. Rows are
 * (id, label, height, width, channels) and either `pixels`, the decoded [C, H, W] bytes, or
 * `bytes`, the original image file (with `path`, its class/file name, for messages). check()
 * reads the metadata on the driver and names a missing folder, a shard that is missing or whose
 * size changed, or a Parquet file that the metadata does not list. load() reads exactly the listed
 * shards; decoded rows are used as they are, after a check of their size against the metadata's
 * shape, and encoded rows are decoded on the executors like data.source folder's files, to
 * data.image_size. A row's error names its shard file and sample id. Encoded shards are also the
 * source's encoded form (Source.Encoded, data.cache: encoded): loadEncoded() gives the rows' files
 * undecoded, each decoded once to check it exactly as load() does (an image that does not decode
 * fails the same way, naming it), and decodeFile() is the same FolderSource.decode at
 * data.image_size, so both caches train the same model.
 */
package org.sparkcnn.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sparkcnn.engine.Shape;

public record ParquetSource(String dir, int imageSize, int trainLimit, int testLimit)
    implements Source, Source.Encoded {
  /** Rows of decoded shards: pixels are [channels, height, width] unsigned bytes. */
  public static final StructType DECODED =
      new StructType()
          .add("id", DataTypes.LongType, false)
          .add("label", DataTypes.IntegerType, false)
          .add("pixels", DataTypes.BinaryType, false)
          .add("height", DataTypes.IntegerType, false)
          .add("width", DataTypes.IntegerType, false)
          .add("channels", DataTypes.IntegerType, false);

  /** Rows of encoded shards: the original file, its stored size and its class/file name. */
  public static final StructType ENCODED =
      new StructType()
          .add("id", DataTypes.LongType, false)
          .add("label", DataTypes.IntegerType, false)
          .add("bytes", DataTypes.BinaryType, false)
          .add("height", DataTypes.IntegerType, false)
          .add("width", DataTypes.IntegerType, false)
          .add("channels", DataTypes.IntegerType, false)
          .add("path", DataTypes.StringType, false);

  public ParquetSource {
    if (imageSize < 8) {
      throw new IllegalArgumentException("image size " + imageSize + ": expected at least 8");
    }
  }

  public ParquetMeta meta() {
    return ParquetMeta.read(Path.of(dir));
  }

  /** Decoded shards: the prepared shape; encoded: RGB at data.image_size, as folder decodes. */
  @Override
  public Shape shape() {
    Shape s = meta().shape();
    return s != null ? s : Shape.of(3, imageSize, imageSize);
  }

  @Override
  public int classes() {
    return meta().classes();
  }

  @Override
  public List<String> classNames() {
    return meta().classNames();
  }

  @Override
  public void check() {
    ParquetMeta m = meta();
    Path meta = Path.of(dir).resolve(ParquetMeta.FILE);
    for (Split s : Split.values()) {
      Path folder = Path.of(dir).resolve(ParquetMeta.folder(s));
      if (!Files.isDirectory(folder)) {
        throw new IllegalArgumentException(
            "no folder "
                + folder
                + " for the "
                + ParquetMeta.folder(s)
                + " split that "
                + meta
                + " describes");
      }
      ParquetMeta.SplitInfo info = m.splits().get(s);
      long rows = 0;
      for (ParquetMeta.Shard shard : info.shards()) {
        Path p = folder.resolve(shard.file());
        try {
          if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException(
                "the shard " + p + " that " + meta + " lists does" + " not exist");
          }
          if (Files.size(p) != shard.bytes()) {
            throw new IllegalArgumentException(
                "the shard "
                    + p
                    + " has "
                    + Files.size(p)
                    + " bytes, but "
                    + meta
                    + " says "
                    + shard.bytes()
                    + " (changed or truncated"
                    + " since prepare?)");
          }
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
        }
        rows += shard.rows();
      }
      if (rows != info.samples()) {
        throw new IllegalArgumentException(
            meta
                + ": the "
                + ParquetMeta.folder(s)
                + " shards"
                + " hold "
                + rows
                + " rows, but the split has "
                + info.samples()
                + " samples");
      }
      Set<String> listed =
          info.shards().stream().map(ParquetMeta.Shard::file).collect(Collectors.toSet());
      try (Stream<Path> files = Files.list(folder)) {
        for (Path p : files.filter(f -> f.toString().endsWith(".parquet")).sorted().toList()) {
          if (!listed.contains(p.getFileName().toString())) {
            throw new IllegalArgumentException(
                p
                    + " is not one of the shards that "
                    + meta
                    + " lists; a prepared folder holds only what prepare wrote");
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + folder + ": " + e.getMessage(), e);
      }
    }
  }

  @Override
  public Dataset<Row> load(SparkSession spark, Split split) {
    ParquetMeta m = meta();
    Optional<JavaRDD<Row>> shardRows = rows(spark, m, split);
    if (shardRows.isEmpty()) {
      return spark.createDataFrame(List.<Row>of(), Sample.SCHEMA);
    }
    int classes = m.classes();
    JavaRDD<Row> rows;
    if (m.format() == ParquetMeta.Format.DECODED) {
      Shape s = m.shape();
      rows = shardRows.get().map(r -> decoded(r, s, classes));
    } else {
      int side = imageSize;
      rows = shardRows.get().map(r -> encoded(r, side, classes));
    }
    return spark.createDataFrame(rows, Sample.SCHEMA);
  }

  /** Encoded shards are their own encoded form; decoded shards have none. */
  @Override
  public Optional<Source.Encoded> encoded() {
    return meta().format() == ParquetMeta.Format.ENCODED ? Optional.of(this) : Optional.empty();
  }

  @Override
  public long count(Split split) {
    long samples = meta().splits().get(split).samples();
    int limit = split == Split.TRAIN ? trainLimit : testLimit;
    return limit > 0 ? Math.min(limit, samples) : samples;
  }

  /** The rows of encoded shards as EncodedSample.SCHEMA, each file checked as load() does. */
  @Override
  public Dataset<Row> loadEncoded(SparkSession spark, Split split) {
    ParquetMeta m = meta();
    if (m.format() != ParquetMeta.Format.ENCODED) {
      throw new IllegalStateException(
          dir
              + " holds decoded shards (format "
              + m.format().id()
              + "): there are no files to cache encoded; expected shards of prepare --format"
              + " encoded");
    }
    Optional<JavaRDD<Row>> shardRows = rows(spark, m, split);
    if (shardRows.isEmpty()) {
      return spark.createDataFrame(List.<Row>of(), EncodedSample.SCHEMA);
    }
    int classes = m.classes();
    int side = imageSize;
    return spark.createDataFrame(
        shardRows
            .get()
            .map(
                r -> {
                  encoded(r, side, classes); // checks the row and decodes its file as load() does
                  return new EncodedSample(r.getLong(0), r.getInt(1), (byte[]) r.get(2), where(r))
                      .toRow();
                }),
        EncodedSample.SCHEMA);
  }

  @Override
  public byte[] decodeFile(byte[] file, String path) {
    return FolderSource.decode(file, imageSize, path);
  }

  /**
   * The listed shards' rows of a split (DECODED or ENCODED, as the metadata says, plus the shard's
   * file name last), limited by data.train_size or data.test_size; empty when it has no shards.
   */
  private Optional<JavaRDD<Row>> rows(SparkSession spark, ParquetMeta m, Split split) {
    Path folder = Path.of(dir).resolve(ParquetMeta.folder(split));
    String[] shards =
        m.splits().get(split).shards().stream()
            .map(s -> ParquetShards.hadoopPath(folder.resolve(s.file())))
            .toArray(String[]::new);
    if (shards.length == 0) {
      return Optional.empty();
    }
    boolean decoded = m.format() == ParquetMeta.Format.DECODED;
    Dataset<Row> df = spark.read().schema(decoded ? DECODED : ENCODED).parquet(shards);
    int limit = split == Split.TRAIN ? trainLimit : testLimit;
    if (limit > 0) {
      df = df.filter(functions.col("id").lt(limit));
    }
    return Optional.of(df.withColumn("shard", functions.input_file_name()).javaRDD());
  }

  /** Runs on an executor: a decoded row, its size and label checked. */
  private static Row decoded(Row r, Shape s, int classes) {
    checkRow(r, DECODED, classes);
    byte[] px = (byte[]) r.get(2);
    int h = r.getInt(3);
    int w = r.getInt(4);
    int c = r.getInt(5);
    if (c != s.c() || h != s.h() || w != s.w() || px.length != s.size()) {
      throw new IllegalArgumentException(
          r.getString(6)
              + ": sample id "
              + r.getLong(0)
              + " is "
              + c
              + "x"
              + h
              + "x"
              + w
              + " with "
              + px.length
              + " pixel bytes, expected "
              + s
              + " ("
              + s.size()
              + " bytes) as "
              + ParquetMeta.FILE
              + " says");
    }
    return new Sample(r.getLong(0), r.getInt(1), px).toRow();
  }

  /** Runs on an executor: an encoded row decoded to side x side RGB. */
  private static Row encoded(Row r, int side, int classes) {
    checkRow(r, ENCODED, classes);
    return new Sample(
            r.getLong(0), r.getInt(1), FolderSource.decode((byte[]) r.get(2), side, where(r)))
        .toRow();
  }

  /** An encoded row's file as messages name it: class/file, sample id and shard. */
  private static String where(Row r) {
    return r.getString(6) + " (sample id " + r.getLong(0) + " in " + r.getString(7) + ")";
  }

  /** Every column present (a column missing from a file reads as null) and the label in range. */
  private static void checkRow(Row r, StructType schema, int classes) {
    String shard = r.getString(schema.size());
    for (int i = 0; i < schema.size(); i++) {
      if (r.isNullAt(i)) {
        throw new IllegalArgumentException(
            shard
                + ": a row has no '"
                + schema.fields()[i].name()
                + "' (a shard of sparkcnn prepare has the columns "
                + List.of(schema.fieldNames())
                + ")");
      }
    }
    int label = r.getInt(1);
    if (label < 0 || label >= classes) {
      throw new IllegalArgumentException(
          shard
              + ": sample id "
              + r.getLong(0)
              + " has label "
              + label
              + ", expected 0.."
              + (classes - 1));
    }
  }
}

/*
 * CIFAR-10 and CIFAR-100 in their published binary versions (Krizhevsky 2009,
 * https://www.cs.toronto.edu/~kriz/cifar.html), laid out as the archives unpack under data.dir:
 *   cifar10:  DIR/cifar-10-batches-bin/data_batch_1.bin .. data_batch_5.bin, test_batch.bin
 *             records of 1 + 3072 bytes: the label (0..9), then the 32x32 red, green and blue planes
 *   cifar100: DIR/cifar-100-binary/train.bin, test.bin
 *             records of 2 + 3072 bytes: the coarse label (0..19), the fine label (0..99, the one
 *             used), then the three planes
 * The planes are already [C, H, W]. check() reads the files on the driver and names the file and
 * record of a truncated file or a label out of range before Spark starts; samples() reads a
 * split's files with SparkContext.binaryFiles and decodes them on an executor, ids dense in file
 * order, without Spark SQL; load() gives the same samples as rows.
 */
package org.sparkcnn.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.input.PortableDataStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkcnn.engine.Shape;
import scala.Tuple2;

public record CifarSource(String dir, String name, int trainLimit, int testLimit)
    implements Source {
  public static final List<String> NAMES = List.of("cifar10", "cifar100");
  static final int PIXELS = 3 * 32 * 32;

  public CifarSource {
    if (!NAMES.contains(name)) {
      throw new IllegalArgumentException("unknown CIFAR dataset '" + name + "': expected " + NAMES);
    }
  }

  @Override
  public Shape shape() {
    return Shape.of(3, 32, 32);
  }

  @Override
  public int classes() {
    return name.equals("cifar10") ? 10 : 100;
  }

  /** Label bytes before the pixels of a record: 1 for CIFAR-10, 2 for CIFAR-100 (fine second). */
  private int labelBytes() {
    return name.equals("cifar10") ? 1 : 2;
  }

  private String folder() {
    return name.equals("cifar10") ? "cifar-10-batches-bin" : "cifar-100-binary";
  }

  /** The split's files, in the order their records are numbered. */
  List<Path> files(Split s) {
    Path f = Path.of(dir).resolve(folder());
    if (name.equals("cifar100")) {
      return List.of(f.resolve(s == Split.TRAIN ? "train.bin" : "test.bin"));
    }
    if (s == Split.TEST) {
      return List.of(f.resolve("test_batch.bin"));
    }
    List<Path> batches = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      batches.add(f.resolve("data_batch_" + i + ".bin"));
    }
    return batches;
  }

  @Override
  public void check() {
    for (Split s : Split.values()) {
      for (Path p : files(s)) {
        if (!Files.isRegularFile(p)) {
          throw new IllegalArgumentException(
              "no "
                  + name
                  + " data: "
                  + p
                  + " does not exist (is"
                  + " --data-dir the folder that holds '"
                  + folder()
                  + "/'?)");
        }
        try (InputStream in = Files.newInputStream(p)) {
          byte[] bytes = in.readAllBytes();
          checkRecords(bytes, p.toString());
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
        }
      }
    }
  }

  /** Whole records, each with a label in range; the message names the file and the record. */
  void checkRecords(byte[] bytes, String file) {
    int record = labelBytes() + PIXELS;
    if (bytes.length == 0 || bytes.length % record != 0) {
      throw new IllegalArgumentException(
          file
              + ": "
              + bytes.length
              + " bytes is not a whole"
              + " number of "
              + name
              + " records of "
              + record
              + " bytes (truncated or not "
              + name
              + " binary?)");
    }
    for (int r = 0; r < bytes.length / record; r++) {
      int label = bytes[r * record + labelBytes() - 1] & 0xff;
      if (label >= classes()) {
        throw new IllegalArgumentException(
            file + ": record " + r + " has label " + label + ", expected 0.." + (classes() - 1));
      }
    }
  }

  @Override
  public Dataset<Row> load(SparkSession spark, Split split) {
    return spark.createDataFrame(samples(spark, split).map(Sample::toRow), Sample.SCHEMA);
  }

  /** The split's files read whole by one task and decoded there, without Spark SQL. */
  @Override
  public JavaRDD<Sample> samples(SparkSession spark, Split split) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<Path> files = files(split);
    List<String> order = files.stream().map(p -> p.getFileName().toString()).toList();
    int limit = split == Split.TRAIN ? trainLimit : testLimit;
    CifarSource self = this;
    return files.stream()
        .map(p -> jsc.binaryFiles(p.toUri().toString(), 1))
        .reduce(JavaPairRDD::union)
        .orElseThrow()
        .coalesce(1)
        .mapPartitions(f -> self.decode(f, order, limit));
  }

  /** Runs on an executor: the split's files arrive as (path, contents) pairs, in any order. */
  private Iterator<Sample> decode(
      Iterator<Tuple2<String, PortableDataStream>> files, List<String> order, int limit) {
    Map<Integer, byte[]> byPlace = new TreeMap<>();
    while (files.hasNext()) {
      Tuple2<String, PortableDataStream> f = files.next();
      String path = f._1();
      int place = order.indexOf(path.substring(path.lastIndexOf('/') + 1));
      byte[] bytes = f._2().toArray();
      checkRecords(bytes, path);
      byPlace.put(place, bytes);
    }
    int record = labelBytes() + PIXELS;
    List<Sample> out = new ArrayList<>();
    long id = 0;
    for (byte[] bytes : byPlace.values()) {
      for (int r = 0; r < bytes.length / record && (limit <= 0 || id < limit); r++, id++) {
        int at = r * record;
        int label = bytes[at + labelBytes() - 1] & 0xff;
        out.add(new Sample(id, label, Arrays.copyOfRange(bytes, at + labelBytes(), at + record)));
      }
    }
    return out.iterator();
  }
}

/*
 * MNIST and Fashion-MNIST in their original IDX files (gzip or plain), laid out as in
 * ../shared/datasets: DIR/<name>/train-images-idx3-ubyte.gz and so on. check() parses all four
 * files on the driver, so a missing file, a bad header or truncated data is reported by file name
 * before Spark starts. samples() reads the two files of a split with SparkContext.binaryFiles and
 * decodes them on an executor, without Spark SQL; load() gives the same samples as rows. limit > 0
 * keeps only the first samples (for quick runs and tests).
 */
package org.sparkcnn.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.input.PortableDataStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkcnn.engine.Shape;
import scala.Tuple2;

public record MnistSource(String dir, String name, int trainLimit, int testLimit)
    implements Source {
  public static final List<String> NAMES = List.of("mnist", "fashion-mnist");

  public MnistSource {
    if (!NAMES.contains(name)) {
      throw new IllegalArgumentException("unknown IDX dataset '" + name + "': expected " + NAMES);
    }
  }

  @Override
  public Shape shape() {
    return Shape.of(1, 28, 28);
  }

  @Override
  public int classes() {
    return 10;
  }

  private Path file(String base) {
    Path folder = Path.of(dir).resolve(name);
    return IdxReader.find(folder, base)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no "
                        + name
                        + " data: neither "
                        + folder.resolve(base)
                        + " nor "
                        + base
                        + ".gz exists (is --data-dir the folder that holds '"
                        + name
                        + "/'?)"));
  }

  private Path images(Split s) {
    return file(s == Split.TRAIN ? "train-images-idx3-ubyte" : "t10k-images-idx3-ubyte");
  }

  private Path labels(Split s) {
    return file(s == Split.TRAIN ? "train-labels-idx1-ubyte" : "t10k-labels-idx1-ubyte");
  }

  @Override
  public void check() {
    for (Split s : Split.values()) {
      Path im = images(s);
      Path lb = labels(s);
      try {
        IdxReader.Images images = IdxReader.readImages(im);
        byte[] labels = IdxReader.readLabels(lb);
        IdxReader.checkSameCount(images, labels, im.toString(), lb.toString());
        if (images.rows() != 28 || images.cols() != 28) {
          throw new IllegalArgumentException(
              im + ": images are " + images.rows() + "x" + images.cols() + ", expected 28x28");
        }
        for (int i = 0; i < labels.length; i++) {
          if (labels[i] < 0 || labels[i] >= classes()) {
            throw new IllegalArgumentException(
                lb
                    + ": record "
                    + i
                    + " has label "
                    + labels[i]
                    + ", expected 0.."
                    + (classes() - 1));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e.getMessage(), e);
      }
    }
  }

  @Override
  public Dataset<Row> load(SparkSession spark, Split split) {
    return spark.createDataFrame(samples(spark, split).map(Sample::toRow), Sample.SCHEMA);
  }

  /** Both files of the split read whole by one task and decoded there, without Spark SQL. */
  @Override
  public JavaRDD<Sample> samples(SparkSession spark, Split split) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    String imagesName = images(split).getFileName().toString();
    int limit = split == Split.TRAIN ? trainLimit : testLimit;
    return jsc.binaryFiles(images(split).toUri().toString(), 1)
        .union(jsc.binaryFiles(labels(split).toUri().toString(), 1))
        .coalesce(1)
        .mapPartitions(files -> decode(files, imagesName, limit));
  }

  /** Runs on an executor: both files of a split arrive as (path, contents) pairs. */
  private static Iterator<Sample> decode(
      Iterator<Tuple2<String, PortableDataStream>> files, String imagesName, int limit)
      throws IOException {
    IdxReader.Images images = null;
    byte[] labels = null;
    String imagesPath = null;
    String labelsPath = null;
    while (files.hasNext()) {
      Tuple2<String, PortableDataStream> f = files.next();
      String path = f._1();
      try (InputStream in = f._2().open()) {
        if (path.endsWith("/" + imagesName)) {
          images = IdxReader.readImages(in, path);
          imagesPath = path;
        } else {
          labels = IdxReader.readLabels(in, path);
          labelsPath = path;
        }
      }
    }
    if (images == null || labels == null) {
      throw new IOException(
          "expected an images and a labels file, got " + imagesPath + " and " + labelsPath);
    }
    IdxReader.checkSameCount(images, labels, imagesPath, labelsPath);
    int n = limit > 0 ? Math.min(limit, images.count()) : images.count();
    int size = images.rows() * images.cols();
    byte[] pixels = images.pixels();
    byte[] labelBytes = labels;
    // one sample at a time, as the caller takes them: the split is never held twice
    return IntStream.range(0, n)
        .mapToObj(
            i -> new Sample(i, labelBytes[i], Arrays.copyOfRange(pixels, i * size, (i + 1) * size)))
        .iterator();
  }
}

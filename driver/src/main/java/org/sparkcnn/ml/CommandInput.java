/*
 * What `predict` and `evaluate` run a model on, as a DataFrame with the model's features column
 * set: a folder of images of any depth (Spark's binaryFile source, decoded on the executors as in
 * training; `key` is each file's path), Parquet shards made by `prepare` (the folder holding
 * _sparkcnn.json; `key` is the sample id, and `split` its split), or the test split of a job
 * config's data source (any source train reads; `key` is the sample id). Labelled inputs also
 * have `label` (double): a folder's labels are the names of its top-level sub-folders, taken as
 * the model's class names (or as class indices, for a model without names); every other input
 * has its labels. All the checks that need no Spark job (the path, a class folder the model does
 * not know, a sample shape or class count that does not fit the model) run on the driver first,
 * with a message naming what was wrong and what was expected.
 */
package org.sparkcnn.ml;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.sparkcnn.data.ParquetMeta;
import org.sparkcnn.data.ParquetSource;
import org.sparkcnn.data.Source;
import org.sparkcnn.data.Split;

final class CommandInput {
  /** The rows (key, [split], [label], features) and the model set to read their features. */
  record Rows(Dataset<Row> rows, CnnClassificationModel model, boolean labelled) {}

  private CommandInput() {}

  /**
   * PATH of predict or evaluate --input. labelled: labels from class folders (evaluate); a prepared
   * folder then gives its test split only.
   */
  static Rows of(SparkSession spark, String path, CnnClassificationModel model, boolean labelled) {
    Path root = new Path(path);
    FileSystem fs = fileSystem(spark, root);
    try {
      if (!fs.exists(root)) {
        throw new IllegalArgumentException(
            path
                + ": no such folder; expected a folder of images"
                + " or of Parquet shards made by `prepare`");
      }
      if (!fs.getFileStatus(root).isDirectory()) {
        throw new IllegalArgumentException(
            path
                + " is a file; expected a folder of images or of"
                + " Parquet shards made by `prepare`");
      }
      if (fs.exists(new Path(root, ParquetMeta.FILE))) {
        return prepared(spark, path, model, labelled);
      }
      return labelled ? classFolders(spark, fs, root, model) : images(spark, root, model);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * The test split of a config's source (evaluate CONFIG), labelled, in the form training evaluated
   * it: encoded (the files, when the config caches them so) or decoded pixels.
   */
  static Rows testSplit(
      SparkSession spark,
      Source source,
      Optional<Source.Encoded> encoded,
      CnnClassificationModel model) {
    source.check();
    fits(
        model,
        source.shape().toString(),
        source.shape().equals(model.sampleShape()),
        source.classes(),
        "the config's data");
    if (encoded.isPresent()) {
      Dataset<Row> rows =
          encoded
              .get()
              .loadEncoded(spark, Split.TEST)
              .select(
                  col("id").as("key"),
                  col("label").cast(DataTypes.DoubleType).as("label"),
                  col("bytes"));
      return new Rows(
          rows,
          model
              .copy(new org.apache.spark.ml.param.ParamMap())
              .setFeaturesCol("bytes")
              .setBinaryFeatures(Features.FILES),
          true);
    }
    Dataset<Row> rows =
        source
            .load(spark, Split.TEST)
            .select(
                col("id").as("key"),
                col("label").cast(DataTypes.DoubleType).as("label"),
                col("pixels"));
    return new Rows(rows, pixels(model), true);
  }

  private static Rows prepared(
      SparkSession spark, String path, CnnClassificationModel model, boolean labelled) {
    ParquetSource source = new ParquetSource(path, model.sampleShape().h(), 0, 0);
    source.check();
    fits(
        model,
        source.shape().toString(),
        source.shape().equals(model.sampleShape()),
        source.classes(),
        path);
    List<Split> splits = labelled ? List.of(Split.TEST) : List.of(Split.TRAIN, Split.TEST);
    Dataset<Row> rows = null;
    for (Split s : splits) {
      Dataset<Row> r =
          source
              .load(spark, s)
              .select(
                  col("id").as("key"),
                  lit(s.name().toLowerCase(java.util.Locale.ROOT)).as("split"),
                  col("label").cast(DataTypes.DoubleType).as("label"),
                  col("pixels"));
      rows = rows == null ? r : rows.unionByName(r);
    }
    return new Rows(labelled ? rows.drop("split") : rows.drop("label"), pixels(model), labelled);
  }

  /** Checks a source's sample shape (fits: whether it equals the model's) and class count. */
  private static void fits(
      CnnClassificationModel model, String shape, boolean fits, int classes, String what) {
    if (!fits) {
      throw new IllegalArgumentException(
          what
              + " holds samples of "
              + shape
              + "; the model was"
              + " trained on samples of "
              + model.sampleShape()
              + "; expected data of that shape");
    }
    if (classes != model.numClasses()) {
      throw new IllegalArgumentException(
          what
              + " has "
              + classes
              + " classes; the model gives "
              + model.numClasses()
              + "; expected data with the model's classes");
    }
  }

  private static CnnClassificationModel pixels(CnnClassificationModel model) {
    return model
        .copy(new org.apache.spark.ml.param.ParamMap())
        .setFeaturesCol("pixels")
        .setBinaryFeatures(Features.PIXEL_BYTES);
  }

  private static Dataset<Row> files(SparkSession spark, Path root) {
    return spark
        .read()
        .format("binaryFile")
        .option("recursiveFileLookup", "true")
        .load(root.toString())
        .select(col("path").as("key"), col("content"));
  }

  private static CnnClassificationModel files(CnnClassificationModel model) {
    return model
        .copy(new org.apache.spark.ml.param.ParamMap())
        .setFeaturesCol("content")
        .setBinaryFeatures(Features.FILES);
  }

  private static Rows images(SparkSession spark, Path root, CnnClassificationModel model) {
    return new Rows(files(spark, root), files(model), false);
  }

  /** root/<class>/... with the classes as the model names them (or as indices 0..k-1). */
  private static Rows classFolders(
      SparkSession spark, FileSystem fs, Path root, CnnClassificationModel model)
      throws IOException {
    List<String> names = model.classNames();
    Map<String, Double> index = new HashMap<>();
    List<String> unknown = new ArrayList<>();
    for (FileStatus s : fs.listStatus(root)) {
      String name = s.getPath().getName();
      if (name.startsWith(".") || name.startsWith("_")) {
        continue; // hidden, as Spark's file sources take them
      }
      if (!s.isDirectory()) {
        throw new IllegalArgumentException(
            s.getPath()
                + " is a file directly in "
                + root
                + "; expected the images in class folders, "
                + root
                + "/<class>/...");
      }
      int c = names.isEmpty() ? classIndex(name, model.numClasses()) : names.indexOf(name);
      if (c < 0) {
        unknown.add(name);
      } else {
        index.put(name, (double) c);
      }
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "the class folders "
              + unknown
              + " of "
              + root
              + " are not classes of the model; expected "
              + (names.isEmpty()
                  ? "folders named 0.." + (model.numClasses() - 1)
                  : "folders named as its classes " + names));
    }
    if (index.isEmpty()) {
      throw new IllegalArgumentException(
          root + " holds no class folders; expected " + root + "/<class>/<images>");
    }
    String rootPath = fs.makeQualified(root).toUri().getPath();
    UDF1<String, Double> label = p -> index.get(classOf(new Path(p), rootPath));
    Dataset<Row> rows =
        files(spark, root)
            .withColumn("label", functions.udf(label, DataTypes.DoubleType).apply(col("key")));
    return new Rows(rows.select(col("key"), col("label"), col("content")), files(model), true);
  }

  private static int classIndex(String name, int classes) {
    try {
      int c = Integer.parseInt(name);
      return c >= 0 && c < classes ? c : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The name of the folder directly under root that holds file. */
  private static String classOf(Path file, String root) {
    Path p = file;
    while (p.getParent() != null && !p.getParent().toUri().getPath().equals(root)) {
      p = p.getParent();
    }
    return p.getName();
  }

  private static FileSystem fileSystem(SparkSession spark, Path p) {
    try {
      return p.getFileSystem(spark.sparkContext().hadoopConfiguration());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reach " + p + ": " + e.getMessage(), e);
    }
  }
}

/*
 * A DataFrame given to CnnClassifier.fit as a sparkcnn data source, so that it trains through the
 * very Trainer that `train` runs (same partitioning, normalisation, augmentation and steps). The
 * frame holds the features, the label and, optionally, the path of each file and a boolean
 * validation column: rows whose validation value is true form the test split, evaluated after
 * every epoch, the others the training split; without that column there is no test split. A
 * split's ids are the row positions in the frame's order (zipWithIndex), dense from 0, so the same
 * rows in the same order train the same model as any other source with those ids. Images that do
 * not decode are left out, their ids unused, and listing() names every row by its origin so that
 * the driver counts and names the skipped ones against data.max_bad_fraction, as for image
 * folders. A frame of image files is also its own encoded form (data.cache: encoded): its files
 * are kept as they are and decoded per minibatch by the same decoder.
 */
package org.sparkcnn.ml;

import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkcnn.data.EncodedSample;
import org.sparkcnn.data.Sample;
import org.sparkcnn.data.Source;
import org.sparkcnn.data.Split;
import org.sparkcnn.engine.Shape;

final class DataFrameSource implements Source, Source.Encoded {
  // the frame's columns, in this order; pathCol and validation may be absent (-1)
  static final int FEATURES = 0;
  static final int LABEL = 1;

  private final transient Dataset<Row> frame;
  private final Features features;
  private final int pathCol;
  private final int validationCol;
  private final int classes;
  private final List<String> classNames;

  DataFrameSource(
      Dataset<Row> frame,
      Features features,
      int pathCol,
      int validationCol,
      int classes,
      List<String> classNames) {
    this.frame = frame;
    this.features = features;
    this.pathCol = pathCol;
    this.validationCol = validationCol;
    this.classes = classes;
    this.classNames = List.copyOf(classNames);
  }

  @Override
  public Shape shape() {
    return features.shape;
  }

  @Override
  public int classes() {
    return classes;
  }

  @Override
  public List<String> classNames() {
    return classNames;
  }

  /** The frame's columns were checked by CnnClassifier.transformSchema before this was made. */
  @Override
  public void check() {
    if (frame == null) {
      throw new IllegalStateException("a DataFrame source is used on the driver only");
    }
  }

  /** The rows of a split with their ids: positions in the frame's order among the split's. */
  private JavaPairRDD<Row, Long> rows(Split split) {
    int v = validationCol;
    if (v < 0 && split == Split.TEST) {
      return frame.limit(0).javaRDD().zipWithIndex();
    }
    boolean test = split == Split.TEST;
    var rdd = frame.javaRDD();
    return (v < 0 ? rdd : rdd.filter(r -> !r.isNullAt(v) && r.getBoolean(v) == test))
        .zipWithIndex();
  }

  @Override
  public Dataset<Row> load(SparkSession spark, Split split) {
    Features f = features;
    int path = pathCol;
    var samples =
        rows(split)
            .flatMap(
                t -> {
                  Row r = t._1();
                  String where = where(r, t._2(), path);
                  byte[] px = f.pixels(r, FEATURES, where);
                  return px == null
                      ? Collections.<Row>emptyIterator()
                      : List.of(new Sample(t._2(), label(r), px).toRow()).iterator();
                });
    return spark.createDataFrame(samples, Sample.SCHEMA);
  }

  /** A row's class index (fit checked every label is one). */
  static int label(Row r) {
    return (int) ((Number) r.get(LABEL)).doubleValue();
  }

  /** How messages name row id of a split: its origin where known. */
  private static String where(Row r, long id, int pathCol) {
    String origin = Features.origin(r, FEATURES, pathCol);
    return origin != null ? origin : "row " + id;
  }

  @Override
  public Optional<List<String>> listing(Split split) {
    if (!features.kind.images()) {
      return Optional.empty(); // numbers never fail to decode: a bad row is an error
    }
    int path = pathCol;
    return Optional.of(rows(split).map(t -> where(t._1(), t._2(), path)).collect());
  }

  @Override
  public Optional<Source.Encoded> encoded() {
    return features.kind == Features.Kind.FILE ? Optional.of(this) : Optional.empty();
  }

  @Override
  public long count(Split split) {
    return rows(split).count();
  }

  @Override
  public Dataset<Row> loadEncoded(SparkSession spark, Split split) {
    Features f = features;
    int path = pathCol;
    var files =
        rows(split)
            .flatMap(
                t -> {
                  Row r = t._1();
                  String where = where(r, t._2(), path);
                  return f.pixels(r, FEATURES, where) == null
                      ? Collections.<Row>emptyIterator()
                      : List.of(
                              new EncodedSample(t._2(), label(r), (byte[]) r.get(FEATURES), where)
                                  .toRow())
                          .iterator();
                });
    return spark.createDataFrame(files, EncodedSample.SCHEMA);
  }

  @Override
  public byte[] decodeFile(byte[] file, String path) {
    return org.sparkcnn.data.FolderSource.decode(file, features.shape.h(), path);
  }
}

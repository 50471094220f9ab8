/*
 * A dataset as Spark sees it: for each split, a DataFrame of (id, label, pixels) rows, plus the
 * shape of one sample and the number of classes. check() runs on the driver before Spark starts and
 * reports a missing or malformed file by name, so a bad data dir fails fast with exit status 2. A
 * source of encoded images (FolderSource) skips an image it cannot decode instead of failing the
 * job; its listing() lets the driver count the skipped ones and name them (DESIGN.md, bad input).
 * A source whose samples are image files may also offer them still encoded (Encoded), so that a
 * dataset too large for the executors' memory once decoded can be cached as files and decoded in
 * the training step (data.cache: encoded).
 */
package org.sparkcnn.data;

import java.io.Serializable;
import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkcnn.engine.Shape;

public interface Source extends Serializable {
  /** Shape of one sample, [C, H, W]. */
  Shape shape();

  int classes();

  /** The classes' names in label order, where the source knows them; empty otherwise. */
  default List<String> classNames() {
    return List.of();
  }

  /** Verifies, without Spark, that the data is there and well-formed; throws a clear error. */
  void check();

  /**
   * The split as rows of Sample.SCHEMA, ids dense from 0 in the listing; a sample that cannot be
   * decoded is left out (its id unused) by a source that has a listing().
   */
  Dataset<Row> load(SparkSession spark, Split split);

  /**
   * The same samples as load()'s rows, as an RDD: what training caches. A source that makes its
   * samples without Spark SQL says so here, and a training run then never starts SQL's planner
   * (thousands of classes, tens of MiB of the JVM's metadata).
   */
  default JavaRDD<Sample> samples(SparkSession spark, Split split) {
    return load(spark, split).javaRDD().map(Sample::fromRow);
  }

  /**
   * What the split lists before decoding, by id (a file path each), for a source whose load() skips
   * the samples it cannot decode: the ids missing from its rows are the skipped ones. Empty for a
   * source whose rows are every sample it lists.
   */
  default Optional<List<String>> listing(Split split) {
    return Optional.empty();
  }

  /** The source's encoded form, when its samples are files decoded on load; else empty. */
  default Optional<Encoded> encoded() {
    return Optional.empty();
  }

  /**
   * A source's samples as the encoded files they are read from, with the function that decodes one.
   * decodeFile must be the very function load() applies, and loadEncoded must give exactly the
   * samples load() gives, with its ids and labels (a file load() skips as undecodable is skipped
   * here too, or fails the same way), so that a model trained from either cache is the same to the
   * bit and the driver counts the same skipped images against listing().
   */
  interface Encoded extends Serializable {
    /** How many samples the split lists, known on the driver without decoding anything. */
    long count(Split split);

    /** The split as rows of EncodedSample.SCHEMA (id, label, bytes, path), as load()'s. */
    Dataset<Row> loadEncoded(SparkSession spark, Split split);

    /** One file's pixels as [C, H, W] unsigned bytes of shape(); runs on the executors. */
    byte[] decodeFile(byte[] file, String path);
  }
}

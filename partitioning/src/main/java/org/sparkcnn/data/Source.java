/*
 * A dataset as Spark sees it: for each split, a DataFrame of (id, label, pixels) rows, plus the
 * shape of one sample and the number of classes. check() runs on the driver before Spark starts and
 * reports a missing or malformed file by name, so a bad data dir fails fast with exit status 2.
 * A source whose samples are image files may also offer them still encoded (Encoded), so that a
 * dataset too large for the executors' memory once decoded can be cached as files and decoded in
 * the training step (data.cache: encoded).
 */
package org.sparkcnn.data;

import java.io.Serializable;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkcnn.engine.Shape;

public interface Source extends Serializable {
  /** Shape of one sample, [C, H, W]. */
  Shape shape();

  int classes();

  /** Verifies, without Spark, that the data is there and well-formed; throws a clear error. */
  void check();

  /** The split as rows of Sample.SCHEMA, ids dense from 0. */
  Dataset<Row> load(SparkSession spark, Split split);

  /** The source's encoded form, when its samples are files decoded on load; else empty. */
  default Optional<Encoded> encoded() {
    return Optional.empty();
  }

  /**
   * A source's samples as the encoded files they are read from, with the function that decodes
   * one. decodeFile must be the very function load() applies, and loadEncoded must give the ids
   * and labels load() gives, so that a model trained from either cache is the same to the bit.
   */
  interface Encoded extends Serializable {
    /** How many samples the split has, known on the driver without decoding anything. */
    long count(Split split);

    /** The split as rows of EncodedSample.SCHEMA (id, label, bytes, path), ids as load()'s. */
    Dataset<Row> loadEncoded(SparkSession spark, Split split);

    /** One file's pixels as [C, H, W] unsigned bytes of shape(); runs on the executors. */
    byte[] decodeFile(byte[] file, String path);
  }
}

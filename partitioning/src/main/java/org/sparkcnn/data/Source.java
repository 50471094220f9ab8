/*
 * A dataset as Spark sees it: for each split, a DataFrame of (id, label, pixels) rows, plus the
 * shape of one sample and the number of classes. check() runs on the driver before Spark starts and
 * reports a missing or malformed file by name, so a bad data dir fails fast with exit status 2.
 */
package org.sparkcnn.data;

import java.io.Serializable;
import java.util.List;
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

  /** The split as rows of Sample.SCHEMA, ids dense from 0. */
  Dataset<Row> load(SparkSession spark, Split split);
}

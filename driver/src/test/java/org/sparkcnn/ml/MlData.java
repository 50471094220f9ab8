/*
 * DataFrames for the Spark ML tests, made from sparkcnn's own sources so that their samples are
 * known to the byte: MNIST (../shared) as ML vectors of intensities k / 255 in id order, and the
 * generated shapes as array<float>.
 */
package org.sparkcnn.ml;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.udf;

import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import org.sparkcnn.data.MnistSource;
import org.sparkcnn.data.ShapesSource;
import org.sparkcnn.data.Split;
import org.sparkcnn.engine.SharedData;

final class MlData {
  private MlData() {}

  /** MNIST's split (the first `limit` samples; 0 for all) as (id, features, label). */
  static Dataset<Row> mnist(SparkSession spark, Split split, int limit) {
    String dir = SharedData.root().resolve("datasets").toString();
    var source =
        new MnistSource(
            dir, "mnist", split == Split.TRAIN ? limit : 0, split == Split.TEST ? limit : 0);
    UDF1<byte[], Vector> toVector =
        px -> {
          double[] v = new double[px.length];
          for (int i = 0; i < v.length; i++) {
            v[i] = (px[i] & 0xFF) / 255.0;
          }
          return Vectors.dense(v);
        };
    return source
        .load(spark, split)
        .orderBy("id")
        .select(
            col("id"),
            udf(toVector, new VectorUDT()).apply(col("pixels")).as("features"),
            col("label").cast("double").as("label"));
  }

  /** n generated shapes (3 x 32 x 32, 10 classes) as (features array<float>, label). */
  static Dataset<Row> shapes(SparkSession spark, long seed, int n) {
    UDF1<byte[], float[]> toFloats =
        px -> {
          float[] v = new float[px.length];
          for (int i = 0; i < v.length; i++) {
            v[i] = px[i] & 0xFF;
          }
          return v;
        };
    return new ShapesSource(seed, n, 1)
        .load(spark, Split.TRAIN)
        .orderBy("id")
        .select(
            udf(toFloats, DataTypes.createArrayType(DataTypes.FloatType))
                .apply(col("pixels"))
                .as("features"),
            col("label").cast("double").as("label"));
  }
}

/*
 * The column and input params that CnnClassifier and CnnClassificationModel share (Spark's
 * HasFeaturesCol, HasPredictionCol... are Scala traits, which Java classes cannot mix in): one
 * factory per param, so both classes declare them with the same names, docs and defaults, and
 * Spark's copyValues hands the estimator's values to the model it fits. Also the checks both run
 * in transformSchema on the output columns.
 */
package org.sparkcnn.ml;

import java.util.List;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

final class ColumnParams {
  private ColumnParams() {}

  static Param<String> featuresCol(Params owner) {
    return new Param<>(owner, "featuresCol", "features column: " + Features.EXPECTED);
  }

  static Param<String> predictionCol(Params owner) {
    return new Param<>(owner, "predictionCol", "prediction column: the class index (double)");
  }

  static Param<String> probabilityCol(Params owner) {
    return new Param<>(
        owner,
        "probabilityCol",
        "column of the class probabilities (softmax of"
            + " the logits, an ML Vector); empty for none");
  }

  static Param<String> rawPredictionCol(Params owner) {
    return new Param<>(
        owner,
        "rawPredictionCol",
        "column of the raw predictions (the logits, an" + " ML Vector); empty for none");
  }

  static DoubleParam pixelScale(Params owner) {
    return new DoubleParam(
        owner,
        "pixelScale",
        "numeric features are pixel intensities in"
            + " [0, pixelScale]: 1 for values scaled to [0, 1], 255 for raw levels",
        ParamValidators.gt(0));
  }

  static Param<String> binaryFeatures(Params owner) {
    return new Param<>(
        owner,
        "binaryFeatures",
        "what a binary features column holds: \""
            + Features.FILES
            + "\" (image files, decoded) or \""
            + Features.PIXEL_BYTES
            + "\" ([C, H,"
            + " W] unsigned bytes of the input shape, as prepare's Parquet holds them)",
        ParamValidators.inArray(new String[] {Features.FILES, Features.PIXEL_BYTES}));
  }

  /** Sets the defaults of the params above on owner. */
  static void defaults(
      Params owner,
      Param<String> features,
      Param<String> prediction,
      Param<String> probability,
      Param<String> raw,
      DoubleParam pixelScale,
      Param<String> binaryFeatures) {
    owner.setDefault(features, "features");
    owner.setDefault(prediction, "prediction");
    owner.setDefault(probability, "probability");
    owner.setDefault(raw, "rawPrediction");
    owner.setDefault(pixelScale, 1.0);
    owner.setDefault(binaryFeatures, Features.FILES);
  }

  /**
   * schema with the prediction columns added (an empty name adds none); IllegalArgumentException if
   * a column of that name exists.
   */
  static StructType appendOutputs(
      StructType schema, String prediction, String probability, String raw) {
    StructType out = schema;
    List<String> names = List.of(schema.fieldNames());
    String[][] cols = {
      {prediction, "predictionCol"}, {probability, "probabilityCol"}, {raw, "rawPredictionCol"}
    };
    for (String[] c : cols) {
      if (c[0].isEmpty()) {
        continue;
      }
      if (names.contains(c[0])) {
        throw new IllegalArgumentException(
            c[1]
                + " '"
                + c[0]
                + "': the DataFrame already has a"
                + " column of that name; expected a new column name");
      }
      out = out.add(c[0], c == cols[0] ? DataTypes.DoubleType : new VectorUDT(), true);
    }
    return out;
  }
}

/*
 * CnnClassifier's params behave as Spark's do (defaults from the job config's keys, explainParams,
 * copy, save and load of the unfitted estimator, set(configKey, value)), transformSchema names
 * every bad column before a job runs, and the estimator works as it is inside Spark's model
 * selection (TrainValidationSplit, CrossValidator) on a small generated array<float> DataFrame.
 */
package org.sparkcnn.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.ml.tuning.TrainValidationSplit;
import org.apache.spark.ml.tuning.TrainValidationSplitModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.driver.TestSpark;
import org.sparkcnn.driver.config.Choices;
import org.sparkcnn.driver.config.Keys;

class CnnClassifierParamsTest {
  @TempDir Path dir;

  private static final StructType VECTORS =
      new StructType().add("features", new VectorUDT()).add("label", DataTypes.DoubleType);

  @Test
  void defaultsAreTheConfigsAndParamsCopyAndPersist() throws Exception {
    CnnClassifier c = new CnnClassifier();
    assertEquals(Keys.EPOCHS.defaultValue(), c.getOrDefault(c.maxEpochs()));
    assertEquals(Keys.BATCH_SIZE.defaultValue(), c.getOrDefault(c.batchSize()));
    assertEquals(Keys.LR.defaultValue(), c.getOrDefault(c.learningRate()));
    assertEquals(Keys.MOMENTUM.defaultValue(), c.getOrDefault(c.momentum()));
    assertEquals(Keys.SEED.defaultValue(), c.getOrDefault(c.seed()));
    assertEquals(Keys.MODEL_NAME.defaultValue(), c.getOrDefault(c.modelName()));
    assertEquals(Keys.DATA_IMAGE_SIZE.defaultValue(), c.getOrDefault(c.imageSize()));
    String explained = c.explainParams();
    assertTrue(
        explained.contains("maxEpochs")
            && explained.contains("learningRate")
            && explained.contains("featuresCol"),
        explained);

    c.setMaxEpochs(2)
        .set("optim.lr_schedule", "cosine")
        .set("train.batch_size", "32")
        .set("featuresCol", "pixels");
    assertEquals(32, c.getOrDefault(c.batchSize()));
    assertEquals("pixels", c.getFeaturesCol());
    assertArrayEquals(new String[] {"optim.lr_schedule=cosine"}, c.getOrDefault(c.config()));
    assertEquals(Choices.LrSchedule.COSINE, c.jobConfig().get(Keys.LR_SCHEDULE));
    assertEquals(2, c.jobConfig().get(Keys.EPOCHS));
    var e = assertThrows(IllegalArgumentException.class, () -> c.set("train.epoch", "3"));
    assertTrue(e.getMessage().contains("did you mean 'train.epochs'"), e.getMessage());

    CnnClassifier copy = c.copy(new ParamMap().put(c.maxEpochs().w(5)));
    assertEquals(c.uid(), copy.uid());
    assertEquals(5, copy.getOrDefault(copy.maxEpochs()));
    assertEquals(32, copy.getOrDefault(copy.batchSize()));

    TestSpark.get();
    String path = dir.resolve("estimator").toString();
    c.write().save(path);
    CnnClassifier loaded = CnnClassifier.load(path);
    assertEquals(c.uid(), loaded.uid());
    assertEquals(2, loaded.getOrDefault(loaded.maxEpochs()));
    assertArrayEquals(c.getOrDefault(c.config()), loaded.getOrDefault(loaded.config()));
  }

  @Test
  void transformSchemaNamesTheProblemBeforeAnyJob() {
    CnnClassifier c = new CnnClassifier().setInputShape(1, 28, 28);
    assertTrue(c.transformSchema(VECTORS).getFieldIndex("probability").isDefined());
    assertMessage(
        () -> c.setFeaturesCol("pixels").transformSchema(VECTORS),
        "features column 'pixels' does not exist; the DataFrame has features, label");
    c.setFeaturesCol("features");
    StructType strings =
        new StructType().add("features", DataTypes.StringType).add("label", DataTypes.DoubleType);
    assertMessage(
        () -> c.transformSchema(strings),
        "features column 'features' holds string;" + " expected an ML Vector");
    assertMessage(
        () -> new CnnClassifier().transformSchema(VECTORS),
        "expected setInputShape(channels, height, width)");
    assertMessage(
        () -> new CnnClassifier().setInputShape(1, 2, 2).transformSchema(VECTORS),
        "model 'lenet5'");
    StructType textLabels =
        new StructType().add("features", new VectorUDT()).add("label", DataTypes.StringType);
    assertMessage(
        () -> c.transformSchema(textLabels),
        "label column 'label' holds string;" + " expected class indices");
    assertMessage(
        () -> c.setPredictionCol("label").transformSchema(VECTORS),
        "predictionCol 'label': the DataFrame already has a column of that name");
    c.setPredictionCol("prediction");
    assertMessage(
        () -> c.setAugmentation("[{op: rotat}]").transformSchema(VECTORS), "data.augment[0]");
  }

  private static void assertMessage(org.junit.jupiter.api.function.Executable call, String part) {
    var e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().contains(part), e.getMessage());
  }

  @Test
  void modelSelectionCopiesAndFitsTheEstimator() {
    Dataset<Row> shapes = MlData.shapes(TestSpark.get(), 3, 400).cache();
    CnnClassifier cnn =
        new CnnClassifier()
            .setInputShape(3, 32, 32)
            .setPixelScale(255)
            .setMaxEpochs(1)
            .setBatchSize(32)
            .setNumPartitions(2);
    ParamMap[] grid =
        new ParamGridBuilder().addGrid(cnn.learningRate(), new double[] {0.01, 0.02}).build();
    var accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy");
    TrainValidationSplitModel tvs =
        new TrainValidationSplit()
            .setEstimator(cnn)
            .setEstimatorParamMaps(grid)
            .setEvaluator(accuracy)
            .setTrainRatio(0.75)
            .setSeed(1)
            .fit(shapes);
    assertEquals(2, tvs.validationMetrics().length);
    CnnClassificationModel best = (CnnClassificationModel) tvs.bestModel();
    assertEquals(10, best.numClasses());
    CrossValidatorModel cv =
        new CrossValidator()
            .setEstimator(cnn)
            .setEstimatorParamMaps(new ParamMap[] {new ParamMap()})
            .setEvaluator(accuracy)
            .setNumFolds(2)
            .setSeed(1)
            .fit(shapes);
    assertEquals(1, cv.avgMetrics().length);
    assertTrue(cv.avgMetrics()[0] > 0.1, "accuracy " + cv.avgMetrics()[0]);
    shapes.unpersist();
  }
}

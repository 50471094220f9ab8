/*
 * sparkcnn in a Spark ML Pipeline as a Spark user writes it: MNIST as an ML vector DataFrame, a
 * Pipeline of CnnClassifier (LeNet-5, one epoch), the fitted PipelineModel saved, loaded back and
 * applied to the test set, scored by MulticlassClassificationEvaluator (accuracy >= 0.97); the
 * loaded model predicts exactly what the fitted one does, and transform adds the columns lazily.
 */
package org.sparkcnn.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.data.Split;
import org.sparkcnn.driver.TestSpark;

class MnistPipelineTest {
  @TempDir Path dir;

  @Test
  void aPipelineWithCnnClassifierLearnsMnistAndSurvivesSaveAndLoad() throws Exception {
    var spark = TestSpark.get();
    Dataset<Row> train = MlData.mnist(spark, Split.TRAIN, 0);
    Dataset<Row> test = MlData.mnist(spark, Split.TEST, 0);
    CnnClassifier cnn =
        new CnnClassifier().setInputShape(1, 28, 28).setMaxEpochs(1).setNumPartitions(2);
    PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {cnn}).fit(train);

    String path = dir.resolve("mnist-pipeline").toString();
    fitted.write().overwrite().save(path);
    PipelineModel loaded = PipelineModel.load(path);
    Dataset<Row> predicted = loaded.transform(test);
    assertEquals(
        List.of("id", "features", "label", "prediction", "probability", "rawPrediction"),
        List.of(predicted.columns()));
    double accuracy =
        new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(predicted);
    assertTrue(accuracy >= 0.97, "accuracy " + accuracy);

    CnnClassificationModel model = (CnnClassificationModel) loaded.stages()[0];
    CnnClassificationModel original = (CnnClassificationModel) fitted.stages()[0];
    assertArrayEquals(original.contents().params(), model.contents().params());
    assertEquals(10, model.numClasses());
    assertEquals(1, model.summary().totalEpochs());
    assertEquals(original.summary().objectiveHistory()[0], model.summary().objectiveHistory()[0]);
    List<Row> a = original.transform(test.limit(50)).select("probability").collectAsList();
    List<Row> b = model.transform(test.limit(50)).select("probability").collectAsList();
    for (int i = 0; i < a.size(); i++) {
      assertArrayEquals(((Vector) a.get(i).get(0)).toArray(), ((Vector) b.get(i).get(0)).toArray());
      assertEquals(1.0, sum(((Vector) a.get(i).get(0)).toArray()), 1e-9);
    }
  }

  private static double sum(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s;
  }
}

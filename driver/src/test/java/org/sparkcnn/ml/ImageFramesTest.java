/*
 * CnnClassifier on images as Spark reads them: the ants/bees folders (../shared) through
 * spark.read.format("image") and through format("binaryFile"), labels from the folder names by
 * StringIndexer, images of any size resized to setImageSize. The GIF placeholder in the data is
 * an image like any other; a truncated JPEG added beside the folders is skipped and counted
 * (skipped_images), not fatal, and gets null predictions from transform. Rows of the val folder
 * marked by a validation column are evaluated after each epoch, not trained on.
 */
package org.sparkcnn.ml;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.driver.TestSpark;
import org.sparkcnn.engine.SharedData;

class ImageFramesTest {
  @TempDir Path dir;

  private static Path ants() {
    return SharedData.root().resolve("datasets/hymenoptera_data");
  }

  private static PipelineModel fit(Dataset<Row> frame, CnnClassifier cnn) {
    StringIndexer index = new StringIndexer().setInputCol("class").setOutputCol("label");
    return new Pipeline().setStages(new PipelineStage[] {index, cnn}).fit(frame);
  }

  @Test
  void imagesReadBySparksImageSource() {
    var spark = TestSpark.get();
    Dataset<Row> images =
        spark
            .read()
            .format("image")
            .option("dropInvalid", false)
            .option("recursiveFileLookup", "true")
            .load(ants().resolve("train").toString())
            .withColumn("class", regexp_extract(col("image.origin"), "/([^/]+)/[^/]+$", 1));
    PipelineModel m =
        fit(
            images,
            new CnnClassifier()
                .setFeaturesCol("image")
                .setImageSize(32)
                .setBatchSize(16)
                .setMaxEpochs(1)
                .setNumPartitions(2));
    CnnClassificationModel cnn = (CnnClassificationModel) m.stages()[1];
    assertEquals(List.of("ants", "bees"), cnn.classNames());
    List<Row> out =
        m.transform(images).select("image.origin", "prediction", "probability").collectAsList();
    assertEquals(245, out.size());
    for (Row r : out) {
      double p = r.getDouble(1);
      assertTrue(p == 0 || p == 1, r.toString());
      double[] prob = ((Vector) r.get(2)).toArray();
      assertEquals(1.0, prob[0] + prob[1], 1e-9);
    }
  }

  @Test
  void imageFilesFromBinaryFileWithABadFileAndValidationRows() throws Exception {
    var spark = TestSpark.get();
    byte[] jpeg = Files.readAllBytes(ants().resolve("train/bees/1092977343_cb42b38d62.jpg"));
    Path cut = dir.resolve("bees/cut.jpg");
    Files.createDirectories(cut.getParent());
    Files.write(cut, Arrays.copyOf(jpeg, jpeg.length / 2));
    Dataset<Row> files =
        spark
            .read()
            .format("binaryFile")
            .option("recursiveFileLookup", "true")
            .load(
                ants().resolve("train").toString(),
                ants().resolve("val").toString(),
                dir.toString())
            .withColumn("class", regexp_extract(col("path"), "/([^/]+)/[^/]+$", 1))
            .withColumn("validation", col("path").contains("/val/"));
    PipelineModel m =
        fit(
            files,
            new CnnClassifier()
                .setFeaturesCol("content")
                .setImageSize(32)
                .setValidationIndicatorCol("validation")
                .setBatchSize(16)
                .setMaxEpochs(1)
                .setNumPartitions(2));
    CnnClassificationModel cnn = (CnnClassificationModel) m.stages()[1];
    var epoch = cnn.summary().epochs().get(0);
    assertEquals(1, ((Number) epoch.get("skipped_images")).intValue(), epoch.toString());
    assertTrue(epoch.get("test_accuracy") instanceof Number, epoch.toString());
    List<Row> out = m.transform(files).select("path", "prediction").collectAsList();
    assertEquals(245 + 153 + 1, out.size());
    for (Row r : out) {
      if (r.getString(0).endsWith("cut.jpg")) {
        assertNull(r.get(1), r.toString());
      } else {
        assertNotNull(r.get(1), r.toString());
      }
    }
  }
}

/*
 * The predict and evaluate commands on the ants/bees folders (../shared) with a small model fitted
 * by CnnClassifier: predict writes one row per decodable image of a folder (a truncated JPEG
 * added to a copy of val/ is skipped and counted), with the predictions the model's transform
 * gives; evaluate on those class folders and on a config's test split (the same val/ through
 * data.source folder) gives the same report, its accuracy that of predict's rows, and on the
 * config a model was trained with, the test accuracy training reported; bad input is
 * refused with exit status 2 and a message, and an earlier evaluation is not overwritten.
 */
package org.sparkcnn.driver.cli;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.driver.MainTest;
import org.sparkcnn.driver.TestSpark;
import org.sparkcnn.engine.ModelFile;
import org.sparkcnn.engine.SharedData;
import org.sparkcnn.ml.CnnClassificationModel;
import org.sparkcnn.ml.CnnClassifier;

class PredictEvaluateTest {
  @TempDir static Path dir;
  private static Path model;
  private static Path val; // a copy of val/ with a truncated JPEG in bees/
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path ants() {
    return SharedData.root().resolve("datasets/hymenoptera_data");
  }

  @BeforeAll
  static void fitAModel() throws IOException {
    var spark = TestSpark.get();
    Dataset<Row> files =
        spark
            .read()
            .format("binaryFile")
            .option("recursiveFileLookup", "true")
            .load(ants().resolve("train").toString())
            .withColumn("class", regexp_extract(col("path"), "/([^/]+)/[^/]+$", 1));
    StringIndexer index =
        new StringIndexer()
            .setInputCol("class")
            .setOutputCol("label")
            .setStringOrderType("alphabetAsc");
    PipelineModel p =
        new Pipeline()
            .setStages(
                new PipelineStage[] {
                  index,
                  new CnnClassifier()
                      .setFeaturesCol("content")
                      .setImageSize(32)
                      .setBatchSize(16)
                      .setMaxEpochs(1)
                      .setNumPartitions(2)
                })
            .fit(files);
    CnnClassificationModel cnn = (CnnClassificationModel) p.stages()[1];
    model = dir.resolve("model.scnn");
    try (OutputStream o = Files.newOutputStream(model)) {
      ModelFile.write(o, cnn.contents());
    }
    val = dir.resolve("val");
    try (Stream<Path> s = Files.walk(ants().resolve("val"))) {
      for (Path f : s.filter(Files::isRegularFile).toList()) {
        Path to = val.resolve(ants().resolve("val").relativize(f).toString());
        Files.createDirectories(to.getParent());
        Files.copy(f, to);
      }
    }
    byte[] jpeg = Files.readAllBytes(val.resolve("bees/1032546534_06907fe3b3.jpg"));
    Files.write(val.resolve("bees/cut.jpg"), Arrays.copyOf(jpeg, jpeg.length / 2));
  }

  @Test
  void predictWritesARowPerImageWithTheModelsPredictions() throws IOException {
    Path out = dir.resolve("predictions");
    MainTest.Outcome o =
        MainTest.cli(
            "predict",
            model.toString(),
            "--input",
            val.toString(),
            "--output",
            out.toString(),
            "--format",
            "csv",
            "--top-k",
            "2",
            "--preview",
            dir.resolve("preview.png").toString());
    assertEquals(0, o.status(), o.err());
    assertTrue(
        o.out().contains("predicted 153 images") && o.out().contains("skipped 1 files"), o.out());
    assertTrue(o.out().contains("drew 16 images"), o.out());
    var preview = ImageIO.read(dir.resolve("preview.png").toFile());
    assertEquals(8 + 4 * (160 + 8), preview.getWidth()); // 4 x 4 cells
    assertEquals(8 + 4 * (160 + 36 + 8), preview.getHeight());
    var spark = TestSpark.get();
    List<Row> rows = spark.read().option("header", "true").csv(out.toString()).collectAsList();
    assertEquals(153, rows.size());
    CnnClassificationModel cnn = CnnClassificationModel.fromFile(model).setFeaturesCol("content");
    Map<String, Double> expected = new HashMap<>();
    for (Row r :
        cnn.transform(
                spark
                    .read()
                    .format("binaryFile")
                    .option("recursiveFileLookup", "true")
                    .load(val.toString()))
            .select("path", "prediction")
            .collectAsList()) {
      expected.put(r.getString(0), r.isNullAt(1) ? null : r.getDouble(1));
    }
    for (Row r : rows) {
      String path = r.getAs("path");
      int prediction = Integer.parseInt(r.getAs("prediction"));
      assertEquals(expected.get(path), (double) prediction, path);
      assertEquals(List.of("ants", "bees").get(prediction), r.getAs("class"));
      assertEquals(prediction, Integer.parseInt(r.getAs("top1_index")));
      double p1 = Double.parseDouble(r.getAs("top1_probability"));
      double p2 = Double.parseDouble(r.getAs("top2_probability"));
      assertEquals(1.0, p1 + p2, 1e-9);
      assertTrue(p1 >= p2, r.toString());
    }
  }

  @Test
  void evaluateOnClassFoldersAndOnAConfigsTestSplitAgree() throws IOException {
    Path byFolders = dir.resolve("eval-folders");
    MainTest.Outcome o =
        MainTest.cli(
            "evaluate", model.toString(), "--input", val.toString(), "--out", byFolders.toString());
    assertEquals(0, o.status(), o.err());
    assertTrue(o.out().contains("skipped 1 of 154 samples"), o.out());
    JsonNode folders = JSON.readTree(byFolders.resolve("evaluation.json").toFile());
    assertEquals(153, folders.get("samples").asInt(), folders.toString());
    assertTrue(ImageIO.read(byFolders.resolve("confusion_matrix.png").toFile()).getWidth() > 300);

    Path config = dir.resolve("val.yaml");
    Files.writeString(
        config,
        "data:\n  source: folder\n  dir: "
            + ants()
            + "\n  image_size: 32\n"
            + "model:\n  name: lenet5\n");
    Path bySplit = dir.resolve("eval-split");
    o = MainTest.cli("evaluate", model.toString(), config.toString(), "--out", bySplit.toString());
    assertEquals(0, o.status(), o.err());
    JsonNode split = JSON.readTree(bySplit.resolve("evaluation.json").toFile());
    assertEquals(folders.get("confusion_matrix"), split.get("confusion_matrix"));
    assertEquals(folders.get("accuracy").asDouble(), split.get("accuracy").asDouble());
    long[][] confusion = JSON.convertValue(split.get("confusion_matrix"), long[][].class);
    assertEquals(
        (confusion[0][0] + confusion[1][1]) / 153.0, split.get("accuracy").asDouble(), 1e-12);
    assertEquals(1.0, split.get("top5_accuracy").asDouble()); // two classes

    Path prepared = dir.resolve("prepared");
    o = MainTest.cli("prepare", config.toString(), "--out", prepared.toString());
    assertEquals(0, o.status(), o.err());
    Path byParquet = dir.resolve("eval-parquet");
    o =
        MainTest.cli(
            "evaluate",
            model.toString(),
            "--input",
            prepared.toString(),
            "--out",
            byParquet.toString());
    assertEquals(0, o.status(), o.err());
    assertEquals(
        folders.get("confusion_matrix"),
        JSON.readTree(byParquet.resolve("evaluation.json").toFile()).get("confusion_matrix"));
  }

  @Test
  void evaluateOnAConfigGivesTheTestAccuracyOfTraining() throws IOException {
    Path config = dir.resolve("encoded.yaml");
    Files.writeString(
        config,
        "data:\n  source: folder\n  dir: "
            + ants()
            + "\n  image_size: 32\n"
            + "  cache: encoded\n  eval_transform:\n    - {op: resize, size: 36}\n"
            + "    - {op: center_crop, size: 32}\nmodel:\n  name: lenet5\n"
            + "train:\n  epochs: 1\n  batch_size: 16\noptim:\n  lr: 0.002\n");
    Path run = dir.resolve("encoded-run");
    MainTest.Outcome o = MainTest.cli("train", config.toString(), "--run-dir", run.toString());
    assertEquals(0, o.status(), o.err());
    JsonNode epoch = JSON.readTree(Files.readAllLines(run.resolve("metrics.jsonl")).get(0));
    Path out = dir.resolve("eval-encoded");
    o =
        MainTest.cli(
            "evaluate",
            run.resolve("model.scnn").toString(),
            config.toString(),
            "--out",
            out.toString());
    assertEquals(0, o.status(), o.err());
    JsonNode report = JSON.readTree(out.resolve("evaluation.json").toFile());
    assertEquals(epoch.get("test_accuracy").asDouble(), report.get("accuracy").asDouble(), 1e-12);
  }

  @Test
  void badInputIsRefusedAndNothingSavedIsLost() throws IOException {
    MainTest.Outcome o =
        MainTest.cli(
            "predict",
            model.toString(),
            "--input",
            val.toString(),
            "--output",
            dir.resolve("p").toString(),
            "--format",
            "xml");
    assertEquals(2, o.status());
    assertTrue(o.err().contains("--format xml: expected one of [parquet, csv, jsonl]"), o.err());
    o =
        MainTest.cli(
            "predict",
            dir.resolve("none.scnn").toString(),
            "--input",
            val.toString(),
            "--output",
            dir.resolve("p").toString());
    assertEquals(2, o.status());
    assertTrue(o.err().contains("no such model file"), o.err());

    Path wasps = dir.resolve("wasps-val");
    Files.createDirectories(wasps.resolve("wasps"));
    Files.copy(val.resolve("bees/1032546534_06907fe3b3.jpg"), wasps.resolve("wasps/w.jpg"));
    o =
        MainTest.cli(
            "evaluate",
            model.toString(),
            "--input",
            wasps.toString(),
            "--out",
            dir.resolve("e").toString());
    assertEquals(2, o.status());
    assertTrue(o.err().contains("[wasps]") && o.err().contains("[ants, bees]"), o.err());
    o =
        MainTest.cli(
            "evaluate",
            model.toString(),
            Path.of(System.getProperty("sparkcnn.root"), "conf", "quickstart.yaml").toString(),
            "--out",
            dir.resolve("e").toString());
    assertEquals(2, o.status()); // the quickstart's 10 shapes: 3 x 32 x 32 too, not 2 classes
    assertTrue(o.err().contains("has 10 classes; the model gives 2"), o.err());

    Path earlier = dir.resolve("earlier");
    Files.createDirectories(earlier);
    Files.writeString(earlier.resolve("evaluation.json"), "{\"accuracy\": 0.5}");
    o =
        MainTest.cli(
            "evaluate", model.toString(), "--input", val.toString(), "--out", earlier.toString());
    assertEquals(2, o.status());
    assertTrue(o.err().contains("already holds an evaluation.json"), o.err());
    assertEquals("{\"accuracy\": 0.5}", Files.readString(earlier.resolve("evaluation.json")));
  }
}

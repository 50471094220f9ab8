/*
 * `deploy/sparkcnn evaluate MODEL [CONFIG] [--data-dir DIR] --out DIR` and
 * `deploy/sparkcnn evaluate MODEL --input PATH --out DIR`: a trained model on labelled data, on
 * Spark: the test split of a job config's data source, or a folder of class folders (or prepare's
 * Parquet) as predict reads it (CommandInput). The predictions are reduced on the executors to a
 * confusion matrix and the count of samples whose class is among the five highest scores (one
 * row per true and predicted class pair reaches the driver), from which ClassificationReport
 * makes accuracy, top-5 accuracy and per-class precision, recall and F1; it is printed and
 * written to DIR as evaluation.json, confusion_matrix.txt and confusion_matrix.png. Samples that
 * do not decode are skipped and counted. An existing evaluation in DIR is never overwritten.
 */
package org.sparkcnn.ml;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.sparkcnn.data.Source;
import org.sparkcnn.data.Split;
import org.sparkcnn.driver.Main;
import org.sparkcnn.driver.Sessions;
import org.sparkcnn.driver.cli.Reporter;
import org.sparkcnn.driver.config.JobConfig;
import org.sparkcnn.driver.config.Keys;
import org.sparkcnn.driver.config.TrainingPlan;
import org.sparkcnn.driver.report.ClassificationReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description =
        "Evaluate a trained model on the test split of a config (or on a folder of"
            + " class folders): accuracy, top-5 accuracy, per-class precision, recall and F1 and the"
            + " confusion matrix (text and PNG), written to --out.")
public final class Evaluate implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "A model.scnn or a .onnx file.")
  Path model;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "CONFIG",
      description =
          "Job config (YAML) whose test split to use; default conf/quickstart.yaml"
              + " unless --input is given.")
  Path config;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Overrides data.dir.")
  Path dataDir;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a key; repeatable.")
  List<String> overrides = new ArrayList<>();

  @Option(
      names = "--input",
      paramLabel = "PATH",
      description =
          "Instead of a config: PATH/<class>/<images> (class folders named as the"
              + " model's classes) or Parquet shards made by prepare (their test split).")
  String input;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description =
          "Where to write evaluation.json, confusion_matrix.txt and" + " confusion_matrix.png.")
  Path out;

  @Option(
      names = "--master",
      paramLabel = "URL",
      description = "Spark master (overrides spark.master; spark-submit's wins).")
  String master;

  @Override
  public Integer call() {
    CnnClassificationModel m;
    Source source = null;
    Optional<Source.Encoded> encoded = Optional.empty();
    String sparkMaster = master != null ? master : "local[*]";
    try {
      m = CnnClassificationModel.fromFile(model);
      if (input != null && (config != null || dataDir != null || !overrides.isEmpty())) {
        throw new IllegalArgumentException(
            "--input and a CONFIG (or --data-dir, --set) both"
                + " name the data; expected one of them");
      }
      if (input == null) {
        JobConfig c =
            JobConfig.load(
                config != null ? config : Main.home().resolve("conf/quickstart.yaml"), overrides);
        if (dataDir != null) {
          c = c.with(Keys.DATA_DIR, dataDir.toString());
        }
        source = TrainingPlan.source(c);
        encoded = TrainingPlan.cachedEncoded(c, source);
        sparkMaster = master != null ? master : c.get(Keys.MASTER);
      }
      if (Files.exists(out.resolve(ClassificationReport.JSON))) {
        throw new IllegalArgumentException(
            "--out "
                + out
                + " already holds an "
                + ClassificationReport.JSON
                + "; expected a folder without one (nothing is"
                + " overwritten)");
      }
    } catch (IOException
        | IllegalArgumentException
        | UncheckedIOException
        | JobConfig.ConfigException e) {
      Reporter.error(e.getMessage());
      return Main.EXIT_BAD_INPUT;
    }
    SparkSession spark = Sessions.builder(sparkMaster, "sparkcnn evaluate").getOrCreate();
    try {
      CommandInput.Rows in;
      try {
        in =
            source != null
                ? CommandInput.testSplit(spark, source, encoded, m)
                : CommandInput.of(spark, input, m, true);
      } catch (IllegalArgumentException | UncheckedIOException e) {
        Reporter.error(e.getMessage());
        return Main.EXIT_BAD_INPUT;
      }
      Result r = evaluate(in);
      long listed =
          source != null
              ? source.listing(Split.TEST).map(l -> (long) l.size()).orElse(r.report.samples())
              : r.report.samples() + r.skipped;
      long skipped = listed - r.report.samples();
      Reporter.print(r.report.text());
      if (skipped > 0) {
        Reporter.out(
            String.format(
                Locale.ROOT, "skipped %d of %d samples that do not" + " decode", skipped, listed));
      }
      for (Path p : r.report.writeTo(out)) {
        Reporter.out("wrote " + p);
      }
      return 0;
    } catch (IOException e) {
      Reporter.error("cannot write to " + out + ": " + e.getMessage());
      return 1;
    } finally {
      spark.stop();
    }
  }

  /** The report on the labelled rows, and how many of them did not decode. */
  record Result(ClassificationReport report, long skipped) {}

  static Result evaluate(CommandInput.Rows in) {
    CnnClassificationModel m =
        in.model().copy(new org.apache.spark.ml.param.ParamMap()).setProbabilityCol("");
    int k = m.numClasses();
    UDF2<Vector, Double, Integer> top5 =
        (raw, label) -> raw == null ? 0 : inTop5(raw.toArray(), (int) Math.round(label)) ? 1 : 0;
    Dataset<Row> counts =
        m.transform(in.rows())
            .withColumn(
                "top5",
                functions
                    .udf(top5, DataTypes.IntegerType)
                    .apply(col("rawPrediction"), col("label")))
            .groupBy(
                col("label").cast(DataTypes.IntegerType).as("label"),
                col("prediction").cast(DataTypes.IntegerType).as("prediction"))
            .agg(functions.count(functions.lit(1)).as("n"), functions.sum("top5").as("top5"));
    long[][] confusion = new long[k][k];
    long top5Correct = 0;
    long skipped = 0;
    for (Row r : counts.collectAsList()) {
      long n = r.getLong(2);
      if (r.isNullAt(1)) {
        skipped += n;
        continue;
      }
      int label = r.getInt(0);
      if (label < 0 || label >= k) {
        throw new IllegalArgumentException(
            n
                + " samples have the label "
                + label
                + "; expected"
                + " class indices 0.."
                + (k - 1)
                + " of the model");
      }
      confusion[label][r.getInt(1)] += n;
      top5Correct += r.getLong(3);
    }
    return new Result(ClassificationReport.of(confusion, top5Correct, Predict.names(m)), skipped);
  }

  /** Whether label is among the five highest scores (ties: the lower index first). */
  static boolean inTop5(double[] raw, int label) {
    int above = 0;
    for (int c = 0; c < raw.length; c++) {
      if (raw[c] > raw[label] || (raw[c] == raw[label] && c < label)) {
        above++;
      }
    }
    return above < 5;
  }
}

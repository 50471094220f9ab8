/*
 * `deploy/sparkcnn predict MODEL --input PATH --output OUT [--top-k K] [--format F]`: batch
 * inference on Spark with a CnnClassificationModel. MODEL is a model.scnn or an ONNX file
 * (CnnClassificationModel.fromFile); PATH a folder of images of any depth or Parquet shards made
 * by `prepare` (CommandInput). OUT, a new folder as Spark writes them (part files), gets one row
 * per image: `path` (or `id` and `split` for Parquet), `prediction` (the class index), `class`
 * (its name, or the index as text for a model without names) and the k most probable classes
 * with their probabilities: for parquet and jsonl a `top_k` array of (index, class, probability)
 * structs, for csv, which has no arrays, the columns top1_index, top1_class, top1_probability,
 * top2_index... Files that do not decode are skipped, counted and named in warnings. Everything
 * that can be checked before a Spark job (the model file, PATH, OUT, k) is, with exit status 2.
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
import java.util.concurrent.Callable;
import org.apache.spark.api.java.function.FilterFunction;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.sparkcnn.driver.Main;
import org.sparkcnn.driver.Sessions;
import org.sparkcnn.driver.cli.Reporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    description =
        "Classify a folder of images (or prepare's Parquet) with a trained model on"
            + " Spark: one row per image with the predicted class and the top-k probabilities.")
public final class Predict implements Callable<Integer> {
  static final List<String> FORMATS = List.of("parquet", "csv", "jsonl");

  @Parameters(index = "0", paramLabel = "MODEL", description = "A model.scnn or a .onnx file.")
  Path model;

  @Option(
      names = "--input",
      required = true,
      paramLabel = "PATH",
      description = "A folder of images (any depth), or Parquet shards made by prepare.")
  String input;

  @Option(
      names = "--output",
      required = true,
      paramLabel = "OUT",
      description = "The folder to write; it must not exist.")
  String output;

  @Option(
      names = "--top-k",
      paramLabel = "K",
      defaultValue = "5",
      description = "How many of the most probable classes to list (default ${DEFAULT-VALUE}).")
  int topK;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "parquet",
      description = "parquet, csv or jsonl (default ${DEFAULT-VALUE}).")
  String format;

  @Option(
      names = "--preview",
      paramLabel = "PNG",
      description =
          "Also draw the first "
              + PredictionPreview.COUNT
              + " images with their"
              + " predicted classes into this PNG.")
  Path preview;

  @Option(
      names = "--master",
      paramLabel = "URL",
      defaultValue = "local[*]",
      description = "Spark master (default ${DEFAULT-VALUE}; spark-submit's wins).")
  String master;

  @Override
  public Integer call() {
    CnnClassificationModel m;
    try {
      m = CnnClassificationModel.fromFile(model);
      check(m);
    } catch (IOException | IllegalArgumentException | UncheckedIOException e) {
      Reporter.error(e.getMessage());
      return Main.EXIT_BAD_INPUT;
    }
    SparkSession spark = Sessions.builder(master, "sparkcnn predict").getOrCreate();
    try {
      CommandInput.Rows in;
      try {
        in = CommandInput.of(spark, input, m, false);
        refuseExisting(spark, output);
      } catch (IllegalArgumentException | UncheckedIOException e) {
        Reporter.error(e.getMessage());
        return Main.EXIT_BAD_INPUT;
      }
      LongAccumulator written = spark.sparkContext().longAccumulator("predicted");
      LongAccumulator skipped = spark.sparkContext().longAccumulator("undecodable");
      Dataset<Row> out = rows(in, topK, format.equals("csv"), written, skipped);
      var writer = out.write();
      (switch (format) {
            case "csv" -> writer.option("header", "true").format("csv");
            case "jsonl" -> writer.format("json");
            default -> writer.format("parquet");
          })
          .save(output);
      Reporter.out(
          String.format(
              Locale.ROOT,
              "predicted %d images into %s (%s)%s",
              written.value(),
              output,
              format,
              skipped.value() == 0
                  ? ""
                  : "; skipped " + skipped.value() + " files that do not decode"));
      if (preview != null) {
        int n = PredictionPreview.write(in, preview);
        Reporter.out("drew " + n + " images with their predictions into " + preview);
      }
      return 0;
    } catch (IOException e) {
      Reporter.error("cannot write " + preview + ": " + e.getMessage());
      return 1;
    } finally {
      spark.stop();
    }
  }

  private void check(CnnClassificationModel m) {
    if (!FORMATS.contains(format)) {
      throw new IllegalArgumentException("--format " + format + ": expected one of " + FORMATS);
    }
    if (topK < 1) {
      throw new IllegalArgumentException("--top-k " + topK + ": expected at least 1");
    }
    topK = Math.min(topK, m.numClasses());
    if (preview != null
        && (!preview.getFileName().toString().endsWith(".png")
            || (preview.toAbsolutePath().getParent() != null
                && !Files.isDirectory(preview.toAbsolutePath().getParent())))) {
      throw new IllegalArgumentException(
          "--preview " + preview + ": expected a FILE.png in an" + " existing folder");
    }
  }

  static void refuseExisting(SparkSession spark, String out) {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(out);
    try {
      if (p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p)) {
        throw new IllegalArgumentException(
            "--output " + out + " exists; expected a new folder" + " (nothing is overwritten)");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reach " + out + ": " + e.getMessage(), e);
    }
  }

  /**
   * The output rows of in: the key columns, prediction, class and the top k, without the rows whose
   * image does not decode (counted in skipped; the others in written). flat: top-k as columns
   * (csv).
   */
  static Dataset<Row> rows(
      CommandInput.Rows in, int k, boolean flat, LongAccumulator written, LongAccumulator skipped) {
    CnnClassificationModel m =
        in.model().copy(new org.apache.spark.ml.param.ParamMap()).setRawPredictionCol("");
    List<String> names = names(m);
    Dataset<Row> transformed = m.transform(in.rows());
    int at = transformed.schema().fieldIndex("prediction");
    Dataset<Row> predicted =
        transformed.filter(
            (FilterFunction<Row>)
                r -> {
                  boolean ok = !r.isNullAt(at);
                  (ok ? written : skipped).add(1);
                  return ok;
                });
    StructType entry =
        new StructType()
            .add("index", DataTypes.IntegerType)
            .add("class", DataTypes.StringType)
            .add("probability", DataTypes.DoubleType);
    UDF1<Vector, List<Row>> top = p -> top(p, k, names);
    Column topK = functions.udf(top, DataTypes.createArrayType(entry)).apply(col("probability"));
    UDF1<Double, String> name = p -> names.get((int) Math.round(p));
    List<Column> cols = new ArrayList<>();
    for (String c : in.rows().columns()) {
      if (c.equals("key")) {
        cols.add(
            col("key")
                .as(
                    in.rows().schema().apply("key").dataType().equals(DataTypes.StringType)
                        ? "path"
                        : "id"));
      } else if (c.equals("split") || c.equals("label")) {
        cols.add(col(c));
      }
    }
    cols.add(col("prediction").cast(DataTypes.IntegerType).as("prediction"));
    cols.add(functions.udf(name, DataTypes.StringType).apply(col("prediction")).as("class"));
    if (!flat) {
      cols.add(topK.as("top_k"));
      return predicted.select(cols.toArray(Column[]::new));
    }
    Dataset<Row> withTop = predicted.withColumn("top_k", topK);
    for (int i = 0; i < k; i++) {
      Column e = col("top_k").getItem(i);
      cols.add(e.getField("index").as("top" + (i + 1) + "_index"));
      cols.add(e.getField("class").as("top" + (i + 1) + "_class"));
      cols.add(e.getField("probability").as("top" + (i + 1) + "_probability"));
    }
    return withTop.select(cols.toArray(Column[]::new));
  }

  /** The model's class names, or the indices as text. */
  static List<String> names(CnnClassificationModel m) {
    if (!m.classNames().isEmpty()) {
      return m.classNames();
    }
    List<String> n = new ArrayList<>();
    for (int c = 0; c < m.numClasses(); c++) {
      n.add(Integer.toString(c));
    }
    return n;
  }

  /** The k most probable classes of p, most probable first (ties: the lower index). */
  static List<Row> top(Vector p, int k, List<String> names) {
    double[] v = p.toArray();
    List<Integer> order = new ArrayList<>();
    for (int c = 0; c < v.length; c++) {
      order.add(c);
    }
    order.sort((a, b) -> v[a] != v[b] ? Double.compare(v[b], v[a]) : Integer.compare(a, b));
    List<Row> out = new ArrayList<>(k);
    for (int i = 0; i < k; i++) {
      int c = order.get(i);
      out.add(RowFactory.create(c, names.get(c), v[c]));
    }
    return out;
  }
}

/*
 * sparkcnn as a Spark ML Estimator: fit(DataFrame) trains a CNN by synchronous SGD with the same
 * Trainer as `deploy/sparkcnn train`, on the DataFrame's rows instead of a dataset on disk, and
 * returns a CnnClassificationModel. The params mirror the job config's keys (with the config's
 * defaults); set(configKey, value) reaches any other key. Features: see Features; labels: a
 * numeric column of class indices 0..k-1 (as StringIndexer makes), k taken from the column's ML
 * metadata or else from the largest label. transformSchema checks the columns, the augmentation
 * and that the model fits the input shape before any job runs. The same rows in the same order
 * with the same seed and partitions train the same bits as `train` on those samples.
 */
package org.sparkcnn.ml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.sparkcnn.driver.config.JobConfig;
import org.sparkcnn.driver.config.TrainingPlan;
import org.sparkcnn.driver.persist.RunFolder;
import org.sparkcnn.driver.train.Trainer;

public final class CnnClassifier extends Estimator<CnnClassificationModel>
    implements DefaultParamsWritable {
  private final String uid;
  private final Param<String> featuresCol;
  private final Param<String> labelCol;
  private final Param<String> predictionCol;
  private final Param<String> probabilityCol;
  private final Param<String> rawPredictionCol;
  private final Param<String> validationIndicatorCol;
  private final DoubleParam pixelScale;
  private final Param<String> binaryFeatures;
  private final TrainingParams training;

  public CnnClassifier() {
    this(Identifiable.randomUID("cnnClassifier"));
  }

  public CnnClassifier(String uid) {
    this.uid = uid;
    featuresCol = ColumnParams.featuresCol(this);
    labelCol = new Param<>(this, "labelCol", "label column: class indices 0..k-1 (numeric)");
    predictionCol = ColumnParams.predictionCol(this);
    probabilityCol = ColumnParams.probabilityCol(this);
    rawPredictionCol = ColumnParams.rawPredictionCol(this);
    validationIndicatorCol =
        new Param<>(
            this,
            "validationIndicatorCol",
            "boolean column: rows"
                + " where it is true are not trained on but evaluated after every epoch (the summary's"
                + " test metrics); empty for none");
    pixelScale = ColumnParams.pixelScale(this);
    binaryFeatures = ColumnParams.binaryFeatures(this);
    ColumnParams.defaults(
        this,
        featuresCol,
        predictionCol,
        probabilityCol,
        rawPredictionCol,
        pixelScale,
        binaryFeatures);
    setDefault(labelCol, "label");
    setDefault(validationIndicatorCol, "");
    training = new TrainingParams(this);
  }

  @Override
  public String uid() {
    return uid;
  }

  // Params: public accessors, as Spark finds params by reflection on them.
  public Param<String> featuresCol() {
    return featuresCol;
  }

  public Param<String> labelCol() {
    return labelCol;
  }

  public Param<String> predictionCol() {
    return predictionCol;
  }

  public Param<String> probabilityCol() {
    return probabilityCol;
  }

  public Param<String> rawPredictionCol() {
    return rawPredictionCol;
  }

  public Param<String> validationIndicatorCol() {
    return validationIndicatorCol;
  }

  public DoubleParam pixelScale() {
    return pixelScale;
  }

  public Param<String> binaryFeatures() {
    return binaryFeatures;
  }

  public IntArrayParam inputShape() {
    return training.inputShape;
  }

  public IntParam imageSize() {
    return training.imageSize;
  }

  public Param<String> modelName() {
    return training.modelName;
  }

  public Param<String> modelDefinition() {
    return training.modelDefinition;
  }

  public IntParam maxEpochs() {
    return training.maxEpochs;
  }

  public IntParam batchSize() {
    return training.batchSize;
  }

  public DoubleParam learningRate() {
    return training.learningRate;
  }

  public DoubleParam momentum() {
    return training.momentum;
  }

  public DoubleParam weightDecay() {
    return training.weightDecay;
  }

  public LongParam seed() {
    return training.seed;
  }

  public IntParam numPartitions() {
    return training.numPartitions;
  }

  public Param<String> augmentation() {
    return training.augmentation;
  }

  public Param<String> checkpointDir() {
    return training.checkpointDir;
  }

  public StringArrayParam config() {
    return training.config;
  }

  // Setters, in Spark's style: each returns this.
  public CnnClassifier setFeaturesCol(String v) {
    return (CnnClassifier) set(featuresCol, v);
  }

  public CnnClassifier setLabelCol(String v) {
    return (CnnClassifier) set(labelCol, v);
  }

  public CnnClassifier setPredictionCol(String v) {
    return (CnnClassifier) set(predictionCol, v);
  }

  public CnnClassifier setProbabilityCol(String v) {
    return (CnnClassifier) set(probabilityCol, v);
  }

  public CnnClassifier setRawPredictionCol(String v) {
    return (CnnClassifier) set(rawPredictionCol, v);
  }

  public CnnClassifier setValidationIndicatorCol(String v) {
    return (CnnClassifier) set(validationIndicatorCol, v);
  }

  public CnnClassifier setPixelScale(double v) {
    return (CnnClassifier) set(pixelScale, v);
  }

  /** "file" (the default): a binary features column holds image files; "pixels": raw bytes. */
  public CnnClassifier setBinaryFeatures(String v) {
    return (CnnClassifier) set(binaryFeatures, v);
  }

  public CnnClassifier setInputShape(int channels, int height, int width) {
    return (CnnClassifier) set(training.inputShape, new int[] {channels, height, width});
  }

  public CnnClassifier setImageSize(int v) {
    return (CnnClassifier) set(training.imageSize, v);
  }

  public CnnClassifier setModelName(String v) {
    return (CnnClassifier) set(training.modelName, v);
  }

  public CnnClassifier setModelDefinition(String yaml) {
    return (CnnClassifier) set(training.modelDefinition, yaml);
  }

  public CnnClassifier setMaxEpochs(int v) {
    return (CnnClassifier) set(training.maxEpochs, v);
  }

  public CnnClassifier setBatchSize(int v) {
    return (CnnClassifier) set(training.batchSize, v);
  }

  public CnnClassifier setLearningRate(double v) {
    return (CnnClassifier) set(training.learningRate, v);
  }

  public CnnClassifier setMomentum(double v) {
    return (CnnClassifier) set(training.momentum, v);
  }

  public CnnClassifier setWeightDecay(double v) {
    return (CnnClassifier) set(training.weightDecay, v);
  }

  public CnnClassifier setSeed(long v) {
    return (CnnClassifier) set(training.seed, v);
  }

  public CnnClassifier setNumPartitions(int v) {
    return (CnnClassifier) set(training.numPartitions, v);
  }

  public CnnClassifier setAugmentation(String yaml) {
    return (CnnClassifier) set(training.augmentation, yaml);
  }

  public CnnClassifier setCheckpointDir(String v) {
    return (CnnClassifier) set(training.checkpointDir, v);
  }

  /**
   * Any job-config key (conf/README.md), e.g. set("optim.lr_schedule", "cosine"): a key that a
   * param mirrors sets that param; a param's own name sets the param from its text.
   */
  public CnnClassifier set(String configKey, String value) {
    if (hasParam(configKey)) {
      Param<Object> p = getParam(configKey);
      return (CnnClassifier)
          set(
              p,
              p.jsonDecode(
                  value.startsWith("\"") || !isText(p)
                      ? value
                      : "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\""));
    }
    training.setKey(configKey, value);
    return this;
  }

  private static boolean isText(Param<?> p) {
    return !(p instanceof IntParam
        || p instanceof DoubleParam
        || p instanceof LongParam
        || p instanceof IntArrayParam
        || p instanceof StringArrayParam);
  }

  public String getFeaturesCol() {
    return $(featuresCol);
  }

  public String getLabelCol() {
    return $(labelCol);
  }

  /** The job config this estimator's params make (data.source: dataframe). */
  public JobConfig jobConfig() {
    return training.jobConfig();
  }

  @Override
  public StructType transformSchema(StructType schema) {
    Features f = features(schema);
    TrainingParams.checkLabel(schema, $(labelCol));
    String v = $(validationIndicatorCol);
    if (!v.isEmpty()) {
      TrainingParams.checkValidation(schema, v);
    }
    training.check(f.shape);
    return ColumnParams.appendOutputs(
        schema, $(predictionCol), $(probabilityCol), $(rawPredictionCol));
  }

  private Features features(StructType schema) {
    return Features.of(
        schema,
        $(featuresCol),
        $(training.inputShape),
        (int) $(training.imageSize),
        (double) $(pixelScale),
        $(binaryFeatures));
  }

  @Override
  public CnnClassificationModel fit(Dataset<?> dataset) {
    StructType schema = dataset.schema();
    transformSchema(schema);
    Features f = features(schema);
    List<String> cols = new ArrayList<>(List.of($(featuresCol), $(labelCol)));
    int pathCol =
        f.kind == Features.Kind.FILE && List.of(schema.fieldNames()).contains("path")
            ? add(cols, "path")
            : -1;
    int validation =
        $(validationIndicatorCol).isEmpty() ? -1 : add(cols, $(validationIndicatorCol));
    Dataset<Row> frame =
        dataset.toDF().select(cols.get(0), cols.subList(1, cols.size()).toArray(String[]::new));
    Labels labels = Labels.of(frame, schema.apply($(labelCol)));
    JobConfig c = training.jobConfig();
    Path runDir = null;
    try {
      runDir = Files.createTempDirectory("sparkcnn-fit-");
      TrainingPlan plan =
          TrainingPlan.from(
              c,
              new DataFrameSource(frame, f, pathCol, validation, labels.classes(), labels.names()),
              training.definition(),
              "modelDefinition");
      Trainer.Result r =
          new Trainer(plan, RunFolder.create(runDir.resolve("run"), c)).run(dataset.sparkSession());
      var summary = TrainingSummary.read(runDir.resolve("run").resolve(RunFolder.METRICS));
      CnnClassificationModel model = new CnnClassificationModel(uid, r.model(), summary);
      return copyValues(model, extractParamMap()).setParent(this);
    } catch (JobConfig.ConfigException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("CnnClassifier.fit: " + e.getMessage(), e);
    } finally {
      delete(runDir);
    }
  }

  private static int add(List<String> cols, String col) {
    cols.add(col);
    return cols.size() - 1;
  }

  private static void delete(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary folder left behind is harmless
    }
  }

  @Override
  public CnnClassifier copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<CnnClassifier> read() {
    return new DefaultParamsReader<>();
  }

  public static CnnClassifier load(String path) {
    return read().load(path);
  }
}

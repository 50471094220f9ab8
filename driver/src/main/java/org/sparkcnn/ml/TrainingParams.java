/*
 * CnnClassifier's training params and the job config they make. Each param mirrors one config key
 * and takes that key's default (Keys); `config` holds any other key as "key=value" entries, in the
 * order they were set, later ones winning. jobConfig() resolves them all through JobConfig, with
 * data.source: dataframe, so that every value is checked exactly as in a config file and a bad one
 * is an IllegalArgumentException naming the key. The model is model.name, or the YAML of
 * modelDefinition; the augmentation is the YAML list of data.augment.
 */
package org.sparkcnn.ml;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkcnn.data.augment.Augmentation;
import org.sparkcnn.driver.config.JobConfig;
import org.sparkcnn.driver.config.Keys;
import org.sparkcnn.driver.config.ModelCatalog;
import org.sparkcnn.driver.config.TrainingPlan;
import org.sparkcnn.engine.Shape;

final class TrainingParams {
  private final Params owner;
  final IntArrayParam inputShape;
  final IntParam imageSize;
  final Param<String> modelName;
  final Param<String> modelDefinition;
  final IntParam maxEpochs;
  final IntParam batchSize;
  final DoubleParam learningRate;
  final DoubleParam momentum;
  final DoubleParam weightDecay;
  final LongParam seed;
  final IntParam numPartitions;
  final Param<String> augmentation;
  final Param<String> checkpointDir;
  final StringArrayParam config;

  /** The param that mirrors each config key. */
  private final Map<String, Param<?>> mirrors = new LinkedHashMap<>();

  TrainingParams(Params owner) {
    this.owner = owner;
    inputShape =
        new IntArrayParam(
            owner,
            "inputShape",
            "[channels, height, width] of numeric"
                + " features (CHW order); empty for image features");
    imageSize =
        mirror(
            new IntParam(
                owner,
                "imageSize",
                "image features are resized (shorter" + " side) and centre-cropped to this size",
                ParamValidators.gtEq(8)),
            Keys.DATA_IMAGE_SIZE.name(),
            Keys.DATA_IMAGE_SIZE.defaultValue());
    modelName =
        mirror(
            new Param<>(owner, "modelName", "a shipped model: " + ModelCatalog.SHIPPED),
            Keys.MODEL_NAME.name(),
            Keys.MODEL_NAME.defaultValue());
    modelDefinition =
        new Param<>(
            owner,
            "modelDefinition",
            "a model definition (YAML, the"
                + " format of conf/models/README.md) used instead of modelName; empty for none");
    maxEpochs =
        mirror(
            new IntParam(
                owner, "maxEpochs", "passes over the training rows", ParamValidators.gtEq(1)),
            Keys.EPOCHS.name(),
            Keys.EPOCHS.defaultValue());
    batchSize =
        mirror(
            new IntParam(
                owner,
                "batchSize",
                "global minibatch per step, split over" + " the partitions",
                ParamValidators.gtEq(1)),
            Keys.BATCH_SIZE.name(),
            Keys.BATCH_SIZE.defaultValue());
    learningRate =
        mirror(
            new DoubleParam(owner, "learningRate", "SGD learning rate", ParamValidators.gt(0)),
            Keys.LR.name(),
            Keys.LR.defaultValue());
    momentum =
        mirror(
            new DoubleParam(
                owner, "momentum", "SGD momentum", ParamValidators.inRange(0, 1, true, false)),
            Keys.MOMENTUM.name(),
            Keys.MOMENTUM.defaultValue());
    weightDecay =
        mirror(
            new DoubleParam(owner, "weightDecay", "L2 weight decay", ParamValidators.gtEq(0)),
            Keys.WEIGHT_DECAY.name(),
            Keys.WEIGHT_DECAY.defaultValue());
    seed =
        mirror(
            new LongParam(owner, "seed", "seed of every random draw"),
            Keys.SEED.name(),
            Keys.SEED.defaultValue());
    numPartitions =
        mirror(
            new IntParam(
                owner,
                "numPartitions",
                "partitions (tasks per step); 0" + " for Spark's default parallelism",
                ParamValidators.gtEq(0)),
            Keys.PARTITIONS.name(),
            Keys.PARTITIONS.defaultValue());
    augmentation =
        new Param<>(
            owner,
            "augmentation",
            "the data.augment list as YAML, e.g."
                + " \"[{op: random_crop, size: 28, padding: 2}]\"; empty for none");
    checkpointDir =
        mirror(
            new Param<>(
                owner,
                "checkpointDir",
                "where checkpoints go (a Hadoop" + " path); empty for a temporary folder"),
            Keys.CHECKPOINT_DIR.name(),
            Keys.CHECKPOINT_DIR.defaultValue());
    config = new StringArrayParam(owner, "config", "other job-config keys, as key=value");
    owner.setDefault(inputShape, new int[0]);
    owner.setDefault(modelDefinition, "");
    owner.setDefault(augmentation, "");
    owner.setDefault(config, new String[0]);
  }

  private <P extends Param<?>> P mirror(P param, String key, Object def) {
    mirrors.put(key, param);
    @SuppressWarnings("unchecked")
    Param<Object> p = (Param<Object>) param;
    owner.setDefault(p, def);
    return param;
  }

  /** set(key, value) of CnnClassifier for a config key: its param, or an entry of config. */
  void setKey(String key, String value) {
    JobConfig parsed = parse(List.of(key + "=" + value));
    Param<?> mirror = mirrors.get(key);
    @SuppressWarnings("unchecked")
    Param<Object> p = (Param<Object>) mirror;
    if (p != null) {
      owner.set(p, parsed.asMap().get(key));
      return;
    }
    List<String> entries = new ArrayList<>();
    for (String e : owner.$(config)) {
      if (!e.startsWith(key + "=")) {
        entries.add(e);
      }
    }
    entries.add(key + "=" + value);
    owner.set(config, entries.toArray(String[]::new));
  }

  private static JobConfig parse(List<String> overrides) {
    try {
      return JobConfig.parse("", "CnnClassifier", overrides);
    } catch (JobConfig.ConfigException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** The job config of the params; IllegalArgumentException naming a bad key. */
  JobConfig jobConfig() {
    List<String> o = new ArrayList<>(List.of(owner.$(config)));
    o.add(Keys.DATA_SOURCE.name() + "=" + TrainingPlan.DATAFRAME);
    mirrors.forEach((key, param) -> o.add(key + "=" + owner.$(param)));
    String augment = owner.$(augmentation).trim();
    if (!augment.isEmpty()) {
      o.add(Keys.DATA_AUGMENT.name() + "=" + augment);
    }
    return parse(o);
  }

  /** The parsed modelDefinition, or null when the model is modelName. */
  Map<String, Object> definition() {
    String yaml = owner.$(modelDefinition);
    return yaml.isBlank() ? null : ModelCatalog.read(yaml, "modelDefinition");
  }

  /**
   * Checks before any job that the config resolves and the model (with the augmentation) fits
   * samples of this shape; IllegalArgumentException naming what does not.
   */
  void check(Shape shape) {
    JobConfig c = jobConfig();
    try {
      Augmentation a = TrainingPlan.augmentation(c, shape);
      Map<String, Object> doc = definition();
      // the class count never changes whether shapes fit: any k >= 2 checks them
      if (doc == null) {
        TrainingPlan.architecture(c, a.train().output(), 2);
      } else {
        TrainingPlan.architecture(doc, "modelDefinition", c, a.train().output(), 2);
      }
    } catch (JobConfig.ConfigException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  static void checkLabel(StructType schema, String col) {
    StructField f = Features.field(schema, col, "label");
    if (!(f.dataType() instanceof NumericType)) {
      throw new IllegalArgumentException(
          "label column '"
              + col
              + "' holds "
              + f.dataType().simpleString()
              + "; expected class indices 0..k-1 as numbers (index"
              + " string labels with StringIndexer)");
    }
  }

  static void checkValidation(StructType schema, String col) {
    StructField f = Features.field(schema, col, "validation indicator");
    if (!(f.dataType() instanceof BooleanType)) {
      throw new IllegalArgumentException(
          "validation indicator column '"
              + col
              + "' holds "
              + f.dataType().simpleString()
              + "; expected boolean");
    }
  }
}

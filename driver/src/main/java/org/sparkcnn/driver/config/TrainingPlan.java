/*
 * Everything a training run needs, built once from the config and then never changed: the data
 * source (checked on disk), the architecture (its shapes checked against the data), the optimiser,
 * the loop's numbers, the fine-tuning (null for a run from scratch) and the augmentation (the
 * model's input is what the pipelines make of the data). Building it is the "before Spark starts"
 * validation of DESIGN.md: a bad key, a missing file, a bad augmentation op or a model that does
 * not fit the data fails here.
 */
package org.sparkcnn.driver.config;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.sparkcnn.data.CifarSource;
import org.sparkcnn.data.FolderSource;
import org.sparkcnn.data.MnistSource;
import org.sparkcnn.data.ParquetSource;
import org.sparkcnn.data.ShapesSource;
import org.sparkcnn.data.Source;
import org.sparkcnn.data.augment.Augmentation;
import org.sparkcnn.data.cache.DataCache;
import org.sparkcnn.data.cache.DataConfigException;
import org.sparkcnn.data.cache.DataSpec;
import org.sparkcnn.engine.Architecture;
import org.sparkcnn.engine.EngineOptions;
import org.sparkcnn.engine.Init;
import org.sparkcnn.engine.Loss;
import org.sparkcnn.engine.OnnxImport;
import org.sparkcnn.engine.Sgd;
import org.sparkcnn.engine.Shape;

public record TrainingPlan(
    JobConfig config,
    Source source,
    Architecture architecture,
    Init init,
    int epochs,
    int batchSize,
    int partitions,
    long seed,
    Sgd.Hyper sgd,
    double lr,
    int evalBatch,
    boolean normalize,
    Loss loss,
    FineTuning fineTuning,
    Augmentation augment) {

  /**
   * Samples per forward pass of evaluation on a task whose training minibatch is taskBatch:
   * eval.batch_size, or taskBatch where that is 0, so that evaluation grows no buffer of the
   * replica beyond what training holds.
   */
  public int evalBatch(int taskBatch) {
    return evalBatch > 0 ? evalBatch : taskBatch;
  }

  /** How the replicas compute (engine.*), on threads compute threads a task (engine.threads). */
  public EngineOptions engine(int threads) {
    return engine(config, threads);
  }

  /** The engine.* keys of c as the options of a model computing on threads threads. */
  public static EngineOptions engine(JobConfig c, int threads) {
    return new EngineOptions(
        threads,
        c.get(EngineKeys.GEMM),
        c.get(EngineKeys.CONV),
        (long) c.get(EngineKeys.CONV_CHUNK_KIB) << 10,
        c.get(EngineKeys.FUSE_RELU));
  }

  /** data.source of a run whose data is a DataFrame given to the Spark ML API. */
  public static final String DATAFRAME = "dataframe";

  static final int SHAPES_TRAIN_DEFAULT = 10_000;
  static final int SHAPES_TEST_DEFAULT = 2_000;

  public static TrainingPlan from(JobConfig c) {
    return from(c, source(c));
  }

  /**
   * The plan of config c over a given source instead of the one data.source names: the Spark ML
   * API's DataFrame (data.source: dataframe).
   */
  public static TrainingPlan from(JobConfig c, Source source) {
    return from(c, source, null);
  }

  /**
   * The plan of config c over source with the model of a definition (a parsed model YAML, named
   * `definitionName` in messages) instead of model.name or model.file; null for those.
   */
  public static TrainingPlan from(
      JobConfig c, Source source, Map<String, Object> definition, String definitionName) {
    return from(c, source, definition == null ? null : new Definition(definition, definitionName));
  }

  private record Definition(Map<String, Object> doc, String name) {}

  private static TrainingPlan from(JobConfig c, Source source, Definition definition) {
    try {
      source.check();
    } catch (IllegalArgumentException | UncheckedIOException e) {
      throw new JobConfig.ConfigException("data: " + e.getMessage());
    }
    cache(c, source); // data.cache: encoded needs a source of encoded files
    Augmentation augment = augmentation(c, source.shape());
    Architecture arch =
        definition == null
            ? architecture(c, augment.train().output(), source.classes())
            : architecture(
                definition.doc(), definition.name(), c, augment.train().output(), source.classes());
    int partitions = c.get(Keys.PARTITIONS);
    if (partitions > c.get(Keys.BATCH_SIZE)) {
      throw new JobConfig.ConfigException(
          "key 'train.partitions': "
              + partitions
              + " partitions cannot share a batch of "
              + c.get(Keys.BATCH_SIZE)
              + " (train.batch_size); expected at most train.batch_size");
    }
    Choices.Aggregation aggregation = c.get(Keys.AGGREGATION);
    Choices.Execution execution = c.get(Keys.EXECUTION);
    if (aggregation == Choices.Aggregation.SHARDED && execution == Choices.Execution.BARRIER) {
      throw new JobConfig.ConfigException(
          "key 'train.aggregation': sharded sums the gradients"
              + " of a Spark job per step, but train.execution is barrier; expected"
              + " train.execution: jobs with it, or train.aggregation: tree");
    }
    if (aggregation == Choices.Aggregation.ALLREDUCE && execution == Choices.Execution.JOBS) {
      throw new JobConfig.ConfigException(
          "key 'train.aggregation': allreduce sums among the"
              + " long-lived tasks of a barrier stage, but train.execution is jobs; expected"
              + " train.execution: barrier with it, or train.aggregation: tree");
    }
    Loss loss;
    try {
      loss = new Loss(c.get(Keys.LOSS), c.get(Keys.LABEL_SMOOTHING));
    } catch (IllegalArgumentException e) {
      throw new JobConfig.ConfigException(
          "keys 'train.loss', 'train.label_smoothing': " + e.getMessage());
    }
    LrSchedule.check(c);
    Sgd.Hyper sgd =
        new Sgd.Hyper(
            c.get(Keys.MOMENTUM),
            c.get(Keys.DAMPENING),
            c.get(Keys.WEIGHT_DECAY),
            c.get(Keys.NESTEROV));
    return new TrainingPlan(
        c,
        source,
        arch,
        c.get(Keys.MODEL_INIT),
        c.get(Keys.EPOCHS),
        c.get(Keys.BATCH_SIZE),
        partitions,
        c.get(Keys.SEED),
        sgd,
        c.get(Keys.LR),
        c.get(Keys.EVAL_BATCH),
        c.get(Keys.DATA_NORMALIZE) && augment.train().normalization().isEmpty(),
        loss,
        FineTuning.of(c, arch),
        augment);
  }

  /** The pipelines of data.augment and data.eval_transform for the data's shape. */
  public static Augmentation augmentation(JobConfig c, Shape input) {
    try {
      return Augmentation.parse(
          c.get(Keys.DATA_AUGMENT),
          Keys.DATA_AUGMENT.name(),
          c.get(Keys.DATA_EVAL_TRANSFORM),
          Keys.DATA_EVAL_TRANSFORM.name(),
          input);
    } catch (IllegalArgumentException e) {
      throw new JobConfig.ConfigException(
          e.getMessage() + " (data " + c.get(Keys.DATA_SOURCE) + ": " + input + ")");
    }
  }

  /** A model definition (parsed YAML) for the data's shape and classes; errors name it. */
  public static Architecture architecture(
      Map<String, Object> doc, String name, JobConfig c, Shape input, int classes) {
    try {
      return ModelCatalog.build(doc, name, input, classes);
    } catch (IllegalArgumentException e) {
      throw new JobConfig.ConfigException(
          e.getMessage()
              + " (data "
              + c.get(Keys.DATA_SOURCE)
              + ": "
              + input
              + ", "
              + classes
              + " classes)");
    }
  }

  /** The model of the config (model.file, else model.name) for the data's shape and classes. */
  public static Architecture architecture(JobConfig c, Shape input, int classes) {
    String file = c.get(Keys.MODEL_FILE);
    String source =
        file.isEmpty() ? "model '" + c.get(Keys.MODEL_NAME) + "'" : "model file " + file;
    try {
      if (file.endsWith(".onnx")) {
        return onnx(Path.of(file), input, classes);
      }
      var doc =
          file.isEmpty()
              ? ModelCatalog.shipped(c.get(Keys.MODEL_NAME))
              : ModelCatalog.file(Path.of(file));
      return ModelCatalog.build(doc, source, input, classes);
    } catch (IllegalArgumentException e) {
      throw new JobConfig.ConfigException(
          e.getMessage()
              + " (data "
              + c.get(Keys.DATA_SOURCE)
              + ": "
              + input
              + ", "
              + classes
              + " classes)");
    }
  }

  /** The architecture of an ONNX file, which must take the data's shape and give its classes. */
  private static Architecture onnx(Path file, Shape input, int classes) {
    Architecture a;
    try {
      a = OnnxImport.read(file).architecture();
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    if (!a.input().equals(input) || !a.output().equals(Shape.of(classes))) {
      throw new IllegalArgumentException(
          "model file "
              + file
              + " takes "
              + a.input()
              + " and gives "
              + a.output()
              + " values, which do not fit the data");
    }
    return a;
  }

  /**
   * The encoded form config c caches source's splits in (DataCache), or empty when it caches them
   * decoded: how training evaluated, so that `evaluate CONFIG` sees the same inputs.
   */
  public static Optional<Source.Encoded> cachedEncoded(JobConfig c, Source source) {
    return Optional.ofNullable(cache(c, source).decoder());
  }

  /** What the data classes need of this plan (TrainingData), with the cache its config chooses. */
  public DataSpec dataSpec() {
    return new DataSpec(
        source,
        augment,
        normalize,
        seed,
        batchSize,
        config.get(Keys.DATA_PARTITIONING),
        config.get(Keys.DATA_RESHUFFLE_EVERY),
        config.get(Keys.DATA_MAX_BAD_FRACTION),
        cache(config, source));
  }

  /** How config c caches source's splits (DataCache); a ConfigException if it cannot. */
  public static DataCache cache(JobConfig c, Source source) {
    DataCache.Settings asked =
        new DataCache.Settings(
            c.get(Keys.DATA_CACHE),
            c.get(Keys.DATA_CACHE_STORAGE),
            c.get(Keys.DATA_CACHE_DECODED_MAX_MB),
            c.get(Keys.DATA_SOURCE),
            c.get(Keys.DATA_DIR));
    try {
      return DataCache.of(asked, source);
    } catch (DataConfigException e) {
      throw new JobConfig.ConfigException(e.getMessage());
    }
  }

  public static Source source(JobConfig c) {
    String name = c.get(Keys.DATA_SOURCE);
    if (name.equals(DATAFRAME)) {
      throw new JobConfig.ConfigException(
          "key '"
              + Keys.DATA_SOURCE.name()
              + "': "
              + DATAFRAME
              + " is the data of a Spark program, given to org.sparkcnn.ml.CnnClassifier.fit; a job"
              + " config names a dataset on disk (shapes, mnist, fashion-mnist, cifar10, cifar100,"
              + " folder or parquet)");
    }
    int train = c.get(Keys.DATA_TRAIN_SIZE);
    int test = c.get(Keys.DATA_TEST_SIZE);
    if (name.equals("shapes")) {
      return new ShapesSource(
          c.get(Keys.SEED),
          train > 0 ? train : SHAPES_TRAIN_DEFAULT,
          test > 0 ? test : SHAPES_TEST_DEFAULT);
    }
    if (name.equals("folder")) {
      return new FolderSource(c.get(Keys.DATA_DIR), c.get(Keys.DATA_IMAGE_SIZE), train, test);
    }
    if (name.equals("parquet")) {
      return new ParquetSource(c.get(Keys.DATA_DIR), c.get(Keys.DATA_IMAGE_SIZE), train, test);
    }
    if (CifarSource.NAMES.contains(name)) {
      return new CifarSource(c.get(Keys.DATA_DIR), name, train, test);
    }
    return new MnistSource(c.get(Keys.DATA_DIR), name, train, test);
  }
}

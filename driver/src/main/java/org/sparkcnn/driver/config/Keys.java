/*
 * Every configuration key sparkcnn reads, with its default, check and doc string. A config file
 * (YAML) nests them by their dots: "train.epochs" is train: {epochs: ...}. conf/README.md lists
 * the same keys; a test keeps the two in step. The engine.* keys are declared in EngineKeys.
 */
package org.sparkcnn.driver.config;

import java.util.List;
import org.sparkcnn.data.Assignment;
import org.sparkcnn.data.cache.DataCache;
import org.sparkcnn.data.jpeg.ImageDecoder;
import org.sparkcnn.engine.Init;

public final class Keys {
  private Keys() {}

  public static final ConfigKey<String> DATA_SOURCE =
      ConfigKey.ofChoice(
          "data.source",
          "shapes",
          List.of(
              "shapes",
              "mnist",
              "fashion-mnist",
              "cifar10",
              "cifar100",
              "folder",
              "parquet",
              "dataframe"),
          "Dataset: shapes (generated, no download), mnist or fashion-mnist (IDX files under data.dir),"
              + " cifar10 or cifar100 (the binary versions under data.dir), folder (images in"
              + " data.dir/train/<class>/ and data.dir/val/<class>/), parquet (data.dir a folder"
              + " written by deploy/sparkcnn prepare); dataframe is set by the Spark ML API"
              + " (CnnClassifier) for the DataFrame it is fitted on.");
  public static final ConfigKey<String> DATA_DIR =
      ConfigKey.ofString(
          "data.dir",
          "data",
          "Folder holding the datasets in their original layout, e.g. DIR/mnist/train-images-idx3-ubyte.gz."
              + " The CLI option --data-dir overrides it.");
  public static final ConfigKey<Integer> DATA_IMAGE_SIZE =
      ConfigKey.ofInt(
          "data.image_size",
          64,
          8,
          "For data.source folder, and parquet prepared with --format encoded: images are resized"
              + " (shorter side) and centre-cropped to this.");
  public static final ConfigKey<Integer> DATA_TRAIN_SIZE =
      ConfigKey.ofInt(
          "data.train_size",
          0,
          0,
          "Training samples: for shapes, how many to generate (0 means 10000); for files, the first N"
              + " (0 means all).");
  public static final ConfigKey<Integer> DATA_TEST_SIZE =
      ConfigKey.ofInt(
          "data.test_size",
          0,
          0,
          "Test samples, as data.train_size (0 means 2000 generated, or all).");
  public static final ConfigKey<Boolean> DATA_NORMALIZE =
      ConfigKey.ofBool(
          "data.normalize",
          true,
          "Normalise each channel by the mean and standard deviation of the training set.");
  public static final ConfigKey<Double> DATA_MAX_BAD_FRACTION =
      ConfigKey.ofDouble(
          "data.max_bad_fraction",
          0.01,
          v -> v >= 0 && v <= 1,
          "a number in [0, 1]",
          "Images that cannot be decoded (corrupt, truncated) are skipped and counted (skipped_images"
              + " in metrics.jsonl); the job stops before training if more than this fraction of a"
              + " split is skipped.");
  public static final ConfigKey<Assignment.Mode> DATA_PARTITIONING =
      ConfigKey.ofEnum(
          "data.partitioning",
          Assignment.Mode.BALANCED,
          "How samples are dealt over the partitions: balanced (sizes differ by at most one) or"
              + " stratified (also each class's count per partition differs by at most one).");
  public static final ConfigKey<Integer> DATA_RESHUFFLE_EVERY =
      ConfigKey.ofInt(
          "data.reshuffle_every",
          0,
          0,
          "Redeal the samples over the partitions, drawn afresh from"
              + " the seed, at the start of every N-th epoch (epochs 1+N, 1+2N, ...); 0 never.");
  public static final ConfigKey<DataCache.Form> DATA_CACHE =
      ConfigKey.ofEnum(
          "data.cache",
          DataCache.Form.AUTO,
          "How the executors cache the data: decoded pixels,"
              + " or the encoded files (folder, or parquet prepared --format encoded) decoded in each"
              + " step; auto: decoded when the decoded training set fits in"
              + " data.cache_decoded_max_mb, else encoded.");
  public static final ConfigKey<DataCache.Storage> DATA_CACHE_STORAGE =
      ConfigKey.ofEnum(
          "data.cache_storage",
          DataCache.Storage.MEMORY_AND_DISK,
          "Where the cached blocks live: executor memory, local disk, or memory spilling to disk.");
  public static final ConfigKey<Integer> DATA_CACHE_DECODED_MAX_MB =
      ConfigKey.ofInt(
          "data.cache_decoded_max_mb",
          1024,
          0,
          "Under data.cache: auto, the largest decoded training"
              + " set (images x C x H x W bytes, in MiB) cached decoded.");
  public static final ConfigKey<Boolean> DATA_PREFETCH =
      ConfigKey.ofBool(
          "data.prefetch",
          false,
          "Prepare (decode, augment) each partition's next minibatch of the epoch in the background on"
              + " the executor while the current one computes; pays when executors have spare cores.");
  public static final ConfigKey<ImageDecoder.JpegPath> DATA_JPEG_DECODER =
      ConfigKey.ofEnum(
          "data.jpeg_decoder",
          ImageDecoder.JpegPath.OWN,
          "Where the JPEG files that go straight into the augmentation pipeline are decoded: own,"
              + " sparkcnn's window decoder (javax.imageio for the files it declines); imageio,"
              + " javax.imageio's raw raster for every file (the reference; the same pixels, slower).");
  public static final ConfigKey<List<?>> DATA_AUGMENT =
      ConfigKey.ofList(
          "data.augment",
          "a list of ops, e.g. [{op: random_crop, size: 32, padding: 4}, {op: hflip}]",
          "Training augmentation: ops applied in order to each sample, freshly every epoch, on the"
              + " executors (conf/README.md lists the ops and their settings).");
  public static final ConfigKey<List<?>> DATA_EVAL_TRANSFORM =
      ConfigKey.ofList(
          "data.eval_transform",
          "a list of resize, center_crop and normalize ops",
          "Evaluation transform: resize, center_crop and normalize ops; empty means those ops of"
              + " data.augment.");
  public static final ConfigKey<String> MODEL_NAME =
      ConfigKey.ofChoice(
          "model.name",
          "lenet5",
          ModelCatalog.SHIPPED,
          "A shipped architecture (conf/models/NAME.yaml); input and output"
              + " sizes follow the dataset.");
  public static final ConfigKey<String> MODEL_FILE =
      new ConfigKey<>(
          "model.file",
          String.class,
          "",
          "A model definition (YAML, the format of conf/models/README.md) or an ONNX model (PATH.onnx:"
              + " its architecture, and its weights as the start) used instead of model.name;"
              + " empty for none.",
          v -> true,
          "a path");
  public static final ConfigKey<Init> MODEL_INIT =
      ConfigKey.ofEnum(
          "model.init", Init.HE, "Weight initialisation: he (Kaiming normal) or xavier (uniform).");
  public static final ConfigKey<String> FINETUNE_FROM =
      new ConfigKey<>(
          "finetune.from",
          String.class,
          "",
          "A trained model file (model.scnn) whose weights are copied into the new"
              + " model by layer name where the parameter counts match, a PyTorch state_dict"
              + " (PATH.safetensors) loaded by PyTorch's names, or an ONNX model (PATH.onnx) loaded"
              + " layer by layer in order; empty for none.",
          v -> true,
          "a path");
  public static final ConfigKey<String> FINETUNE_FREEZE =
      ConfigKey.ofNames(
          "finetune.freeze",
          "Layers (top-level names, a trailing * matches a prefix) that are not trained.");
  public static final ConfigKey<String> FINETUNE_REINIT =
      ConfigKey.ofNames(
          "finetune.reinit",
          "Layers initialised afresh rather than loaded, e.g. the classifier head.");
  public static final ConfigKey<String> LOSS =
      ConfigKey.ofChoice(
          "train.loss",
          "cross_entropy",
          org.sparkcnn.engine.Loss.KINDS,
          "Training loss: softmax cross-entropy, or mean squared error"
              + " against one-hot targets.");
  public static final ConfigKey<Double> LABEL_SMOOTHING =
      ConfigKey.ofDouble(
          "train.label_smoothing",
          0.0,
          v -> v >= 0 && v < 1,
          "a number in [0, 1)",
          "Label smoothing of the cross-entropy target: (1 - eps) onehot + eps / classes.");
  public static final ConfigKey<Integer> EPOCHS =
      ConfigKey.ofInt("train.epochs", 3, 1, "Passes over the training set.");
  public static final ConfigKey<Integer> BATCH_SIZE =
      ConfigKey.ofInt(
          "train.batch_size",
          64,
          1,
          "Global minibatch per step, split over the partitions (synchronous SGD).");
  public static final ConfigKey<Integer> PARTITIONS =
      ConfigKey.ofInt(
          "train.partitions",
          0,
          0,
          "Partitions (Spark tasks per step); 0 means Spark's default parallelism.");
  public static final ConfigKey<Long> SEED =
      ConfigKey.ofLong(
          "train.seed",
          42,
          "Seed of every random draw: initialisation, shuffling, generated data.");
  public static final ConfigKey<Integer> CHECKPOINT_EVERY =
      ConfigKey.ofInt(
          "train.checkpoint_every_steps",
          0,
          0,
          "Also write a checkpoint every N global steps; 0 means"
              + " only at each epoch end (always done).");
  public static final ConfigKey<String> CHECKPOINT_DIR =
      new ConfigKey<>(
          "train.checkpoint_dir",
          String.class,
          "",
          "Where checkpoints go: a local path or a Hadoop URI (hdfs://, s3a://);"
              + " empty means RUN_DIR/checkpoints.",
          v -> true,
          "a path or URI");
  public static final ConfigKey<Choices.NonFinite> NON_FINITE =
      ConfigKey.ofEnum(
          "train.non_finite",
          Choices.NonFinite.STOP,
          "A step whose loss or gradient is not finite: stop the run (its last"
              + " good state saved as a checkpoint) or skip the step and go on.");
  public static final ConfigKey<Double> LR =
      ConfigKey.ofDouble("optim.lr", 0.01, v -> v > 0, "a number > 0", "Learning rate of SGD.");
  public static final ConfigKey<Double> MOMENTUM =
      ConfigKey.ofDouble(
          "optim.momentum",
          0.9,
          v -> v >= 0 && v < 1,
          "a number in [0, 1)",
          "SGD momentum (PyTorch semantics).");
  public static final ConfigKey<Double> DAMPENING =
      ConfigKey.ofDouble(
          "optim.dampening",
          0.0,
          v -> v >= 0 && v <= 1,
          "a number in [0, 1]",
          "SGD dampening of the momentum buffer.");
  public static final ConfigKey<Double> WEIGHT_DECAY =
      ConfigKey.ofDouble(
          "optim.weight_decay",
          0.0,
          v -> v >= 0,
          "a number >= 0",
          "L2 weight decay added to the gradient.");
  public static final ConfigKey<Boolean> NESTEROV =
      ConfigKey.ofBool("optim.nesterov", false, "Nesterov momentum.");
  public static final ConfigKey<Integer> EVAL_BATCH =
      ConfigKey.ofInt(
          "eval.batch_size",
          0,
          0,
          "Samples per forward pass when evaluating on the test set; 0: a task's share of"
              + " train.batch_size, so that evaluation holds no more memory than a training step.");
  public static final ConfigKey<String> MASTER =
      ConfigKey.ofString(
          "spark.master",
          "local[*]",
          "Spark master URL; the CLI option --master overrides it. Ignored under spark-submit.");
  public static final ConfigKey<String> APP_NAME =
      ConfigKey.ofString("spark.app_name", "sparkcnn", "Spark application name.");

  // Execution, aggregation and the large-batch recipe (Goyal et al. 2017).
  public static final ConfigKey<Choices.Execution> EXECUTION =
      ConfigKey.ofEnum(
          "train.execution",
          Choices.Execution.BARRIER,
          "How steps run: barrier (one Spark barrier stage of"
              + " long-lived tasks per epoch, one per partition, exchanging each step's sums and"
              + " weights with the driver; needs a task slot for every partition at once) or jobs"
              + " (one Spark job per step, weights broadcast, sums reduced as train.aggregation says).");
  public static final ConfigKey<Integer> MAX_RESTARTS =
      ConfigKey.ofInt(
          "train.max_restarts",
          8,
          0,
          "train.execution: barrier: how often in a row the epoch's stage is started again after"
              + " a lost task or executor before a step completes; past it the run stops.");
  public static final ConfigKey<Choices.Aggregation> AGGREGATION =
      ConfigKey.ofEnum(
          "train.aggregation",
          Choices.Aggregation.TREE,
          "How the partitions' gradients are summed:"
              + " tree (whole vectors to the driver, added in partition order, the driver updates),"
              + " allreduce (train.execution: barrier only: the tasks sum among themselves, shard"
              + " by shard, each updating its shard; the driver is off the data path) or"
              + " sharded (train.execution: jobs only: a shuffle by shard; each task sums one shard,"
              + " the driver gathers them). Every choice gives the same bits.");
  public static final ConfigKey<Integer> ACCUMULATE_STEPS =
      ConfigKey.ofInt(
          "train.accumulate_steps",
          1,
          1,
          "Local minibatches of train.batch_size / partitions each"
              + " partition adds up per step: a step's global batch is batch_size x accumulate_steps.");
  public static final ConfigKey<Choices.LrSchedule> LR_SCHEDULE =
      ConfigKey.ofEnum(
          "optim.lr_schedule",
          Choices.LrSchedule.CONSTANT,
          "Learning rate after the warm-up:"
              + " constant, step (times optim.gamma at each of optim.milestones) or cosine (to 0 at"
              + " the end of training).");
  public static final ConfigKey<Double> WARMUP_EPOCHS =
      ConfigKey.ofDouble(
          "optim.warmup_epochs",
          0.0,
          v -> v >= 0,
          "a number >= 0",
          "Epochs of linear warm-up to the (scaled) learning rate.");
  public static final ConfigKey<Choices.LrScaling> LR_SCALING =
      ConfigKey.ofEnum(
          "optim.lr_scaling",
          Choices.LrScaling.NONE,
          "linear: optim.lr is multiplied by the global batch /" + " optim.lr_base_batch.");
  public static final ConfigKey<Integer> LR_BASE_BATCH =
      ConfigKey.ofInt(
          "optim.lr_base_batch",
          256,
          1,
          "The batch optim.lr is meant for, under optim.lr_scaling: linear.");
  public static final ConfigKey<String> MILESTONES =
      ConfigKey.ofEpochs(
          "optim.milestones",
          "Epochs after which the step schedule multiplies the learning rate by optim.gamma.");
  public static final ConfigKey<Double> GAMMA =
      ConfigKey.ofDouble(
          "optim.gamma",
          0.1,
          v -> v > 0 && v <= 1,
          "a number in (0, 1]",
          "Factor of the step schedule at each milestone.");

  public static final List<ConfigKey<?>> ALL =
      List.of(
          DATA_SOURCE,
          DATA_DIR,
          DATA_IMAGE_SIZE,
          DATA_TRAIN_SIZE,
          DATA_AUGMENT,
          DATA_EVAL_TRANSFORM,
          DATA_TEST_SIZE,
          DATA_NORMALIZE,
          DATA_MAX_BAD_FRACTION,
          DATA_PARTITIONING,
          DATA_RESHUFFLE_EVERY,
          DATA_CACHE,
          DATA_CACHE_STORAGE,
          DATA_CACHE_DECODED_MAX_MB,
          DATA_PREFETCH,
          DATA_JPEG_DECODER,
          MODEL_NAME,
          MODEL_FILE,
          MODEL_INIT,
          FINETUNE_FROM,
          FINETUNE_FREEZE,
          FINETUNE_REINIT,
          LOSS,
          LABEL_SMOOTHING,
          EPOCHS,
          BATCH_SIZE,
          PARTITIONS,
          SEED,
          EngineKeys.THREADS,
          EngineKeys.GEMM,
          EngineKeys.CONV,
          EngineKeys.CONV_CHUNK_KIB,
          EngineKeys.FUSE_RELU,
          CHECKPOINT_EVERY,
          CHECKPOINT_DIR,
          NON_FINITE,
          LR,
          MOMENTUM,
          DAMPENING,
          WEIGHT_DECAY,
          NESTEROV,
          EVAL_BATCH,
          MASTER,
          APP_NAME,
          EXECUTION,
          MAX_RESTARTS,
          AGGREGATION,
          ACCUMULATE_STEPS,
          LR_SCHEDULE,
          WARMUP_EPOCHS,
          LR_SCALING,
          LR_BASE_BATCH,
          MILESTONES,
          GAMMA);
}

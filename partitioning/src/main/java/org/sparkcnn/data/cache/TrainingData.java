/*
 * The data of a run, cached on the executors: the training split as laid out for reshuffle round
 * `round` (DataLayout), the test split with its sample count, the local batches, the
 * normalisation, and the images each split skipped. Both splits are cached in the form data.cache
 * chose (DataSpec.cache()). prepare() loads them once per run; forEpoch() redeals the training
 * split when an epoch starts a new reshuffle round.
 */
package org.sparkcnn.data.cache;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.sparkcnn.data.Block;
import org.sparkcnn.data.ChannelStats;
import org.sparkcnn.data.LocalBatches;
import org.sparkcnn.data.Normalizer;
import org.sparkcnn.data.Source;
import org.sparkcnn.data.Split;

public final class TrainingData {
  private final DataSpec spec;
  private final DataLayout.Loaded trainSplit;
  private final JavaRDD<Block> test;
  private final long testSamples;
  private final LocalBatches batches;
  private final Normalizer norm;
  private final int round;
  private final long skippedTest;

  private TrainingData(
      DataSpec spec,
      DataLayout.Loaded trainSplit,
      JavaRDD<Block> test,
      long testSamples,
      LocalBatches batches,
      Normalizer norm,
      int round,
      long skippedTest) {
    this.spec = spec;
    this.trainSplit = trainSplit;
    this.test = test;
    this.testSamples = testSamples;
    this.batches = batches;
    this.norm = norm;
    this.round = round;
    this.skippedTest = skippedTest;
  }

  public JavaRDD<Block> train() {
    return trainSplit.blocks();
  }

  public JavaRDD<Block> test() {
    return test;
  }

  public long testSamples() {
    return testSamples;
  }

  public LocalBatches batches() {
    return batches;
  }

  public Normalizer norm() {
    return norm;
  }

  /** The reshuffle round the training split is laid out for. */
  public int round() {
    return round;
  }

  public long skippedTrain() {
    return trainSplit.skipped();
  }

  public long skippedTest() {
    return skippedTest;
  }

  /** The source's encoded form when the blocks hold encoded files, else null. */
  public Source.Encoded decoder() {
    return spec.cache().decoder();
  }

  DataSpec spec() {
    return spec;
  }

  DataLayout.Loaded trainSplit() {
    return trainSplit;
  }

  /**
   * Both splits of spec loaded into `partitions` cached blocks each, laid out for round 0; a
   * DataConfigException when more of a split's images are undecodable than spec allows.
   */
  public static TrainingData prepare(SparkSession spark, DataSpec spec, int partitions) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    jsc.setJobGroup("sparkcnn-data", "load and partition the data", false);
    var source = spec.source();
    DataLayout.Loaded train = DataLayout.load(spark, spec, Split.TRAIN, partitions);
    DataLayout.Loaded test;
    try {
      test = DataLayout.load(spark, spec, Split.TEST, partitions);
    } catch (RuntimeException e) {
      train.blocks().unpersist(false);
      throw e;
    }
    Normalizer norm =
        spec.normalize()
            ? ChannelStats.compute(train.blocks(), source.shape().c(), spec.cache().decoder())
            : spec.augment()
                .train()
                .normalization()
                .map(n -> new Normalizer(n[0], n[1]))
                .orElse(Normalizer.identity(source.shape().c()));
    return new TrainingData(
        spec,
        train,
        test.blocks(),
        test.members().ids().length,
        new LocalBatches(spec.batchSize(), train.assignment().sizes()),
        norm,
        0,
        test.skipped());
  }

  /**
   * The data with the training split laid out for the reshuffle round of an epoch: data itself when
   * it already is (round() tells which).
   */
  public static TrainingData forEpoch(JavaSparkContext jsc, TrainingData data, int epoch) {
    int round = DataLayout.round(data.spec(), epoch);
    if (round == data.round()) {
      return data;
    }
    jsc.setJobGroup(
        "sparkcnn-data",
        "epoch "
            + epoch
            + ": redeal the training samples over the"
            + " partitions (reshuffle round "
            + round
            + ")",
        false);
    DataLayout.Loaded train = DataLayout.reshuffled(data.spec(), data.trainSplit(), round);
    LocalBatches batches = new LocalBatches(data.spec().batchSize(), train.assignment().sizes());
    if (batches.stepsPerEpoch() != data.batches().stepsPerEpoch()) {
      throw new IllegalStateException(
          "reshuffle round "
              + round
              + " changed the steps per epoch"
              + " from "
              + data.batches().stepsPerEpoch()
              + " to "
              + batches.stepsPerEpoch()
              + "; a redeal must keep every partition's size");
    }
    return new TrainingData(
        data.spec(),
        train,
        data.test(),
        data.testSamples(),
        batches,
        data.norm(),
        round,
        data.skippedTest());
  }
}

/*
 * The data of a run, cached on the executors: the training split as laid out for reshuffle round
 * `round` (DataLayout), the test split with its sample count, the local batches, the
 * normalisation, and the images each split skipped. Both splits are cached in the form data.cache
 * chose (DataLayout.Loaded.cache()). prepare() loads them once per run; forEpoch() redeals the
 * training split when an epoch starts a new reshuffle round.
 */
package org.sparkcnn.driver.train;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.sparkcnn.data.Block;
import org.sparkcnn.data.ChannelStats;
import org.sparkcnn.data.LocalBatches;
import org.sparkcnn.data.Normalizer;
import org.sparkcnn.data.Source;
import org.sparkcnn.data.Split;
import org.sparkcnn.data.batch.Batch;
import org.sparkcnn.driver.cli.Reporter;
import org.sparkcnn.driver.config.DataCache;
import org.sparkcnn.driver.config.TrainingPlan;

public record TrainingData(
    DataLayout.Loaded trainSplit,
    JavaRDD<Block> test,
    long testSamples,
    LocalBatches batches,
    Normalizer norm,
    int round,
    long skippedTest) {
  public JavaRDD<Block> train() {
    return trainSplit.blocks();
  }

  long skippedTrain() {
    return trainSplit.skipped();
  }

  /** The source's encoded form when the blocks hold encoded files, else null. */
  public Source.Encoded decoder() {
    return trainSplit.cache().decoder();
  }

  public static TrainingData prepare(SparkSession spark, TrainingPlan plan, int partitions) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    jsc.setJobGroup("sparkcnn-data", "load and partition the data", false);
    var source = plan.source();
    DataCache cache = DataCache.of(plan.config(), source);
    Reporter.out("%s", cache.describe());
    if (cache.encoded()) {
      for (var pipe : List.of(plan.augment().train(), plan.augment().eval())) {
        if (Batch.fromFiles(pipe)) {
          Reporter.out(
              "%s: the files go at their own size into %s (data.image_size %d sizes only"
                  + " the check decode%s)",
              pipe == plan.augment().train() ? "training" : "evaluation",
              pipe.names(),
              source.shape().h(),
              plan.normalize()
                  ? " and the one the channel statistics of data.normalize come from"
                  : "");
        }
      }
    }
    DataLayout.Loaded train = DataLayout.load(spark, plan, cache, Split.TRAIN, partitions);
    DataLayout.Loaded test;
    try {
      test = DataLayout.load(spark, plan, cache, Split.TEST, partitions);
    } catch (RuntimeException e) {
      train.blocks().unpersist(false);
      throw e;
    }
    Normalizer norm =
        plan.normalize()
            ? ChannelStats.compute(train.blocks(), source.shape().c(), cache.decoder())
            : plan.augment()
                .train()
                .normalization()
                .map(n -> new Normalizer(n[0], n[1]))
                .orElse(Normalizer.identity(source.shape().c()));
    return new TrainingData(
        train,
        test.blocks(),
        test.members().ids().length,
        new LocalBatches(plan.batchSize(), train.assignment().sizes()),
        norm,
        0,
        test.skipped());
  }

  /** The data with the training split laid out for the reshuffle round of an epoch. */
  static TrainingData forEpoch(
      JavaSparkContext jsc, TrainingPlan plan, TrainingData data, int epoch) {
    int round = DataLayout.round(plan, epoch);
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
    DataLayout.Loaded train = DataLayout.reshuffled(plan, data.trainSplit(), round);
    LocalBatches batches = new LocalBatches(plan.batchSize(), train.assignment().sizes());
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
    Reporter.out(
        "epoch %d: training samples redealt over the partitions (reshuffle round %d)",
        epoch, round);
    return new TrainingData(
        train, data.test(), data.testSamples(), batches, data.norm(), round, data.skippedTest());
  }
}

/*
 * How a run's splits become cached partition blocks, and how the training split is redealt over
 * the partitions every data.reshuffle_every epochs. A split is loaded once into blocks by id, in
 * the form data.cache chose (DataCache: decoded pixels or encoded files; an encoded source skips
 * exactly the images load() skips, so the rest is the same for both forms); the driver collects which samples arrived, counts those the source
 * skipped as undecodable against its listing, names them, and stops the job before training when
 * more than data.max_bad_fraction of the split is gone (DESIGN.md, bad input). The blocks are then
 * arranged as the Assignment of data.partitioning says, round 0 (the test split: balanced, round
 * 0). The normalisation is computed on the round-0 blocks, so that a run resumed in a later round
 * sees the same numbers; reshuffle round k of epoch e is (e - 1) / N, a pure function of the
 * epoch, so a resumed run rebuilds the very layout of the epoch it resumes in.
 */
package org.sparkcnn.driver.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.sparkcnn.data.Assignment;
import org.sparkcnn.data.Block;
import org.sparkcnn.data.Partitioning;
import org.sparkcnn.data.Split;
import org.sparkcnn.driver.cli.Reporter;
import org.sparkcnn.driver.config.DataCache;
import org.sparkcnn.driver.config.JobConfig;
import org.sparkcnn.driver.config.Keys;
import org.sparkcnn.driver.config.TrainingPlan;

final class DataLayout {
  /** Skipped images named in the driver's warning and error messages, at most. */
  static final int NAMED = 10;

  private DataLayout() {}

  /**
   * One split's blocks, the samples in them, where they are, how many were skipped, and the cache
   * (form and storage level) they are kept in.
   */
  record Loaded(
      JavaRDD<Block> blocks,
      Assignment.Members members,
      Assignment assignment,
      long skipped,
      DataCache cache) {}

  /** The reshuffle round of an epoch (1-based): 0 until the first redeal. */
  static int round(TrainingPlan plan, int epoch) {
    int every = plan.config().get(Keys.DATA_RESHUFFLE_EVERY);
    return every == 0 ? 0 : (epoch - 1) / every;
  }

  /** The assignment of a split's samples in a round (the test split: always balanced, round 0). */
  static Assignment assignment(
      TrainingPlan plan, Split split, Assignment.Members m, int partitions, int round) {
    Assignment.Mode mode =
        split == Split.TRAIN ? plan.config().get(Keys.DATA_PARTITIONING) : Assignment.Mode.BALANCED;
    return Assignment.of(m, partitions, mode, plan.seed(), split == Split.TRAIN ? round : 0);
  }

  /** A split loaded, checked for skipped images and arranged for round 0. */
  static Loaded load(
      SparkSession spark, TrainingPlan plan, DataCache cache, Split split, int partitions) {
    var source = plan.source();
    JavaRDD<Block> byId = cache.blocks(spark, source, split, partitions);
    Assignment.Members m = Partitioning.members(byId);
    long skipped;
    try {
      skipped = source.listing(split).map(l -> checkSkipped(plan, split, l, m)).orElse(0L);
    } catch (RuntimeException e) {
      byId.unpersist(false);
      throw e;
    }
    Assignment a = assignment(plan, split, m, partitions, 0);
    JavaRDD<Block> blocks =
        Partitioning.arrange(
            byId,
            Assignment.byId(m, partitions),
            a,
            source.shape(),
            cache.encoded(),
            cache.level());
    return new Loaded(blocks, m, a, skipped, cache);
  }

  /** The training blocks redealt for a round; the old ones are unpersisted. */
  static Loaded reshuffled(TrainingPlan plan, Loaded from, int round) {
    Assignment a =
        assignment(plan, Split.TRAIN, from.members(), from.assignment().partitions(), round);
    JavaRDD<Block> blocks =
        Partitioning.arrange(
            from.blocks(),
            from.assignment(),
            a,
            plan.source().shape(),
            from.cache().encoded(),
            from.cache().level());
    return new Loaded(blocks, from.members(), a, from.skipped(), from.cache());
  }

  /**
   * The number of listed samples missing from the split (skipped as undecodable), after a warning
   * naming them; ConfigException when they are more than data.max_bad_fraction of the listing.
   */
  static long checkSkipped(
      TrainingPlan plan, Split split, List<String> listing, Assignment.Members m) {
    long listed = listing.size();
    long skipped = listed - m.ids().length;
    if (skipped == 0) {
      return 0;
    }
    List<String> named = new ArrayList<>();
    long[] ids = m.ids();
    for (int id = 0, at = 0; id < listed && named.size() < NAMED; id++) {
      if (at < ids.length && ids[at] == id) {
        at++;
      } else {
        named.add(listing.get(id));
      }
    }
    double max = plan.config().get(Keys.DATA_MAX_BAD_FRACTION);
    double fraction = (double) skipped / listed;
    String what =
        String.format(
            Locale.ROOT,
            "%d of the %d %s images (%.2f%%) cannot be decoded" + " (corrupt or truncated)",
            skipped,
            listed,
            split == Split.TRAIN ? "training" : "test",
            100 * fraction);
    String which =
        (skipped > named.size() ? "the first " + named.size() + ": " : "")
            + String.join(", ", named);
    if (fraction > max) {
      throw new JobConfig.ConfigException(
          "data: "
              + what
              + ", more than key '"
              + Keys.DATA_MAX_BAD_FRACTION.name()
              + "' = "
              + max
              + " allows; nothing was trained."
              + " Remove or replace them, or raise "
              + Keys.DATA_MAX_BAD_FRACTION.name()
              + " to train without them. They are "
              + which);
    }
    Reporter.warn(
        "%s and are skipped (%s = %s): %s", what, Keys.DATA_MAX_BAD_FRACTION.name(), max, which);
    return skipped;
  }
}

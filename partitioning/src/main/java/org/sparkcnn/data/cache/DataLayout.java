/*
 * How a run's splits become cached partition blocks, and how the training split is redealt over
 * the partitions every data.reshuffle_every epochs. A split is loaded once into blocks by id, in
 * the form data.cache chose (DataCache: decoded pixels or encoded files; an encoded source skips
 * exactly the images load() skips, so the rest is the same for both forms); the driver collects
 * which samples arrived, counts those the source skipped as undecodable against its listing, names
 * them in a warning, and stops the job before training when more than data.max_bad_fraction of
 * the split is gone (DESIGN.md, bad input). The blocks are then arranged as the Assignment of
 * data.partitioning says, round 0 (the test split: balanced, round 0). The normalisation is
 * computed on the round-0 blocks, so that a run resumed in a later round sees the same numbers;
 * reshuffle round k of epoch e is (e - 1) / N, a pure function of the epoch, so a resumed run
 * rebuilds the very layout of the epoch it resumes in.
 */
package org.sparkcnn.data.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkcnn.data.Assignment;
import org.sparkcnn.data.Block;
import org.sparkcnn.data.Partitioning;
import org.sparkcnn.data.Split;

final class DataLayout {
  /** Skipped images named in the driver's warning and error messages, at most. */
  static final int NAMED = 10;

  private static final Logger LOG = LoggerFactory.getLogger(DataLayout.class);

  private DataLayout() {}

  /** One split's blocks, the samples in them, where they are, and how many were skipped. */
  record Loaded(
      JavaRDD<Block> blocks, Assignment.Members members, Assignment assignment, long skipped) {}

  /** The reshuffle round of an epoch (1-based): 0 until the first redeal. */
  static int round(DataSpec spec, int epoch) {
    int every = spec.reshuffleEvery();
    return every == 0 ? 0 : (epoch - 1) / every;
  }

  /** The assignment of a split's samples in a round (the test split: always balanced, round 0). */
  static Assignment assignment(
      DataSpec spec, Split split, Assignment.Members m, int partitions, int round) {
    Assignment.Mode mode = split == Split.TRAIN ? spec.partitioning() : Assignment.Mode.BALANCED;
    return Assignment.of(m, partitions, mode, spec.seed(), split == Split.TRAIN ? round : 0);
  }

  /** A split loaded in spec's cache, checked for skipped images and arranged for round 0. */
  static Loaded load(SparkSession spark, DataSpec spec, Split split, int partitions) {
    var source = spec.source();
    DataCache cache = spec.cache();
    JavaRDD<Block> byId = cache.blocks(spark, source, split, partitions);
    Assignment.Members m = Partitioning.members(byId);
    long skipped;
    try {
      skipped = source.listing(split).map(l -> checkSkipped(spec, split, l, m)).orElse(0L);
    } catch (RuntimeException e) {
      byId.unpersist(false);
      throw e;
    }
    Assignment a = assignment(spec, split, m, partitions, 0);
    JavaRDD<Block> blocks =
        Partitioning.arrange(
            byId,
            Assignment.byId(m, partitions),
            a,
            source.shape(),
            cache.encoded(),
            cache.level());
    return new Loaded(blocks, m, a, skipped);
  }

  /** The training blocks redealt for a round; the old ones are unpersisted. */
  static Loaded reshuffled(DataSpec spec, Loaded from, int round) {
    Assignment a =
        assignment(spec, Split.TRAIN, from.members(), from.assignment().partitions(), round);
    JavaRDD<Block> blocks =
        Partitioning.arrange(
            from.blocks(),
            from.assignment(),
            a,
            spec.source().shape(),
            spec.cache().encoded(),
            spec.cache().level());
    return new Loaded(blocks, from.members(), a, from.skipped());
  }

  /**
   * The number of listed samples missing from the split (skipped as undecodable), after a warning
   * naming them; DataConfigException when they are more than data.max_bad_fraction of the listing.
   */
  static long checkSkipped(DataSpec spec, Split split, List<String> listing, Assignment.Members m) {
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
    double max = spec.maxBadFraction();
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
      throw new DataConfigException(
          "data: "
              + what
              + ", more than key 'data.max_bad_fraction' = "
              + max
              + " allows; nothing was trained."
              + " Remove or replace them, or raise data.max_bad_fraction to train without them."
              + " They are "
              + which);
    }
    LOG.warn("{} and are skipped (data.max_bad_fraction = {}): {}", what, max, which);
    return skipped;
  }
}

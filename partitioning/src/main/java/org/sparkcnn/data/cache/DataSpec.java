/*
 * What a run's data is, resolved by the driver from its config and handed to the data classes as
 * plain values: the source, the augmentation, the normalisation asked for, the seed, the global
 * batch, how samples are dealt over the partitions and how often they are redealt, how many
 * undecodable images a split may lose, and the cache (DataCache). TrainingData loads and lays out
 * the splits from it; describe() gives the lines the driver prints before they are loaded.
 */
package org.sparkcnn.data.cache;

import java.util.ArrayList;
import java.util.List;
import org.sparkcnn.data.Assignment;
import org.sparkcnn.data.Source;
import org.sparkcnn.data.augment.Augmentation;
import org.sparkcnn.data.batch.Batch;

/**
 * normalize: the samples are normalised by the training set's channel statistics (data.normalize,
 * when the training pipeline has no normalize op, whose numbers are used otherwise); batchSize:
 * train.batch_size; partitioning, reshuffleEvery, maxBadFraction: data.partitioning,
 * data.reshuffle_every, data.max_bad_fraction.
 */
public record DataSpec(
    Source source,
    Augmentation augment,
    boolean normalize,
    long seed,
    int batchSize,
    Assignment.Mode partitioning,
    int reshuffleEvery,
    double maxBadFraction,
    DataCache cache) {
  /**
   * The lines to print before the splits are loaded: the cache, and for encoded files each pipeline
   * that takes them at their own size (Batch.fromFiles).
   */
  public List<String> describe() {
    List<String> lines = new ArrayList<>();
    lines.add(cache.describe());
    if (cache.encoded()) {
      for (var pipe : List.of(augment.train(), augment.eval())) {
        if (Batch.fromFiles(pipe)) {
          lines.add(
              String.format(
                  "%s: the files go at their own size into %s (data.image_size %d sizes only"
                      + " the check decode%s)",
                  pipe == augment.train() ? "training" : "evaluation",
                  pipe.names(),
                  source.shape().h(),
                  normalize
                      ? " and the one the channel statistics of data.normalize come from"
                      : ""));
        }
      }
    }
    return lines;
  }
}

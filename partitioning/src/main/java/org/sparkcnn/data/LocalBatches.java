/*
 * How a global minibatch of B samples is split over P partitions: partition p takes
 * B / P samples, plus one for the first B mod P partitions, so the local batches add up to B
 * exactly. An epoch has as many steps as the smallest partition can fill.
 */
package org.sparkcnn.data;

import java.io.Serializable;

public record LocalBatches(int globalBatch, int[] partitionSizes) implements Serializable {
  public LocalBatches {
    int p = partitionSizes.length;
    if (globalBatch < p) {
      throw new IllegalArgumentException(
          "a global batch of "
              + globalBatch
              + " cannot be split over "
              + p
              + " partitions: use train.batch_size >= train.partitions");
    }
  }

  public int partitions() {
    return partitionSizes.length;
  }

  /** Samples partition p contributes to each step. */
  public int localBatch(int p) {
    int parts = partitions();
    return globalBatch / parts + (p < globalBatch % parts ? 1 : 0);
  }

  public int stepsPerEpoch() {
    int steps = Integer.MAX_VALUE;
    for (int p = 0; p < partitions(); p++) {
      steps = Math.min(steps, partitionSizes[p] / localBatch(p));
    }
    return steps;
  }
}

/*
 * Which partition each sample of a split lives in, computed on the driver from the split's
 * (id, label) pairs alone, so it is the same whatever order Spark delivered the rows in (DESIGN.md
 * contract 3). The samples are put in a line and dealt round-robin: the r-th sample of the line goes
 * to partition r mod P, so the partition sizes differ by at most one. The line is
 *   - balanced, round 0: the ids in increasing order (with dense ids that is id mod P, as before
 *     images could be skipped);
 *   - balanced, round k > 0: a permutation of the ids drawn from (seed, k), a full reshuffle
 *     across partitions (data.reshuffle_every);
 *   - stratified: the same line stably sorted by label, so each class is a run of the line and a
 *     run of n_c samples dealt round-robin gives every partition floor or ceil of n_c / P of them:
 *     each partition has the class mix of the whole.
 * In every case partition p receives the positions r = p, p + P, ... of a line of n, so the sizes,
 * and with them the steps per epoch, are the same in every round.
 */
package org.sparkcnn.data;

import java.io.Serializable;
import java.util.Arrays;
import org.sparkcnn.engine.Rng;

public final class Assignment implements Serializable {
  /** Tags the reshuffle stream among the job's random streams. */
  private static final long RESHUFFLE_STREAM = 0x5245_5348L;

  /** How the line of samples is ordered before it is dealt (data.partitioning). */
  public enum Mode {
    BALANCED,
    STRATIFIED
  }

  private final long[] ids; // [n], increasing
  private final int[] partitionOf; // [n], partition of ids[i]
  private final int partitions;

  public Assignment(long[] ids, int[] partitionOf, int partitions) {
    if (ids.length != partitionOf.length || partitions <= 0) {
      throw new IllegalArgumentException(
          ids.length
              + " ids, "
              + partitionOf.length
              + " partition numbers and "
              + partitions
              + " partitions: expected as many numbers as"
              + " ids and at least one partition");
    }
    this.ids = ids;
    this.partitionOf = partitionOf;
    this.partitions = partitions;
  }

  /**
   * The assignment of the samples (ids increasing, each with its label) among p partitions in
   * reshuffle round `round` (0: no reshuffle) of a job with this seed.
   */
  public static Assignment of(Members m, int partitions, Mode mode, long seed, int round) {
    if (partitions <= 0 || round < 0) {
      throw new IllegalArgumentException(
          "partitions "
              + partitions
              + ", round "
              + round
              + ": expected at least one partition and a round >= 0");
    }
    int n = m.ids().length;
    int[] line = round == 0 ? identity(n) : Rng.of(seed, RESHUFFLE_STREAM, round).permutation(n);
    if (mode == Mode.STRATIFIED) {
      line = byLabel(line, m.labels());
    }
    int[] partitionOf = new int[n];
    for (int r = 0; r < n; r++) {
      partitionOf[line[r]] = r % partitions;
    }
    return new Assignment(m.ids(), partitionOf, partitions);
  }

  /** Sample id in partition id mod P: the layout Partitioning.blocks() builds. */
  public static Assignment byId(Members m, int partitions) {
    int[] partitionOf = new int[m.ids().length];
    for (int i = 0; i < partitionOf.length; i++) {
      partitionOf[i] = Partitioning.partitionOf(m.ids()[i], partitions);
    }
    return new Assignment(m.ids(), partitionOf, partitions);
  }

  private static int[] identity(int n) {
    int[] line = new int[n];
    Arrays.setAll(line, i -> i);
    return line;
  }

  /** The line stably sorted by the labels of its samples (a counting sort). */
  private static int[] byLabel(int[] line, int[] labels) {
    int classes = 0;
    for (int l : labels) {
      classes = Math.max(classes, l + 1);
    }
    int[] start = new int[classes + 1];
    for (int l : labels) {
      start[l + 1]++;
    }
    for (int c = 0; c < classes; c++) {
      start[c + 1] += start[c];
    }
    int[] sorted = new int[line.length];
    for (int i : line) {
      sorted[start[labels[i]]++] = i;
    }
    return sorted;
  }

  public int partitions() {
    return partitions;
  }

  public int samples() {
    return ids.length;
  }

  /** The id of the i-th sample, ids increasing. */
  public long id(int i) {
    return ids[i];
  }

  /** The partition of the i-th sample. */
  public int partitionAt(int i) {
    return partitionOf[i];
  }

  /** The partition of a sample id; IllegalArgumentException if the split has no such sample. */
  public int partitionOf(long id) {
    int i = Arrays.binarySearch(ids, id);
    if (i < 0) {
      throw new IllegalArgumentException(
          "sample "
              + id
              + " is not among the "
              + ids.length
              + " samples this assignment was computed from: the source delivered a sample it did"
              + " not deliver before");
    }
    return partitionOf[i];
  }

  /** How many samples each partition holds. */
  public int[] sizes() {
    int[] sizes = new int[partitions];
    for (int p : partitionOf) {
      sizes[p]++;
    }
    return sizes;
  }

  /** Whether both put the same samples in the same partitions. */
  public boolean sameAs(Assignment o) {
    return partitions == o.partitions
        && Arrays.equals(ids, o.ids)
        && Arrays.equals(partitionOf, o.partitionOf);
  }

  /** The samples of a split as the driver sees them: ids increasing, and their labels. */
  public record Members(long[] ids, int[] labels) implements Serializable {
    public Members {
      if (ids.length != labels.length) {
        throw new IllegalArgumentException(
            ids.length + " ids and " + labels.length + " labels: expected one label per id");
      }
      for (int i = 0; i < ids.length; i++) {
        if (labels[i] < 0) {
          throw new IllegalArgumentException(
              "sample " + ids[i] + " has the label " + labels[i] + ", expected a class index >= 0");
        }
        if (i > 0 && ids[i] <= ids[i - 1]) {
          throw new IllegalArgumentException(
              "sample ids must be unique and increasing, got " + ids[i - 1] + " then " + ids[i]);
        }
      }
    }
  }
}

/*
 * One epoch's numbers as the trainer goes: the sums behind train_loss and train_accuracy (over the
 * epoch's applied minibatches; restored from a checkpoint when a run resumes mid-epoch), the
 * skipped steps, and the timing of the steps this process ran. A step's sync time is its wall
 * time (broadcast, tasks, reduction, update) minus the slowest partition's compute time: what
 * the synchronisation costs beyond forward and backward. Its p50 and p90 (nearest rank) show the
 * occasional slow steps that a mean hides.
 */
package org.sparkcnn.driver.train;

import java.util.Arrays;
import org.sparkcnn.driver.persist.Checkpoint;
import org.sparkcnn.driver.sync.StepResult;

final class EpochMeter {
  double lossSum;
  long correct;
  long seen;
  long skipped;
  private int timed;
  private long timedImages;
  private long stepNanos;
  private long computeNanos;
  private double[] syncMs = new double[64];

  /** The epoch's sums so far, as a checkpoint kept them. */
  static EpochMeter resumed(Checkpoint.State s) {
    EpochMeter m = new EpochMeter();
    m.lossSum = s.lossSum();
    m.correct = s.correct();
    m.seen = s.seen();
    m.skipped = s.skipped();
    return m;
  }

  /** A copy, for a state kept to go back to. */
  EpochMeter copy() {
    EpochMeter m = new EpochMeter();
    m.lossSum = lossSum;
    m.correct = correct;
    m.seen = seen;
    m.skipped = skipped;
    m.timed = timed;
    m.timedImages = timedImages;
    m.stepNanos = stepNanos;
    m.computeNanos = computeNanos;
    m.syncMs = syncMs.clone();
    return m;
  }

  /** An applied step: its result and its wall time. */
  void add(StepResult r, long wallNanos) {
    lossSum += r.lossSum();
    correct += r.correct();
    seen += r.count();
    time(r, wallNanos);
  }

  /** A skipped step: only its time counts. */
  void skip(StepResult r, long wallNanos) {
    skipped++;
    time(r, wallNanos);
  }

  private void time(StepResult r, long wallNanos) {
    if (timed == syncMs.length) {
      syncMs = Arrays.copyOf(syncMs, 2 * timed);
    }
    syncMs[timed++] = Math.max(0, wallNanos - r.computeNanos()) / 1e6;
    timedImages += r.count();
    stepNanos += wallNanos;
    computeNanos += r.computeNanos();
  }

  double stepMs() {
    return timed == 0 ? 0 : stepNanos / 1e6 / timed;
  }

  double computeMs() {
    return timed == 0 ? 0 : computeNanos / 1e6 / timed;
  }

  long timedImages() {
    return timedImages;
  }

  double syncMs(double quantile) {
    return percentile(Arrays.copyOf(syncMs, timed), quantile);
  }

  /** The nearest-rank quantile q in (0, 1] of xs (0 for none): the ceil(q n)-th smallest. */
  static double percentile(double[] xs, double q) {
    if (xs.length == 0) {
      return 0;
    }
    double[] s = xs.clone();
    Arrays.sort(s);
    int rank = (int) Math.ceil(q * s.length);
    return s[Math.max(rank, 1) - 1];
  }
}

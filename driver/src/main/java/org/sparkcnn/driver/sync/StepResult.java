/*
 * What one partition sends back from a step, and what OrderedReduce adds up: the summed
 * gradient (null for evaluation and for the empty zero value), the summed loss, the correct
 * predictions, the sample count, the sum of the partitions' non-trainable buffers after the step
 * (BatchNorm running statistics; null when the model has none) with the number of partitions
 * that sent them, and the longest compute time of any partition (what the step waited for; the
 * rest of a step's wall time is synchronisation). merge() adds in place into the left side. A
 * large gradient travels as a block of the executor's block manager (GradientBlocks): then
 * gradBlock names it and gradSum is null until the driver has read it.
 */
package org.sparkcnn.driver.sync;

import java.io.Serializable;

public final class StepResult implements Serializable {
  public float[] gradSum; // [params] or null
  public String gradBlock; // the block holding gradSum while it travels (GradientBlocks), else null
  public double lossSum;
  public long correct;
  public long count;
  public long computeNanos;
  public float[] bufferSum; // [buffers] or null
  public int partitions;

  public StepResult(float[] gradSum, double lossSum, long correct, long count, long computeNanos) {
    this(gradSum, lossSum, correct, count, computeNanos, null, 0);
  }

  public StepResult(
      float[] gradSum,
      double lossSum,
      long correct,
      long count,
      long computeNanos,
      float[] bufferSum,
      int partitions) {
    this.bufferSum = bufferSum;
    this.partitions = partitions;
    this.gradSum = gradSum;
    this.lossSum = lossSum;
    this.correct = correct;
    this.count = count;
    this.computeNanos = computeNanos;
  }

  public static StepResult zero() {
    return new StepResult(null, 0, 0, 0, 0);
  }

  public static StepResult merge(StepResult a, StepResult b) {
    a.gradSum = add(a.gradSum, b.gradSum);
    a.bufferSum = add(a.bufferSum, b.bufferSum);
    a.partitions += b.partitions;
    a.lossSum += b.lossSum;
    a.correct += b.correct;
    a.count += b.count;
    a.computeNanos = Math.max(a.computeNanos, b.computeNanos);
    return a;
  }

  /** x + y in place into x; null stands for zero. */
  private static float[] add(float[] x, float[] y) {
    if (x == null) {
      return y;
    }
    if (y != null) {
      for (int i = 0; i < x.length; i++) {
        x[i] += y[i];
      }
    }
    return x;
  }

  /** The partitions' buffers averaged (what the driver keeps), or null. */
  public float[] bufferMean() {
    if (bufferSum == null) {
      return null;
    }
    float[] m = bufferSum.clone();
    for (int i = 0; i < m.length; i++) {
      m[i] /= partitions;
    }
    return m;
  }

  /**
   * The averaged gradient, gradSum / count, into grad; whether the loss, that gradient and
   * bufferMean (the partitions' mean buffers, or null) are all finite. The driver here and, under
   * train.aggregation: allreduce, every task on its chunks (AllReduce.averageOwn) average with
   * average(): the same bits.
   */
  public boolean averageInto(float[] grad, float[] bufferMean) {
    boolean finite = average(gradSum, 1f / count, grad, 0, grad.length);
    finite &= Double.isFinite(lossSum);
    for (int i = 0; bufferMean != null && i < bufferMean.length; i++) {
      finite &= Float.isFinite(bufferMean[i]);
    }
    return finite;
  }

  /**
   * avg[i] = sum[i] * inv for i in [from, to); whether all of them are finite. The largest
   * magnitude is infinite for an infinity and NaN for a NaN (Math.max keeps NaN): one test at the
   * end instead of Float.isFinite on every value (1.6x faster on 1.26 M).
   */
  static boolean average(float[] sum, float inv, float[] avg, int from, int to) {
    float largest = 0;
    for (int i = from; i < to; i++) {
      float g = sum[i] * inv;
      avg[i] = g;
      largest = Math.max(largest, Math.abs(g));
    }
    return largest <= Float.MAX_VALUE;
  }

  public float[] gradSum() {
    return gradSum;
  }

  public double lossSum() {
    return lossSum;
  }

  public long correct() {
    return correct;
  }

  public long count() {
    return count;
  }

  public long computeNanos() {
    return computeNanos;
  }
}

/*
 * What one partition sends back from a step, and what the tree aggregation adds up: the summed
 * gradient (null for evaluation and for the empty zero value), the summed loss, the correct
 * predictions, the sample count, and the longest compute time of any partition (what the step
 * waited for; the rest of a step's wall time is synchronisation). merge() adds in place into the
 * left side's arrays.
 */
package org.sparkcnn.driver;

import java.io.Serializable;

public final class StepResult implements Serializable {
  float[] gradSum; // [params] or null
  double lossSum;
  long correct;
  long count;
  long computeNanos;

  public StepResult(float[] gradSum, double lossSum, long correct, long count, long computeNanos) {
    this.gradSum = gradSum;
    this.lossSum = lossSum;
    this.correct = correct;
    this.count = count;
    this.computeNanos = computeNanos;
  }

  static StepResult zero() {
    return new StepResult(null, 0, 0, 0, 0);
  }

  static StepResult merge(StepResult a, StepResult b) {
    if (a.gradSum == null) {
      a.gradSum = b.gradSum;
    } else if (b.gradSum != null) {
      float[] g = a.gradSum;
      float[] h = b.gradSum;
      for (int i = 0; i < g.length; i++) {
        g[i] += h[i];
      }
    }
    a.lossSum += b.lossSum;
    a.correct += b.correct;
    a.count += b.count;
    a.computeNanos = Math.max(a.computeNanos, b.computeNanos);
    return a;
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

/*
 * The training loop's state (Trainer): the weights and buffers, the optimiser, the trainable
 * ranges, where the run stands (epoch, step of the epoch, global step) and the epoch's meter;
 * with the wall time, what a checkpoint holds besides the config and the architecture. Under
 * train.aggregation: allreduce the tasks update their own copies, and the driver's v and sgd are
 * the state of the last step the tasks sent one for: keep() records it, backToKept() returns
 * there after a failed stage.
 */
package org.sparkcnn.driver.train;

import org.sparkcnn.driver.sync.StepHub;
import org.sparkcnn.driver.sync.StepResult;
import org.sparkcnn.engine.Sgd;
import org.sparkcnn.engine.Vectors;

final class Progress {
  final Vectors v;
  Sgd sgd;
  final int[] trainable;
  final float[] grad;
  final long t0;
  final double wallBefore; // seconds trained before a resume
  int epoch = 1;
  int step; // steps of the epoch done
  long globalStep;
  EpochMeter meter = new EpochMeter();
  private Kept kept; // allreduce: the step whose state v and sgd hold, with the meter there

  /** Where v and sgd stand under allreduce: epoch step, global step and the meter there. */
  private record Kept(int step, long globalStep, EpochMeter meter) {}

  Progress(Vectors v, Sgd sgd, int[] trainable, long t0, double wallBefore) {
    this.v = v;
    this.sgd = sgd;
    this.trainable = trainable;
    this.grad = new float[v.params.length];
    this.t0 = t0;
    this.wallBefore = wallBefore;
  }

  double wall() {
    return wallBefore + (System.nanoTime() - t0) / 1e9;
  }

  /** A step applied (begun at s0, wall-clock nanoseconds). */
  void advance(StepResult r, long s0) {
    meter.add(r, System.nanoTime() - s0);
    step++;
    globalStep++;
  }

  /** A step skipped: the weights are unchanged. */
  void skip(StepResult r, long s0) {
    meter.skip(r, System.nanoTime() - s0);
    step++;
    globalStep++;
  }

  /** Records that v and sgd are the state at the current step. */
  void keep() {
    kept = new Kept(step, globalStep, meter.copy());
  }

  /** Takes the tasks' state w (after the current step) into v and sgd, and keeps it. */
  void keep(StepHub.Weights w, Sgd.Hyper hyper) {
    System.arraycopy(w.params(), 0, v.params, 0, v.params.length);
    if (w.buffers() != null) {
      System.arraycopy(w.buffers(), 0, v.buffers, 0, v.buffers.length);
    }
    sgd =
        new Sgd(
            hyper,
            w.momentum() == null ? new float[v.params.length] : w.momentum(),
            w.optimizerSteps());
    keep();
  }

  /** The kept state, as a starting task receives it (the driver's arrays: tasks copy them). */
  StepHub.Weights kept() {
    return new StepHub.Weights(
        step,
        v.params,
        v.buffers.length == 0 ? null : v.buffers,
        sgd.momentumBuffer(),
        sgd.steps());
  }

  /** Goes back to the kept step (the steps since are computed again) and answers its state. */
  StepHub.Weights backToKept() {
    step = kept.step();
    globalStep = kept.globalStep();
    meter = kept.meter().copy();
    return kept();
  }
}

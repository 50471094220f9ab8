/*
 * The training loop's state (Trainer): the weights and buffers, the optimiser, the trainable
 * ranges, where the run stands (epoch, step of the epoch, global step) and the epoch's meter;
 * with the wall time, what a checkpoint holds besides the config and the architecture. Under
 * train.aggregation: allreduce the tasks update their own copies, and the driver's v and sgd are
 * the state of the last step the tasks sent one for: keep() records it, backToKept() returns
 * there after a failed stage. A run begins at start() (from scratch or fine-tuning) or restore()
 * (a checkpoint).
 */
package org.sparkcnn.driver.train;

import java.io.IOException;
import java.util.Arrays;
import org.sparkcnn.data.cache.TrainingData;
import org.sparkcnn.driver.cli.Reporter;
import org.sparkcnn.driver.config.JobConfig;
import org.sparkcnn.driver.config.TrainingPlan;
import org.sparkcnn.driver.persist.Checkpoint;
import org.sparkcnn.driver.sync.StepHub;
import org.sparkcnn.driver.sync.StepResult;
import org.sparkcnn.engine.Rng;
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

  /** The progress of a run from scratch: initialised (or fine-tuned) weights, step 0. */
  static Progress start(TrainingPlan plan, long t0) throws IOException {
    var arch = plan.architecture();
    Vectors v = arch.initialise(plan.init(), Rng.of(plan.seed(), Trainer.INIT_STREAM));
    int[] trainable = {0, arch.paramCount()};
    if (plan.fineTuning() != null) {
      Reporter.out("%s", plan.fineTuning().load(arch, v));
      trainable = plan.fineTuning().trainableRanges(arch);
    }
    return new Progress(v, new Sgd(plan.sgd(), arch.paramCount()), trainable, t0, 0);
  }

  /** The progress of the checkpoint from, after checking that it sees the same data. */
  static Progress restore(
      TrainingPlan plan, Checkpoint from, TrainingData data, int steps, long t0) {
    Checkpoint.State s = from.state();
    if (steps != s.stepsPerEpoch()
        || !Arrays.equals(data.norm().mean(), from.normalizeMean())
        || !Arrays.equals(data.norm().std(), from.normalizeStd())) {
      throw new JobConfig.ConfigException(
          "--resume: the training data differs from the"
              + " checkpoint's: "
              + steps
              + " steps per epoch and channel means "
              + Arrays.toString(data.norm().mean())
              + ", the checkpoint has "
              + s.stepsPerEpoch()
              + " and "
              + Arrays.toString(from.normalizeMean()));
    }
    var arch = plan.architecture();
    Vectors v = new Vectors(arch.paramCount(), arch.bufferCount());
    System.arraycopy(from.params(), 0, v.params, 0, v.params.length);
    System.arraycopy(from.buffers(), 0, v.buffers, 0, v.buffers.length);
    float[] momentum =
        from.momentum().length == 0 ? new float[arch.paramCount()] : from.momentum().clone();
    int[] trainable =
        plan.fineTuning() == null
            ? new int[] {0, arch.paramCount()}
            : plan.fineTuning().trainableRanges(arch);
    Progress p =
        new Progress(
            v, new Sgd(plan.sgd(), momentum, s.optimizerSteps()), trainable, t0, s.wallSeconds());
    p.globalStep = s.globalStep();
    if (s.epochDone()) {
      p.epoch = s.epoch() + 1;
    } else {
      p.epoch = s.epoch();
      p.step = s.step();
      p.meter = EpochMeter.resumed(s);
    }
    return p;
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

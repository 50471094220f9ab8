/*
 * The learning rate of every step: the large-batch recipe of Goyal et al. 2017 ("Accurate, Large
 * Minibatch SGD: Training ImageNet in 1 Hour", sections 2.1-2.2).
 *
 *   peak  = optim.lr x scale, scale = global batch / optim.lr_base_batch under lr_scaling linear
 *           (global batch = train.batch_size x train.accumulate_steps), else 1;
 *   warm-up, steps t < W = round(optim.warmup_epochs x steps per epoch):
 *           lr(t) = start + (peak - start) (t + 1) / W, rising linearly to the peak at step W - 1;
 *           start = optim.lr under linear scaling (the paper's gradual warm-up from the small-batch
 *           rate), else 0;
 *   then    constant: peak;
 *           step:     peak x gamma^k, k = the milestones m with t >= m x steps per epoch (epoch m
 *                     ends before the drop; PyTorch's MultiStepLR stepped once per epoch);
 *           cosine:   peak x (1 + cos(pi (t - W) / (T - W))) / 2, T the run's total steps
 *                     (PyTorch's CosineAnnealingLR with eta_min 0, stepped per step).
 * t counts optimiser steps from the start of training (the global step, 0 for the first).
 */
package org.sparkcnn.driver.config;

import java.util.Arrays;

public record LrSchedule(
    Choices.LrSchedule kind,
    double peak,
    double start,
    long warmupSteps,
    long totalSteps,
    int stepsPerEpoch,
    int[] milestones,
    double gamma)
    implements java.io.Serializable {

  /** The schedule of a config whose epochs have stepsPerEpoch optimiser steps. */
  public static LrSchedule of(JobConfig c, int stepsPerEpoch) {
    check(c);
    double base = c.get(Keys.LR);
    boolean linear = c.get(Keys.LR_SCALING) == Choices.LrScaling.LINEAR;
    double scale =
        linear
            ? (double) c.get(Keys.BATCH_SIZE)
                * c.get(Keys.ACCUMULATE_STEPS)
                / c.get(Keys.LR_BASE_BATCH)
            : 1;
    String ms = c.get(Keys.MILESTONES);
    int[] milestones =
        ms.isEmpty()
            ? new int[0]
            : Arrays.stream(ms.split(",")).mapToInt(s -> Integer.parseInt(s.strip())).toArray();
    return new LrSchedule(
        c.get(Keys.LR_SCHEDULE),
        base * scale,
        linear ? base : 0,
        Math.round(c.get(Keys.WARMUP_EPOCHS) * stepsPerEpoch),
        (long) c.get(Keys.EPOCHS) * stepsPerEpoch,
        stepsPerEpoch,
        milestones,
        c.get(Keys.GAMMA));
  }

  /** The keys' agreement with one another; a ConfigException naming them otherwise. */
  public static void check(JobConfig c) {
    Choices.LrSchedule kind = c.get(Keys.LR_SCHEDULE);
    boolean hasMilestones = !c.get(Keys.MILESTONES).isEmpty();
    if (kind == Choices.LrSchedule.STEP && !hasMilestones) {
      throw new JobConfig.ConfigException(
          "key 'optim.milestones': optim.lr_schedule step needs"
              + " the epochs after which to multiply the rate by optim.gamma, e.g. [30, 60]");
    }
    if (kind != Choices.LrSchedule.STEP && hasMilestones) {
      throw new JobConfig.ConfigException(
          "key 'optim.milestones': only the step schedule uses"
              + " milestones, but optim.lr_schedule is "
              + ConfigKey.yamlValue(kind)
              + "; expected optim.lr_schedule: step"
              + " or no milestones");
    }
    if (c.get(Keys.WARMUP_EPOCHS) >= c.get(Keys.EPOCHS)) {
      throw new JobConfig.ConfigException(
          "key 'optim.warmup_epochs': "
              + c.get(Keys.WARMUP_EPOCHS)
              + " epochs of warm-up leave nothing of "
              + c.get(Keys.EPOCHS)
              + " train.epochs;"
              + " expected fewer warm-up epochs than train.epochs");
    }
  }

  /** The learning rate of global step t (0-based). */
  public double at(long t) {
    if (t < warmupSteps) {
      return start + (peak - start) * (t + 1) / warmupSteps;
    }
    return switch (kind) {
      case CONSTANT -> peak;
      case STEP -> {
        double lr = peak;
        for (int m : milestones) {
          if (t >= (long) m * stepsPerEpoch) {
            lr *= gamma;
          }
        }
        yield lr;
      }
      case COSINE -> {
        double span = Math.max(1, totalSteps - warmupSteps);
        yield peak * (1 + Math.cos(Math.PI * Math.min(t - warmupSteps, span) / span)) / 2;
      }
    };
  }
}

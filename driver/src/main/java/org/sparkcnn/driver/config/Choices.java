/*
 * The values of the config's choice keys that decide what the trainer does, as enums
 * (ConfigKey.ofEnum): YAML spells each as its name in lower case, the code compares constants.
 */
package org.sparkcnn.driver.config;

public final class Choices {
  private Choices() {}

  /** train.execution: one barrier stage of long-lived tasks per epoch, or one job per step. */
  public enum Execution {
    BARRIER,
    JOBS
  }

  /** train.aggregation: how the partitions' gradients are summed. */
  public enum Aggregation {
    TREE,
    ALLREDUCE,
    SHARDED
  }

  /** train.non_finite: what a step with a non-finite loss or gradient does. */
  public enum NonFinite {
    STOP,
    SKIP
  }

  /** optim.lr_schedule. */
  public enum LrSchedule {
    CONSTANT,
    STEP,
    COSINE
  }

  /** optim.lr_scaling: none, or the learning rate times global batch / 256. */
  public enum LrScaling {
    NONE,
    LINEAR
  }
}

/*
 * What train.execution: barrier needs from the cluster, checked before the first stage: a barrier
 * stage runs a task for every partition at the same time, so the executors must offer that many
 * task slots, and Spark refuses barrier stages under dynamic allocation. On a cluster whose
 * executors are still registering, the check waits for them up to
 * spark.scheduler.maxRegisteredResourcesWaitingTime (30 s by default). train.aggregation:
 * allreduce opens a port in every task; on a cluster it needs spark.authenticate, so that no
 * port is open to a connection without the application's secret. Speculative execution is
 * refused in every mode.
 */
package org.sparkcnn.driver.sync;

import org.apache.spark.api.java.JavaSparkContext;
import org.sparkcnn.driver.config.JobConfig;

public final class BarrierSlots {
  private BarrierSlots() {}

  public static void check(JavaSparkContext jsc, int partitions, boolean allReduce) {
    if (allReduce
        && !jsc.sc().isLocal()
        && !jsc.getConf().getBoolean("spark.authenticate", false)) {
      throw new JobConfig.ConfigException(
          "train.aggregation: allreduce opens a port in every"
              + " task for the others, but spark.authenticate is off on this cluster; expected"
              + " spark.authenticate=true (deploy/cluster.sh and deploy/submit.sh set it), or"
              + " train.aggregation: tree");
    }
    if (jsc.getConf().getBoolean("spark.dynamicAllocation.enabled", false)) {
      throw new JobConfig.ConfigException(
          "train.execution: barrier needs a fixed set of"
              + " executors, but spark.dynamicAllocation.enabled is true; expected"
              + " spark.dynamicAllocation.enabled=false, or train.execution: jobs");
    }
    long wait =
        jsc.getConf().getTimeAsMs("spark.scheduler.maxRegisteredResourcesWaitingTime", "30s");
    long until = System.currentTimeMillis() + (jsc.sc().isLocal() ? 0 : wait);
    int slots = slots(jsc);
    while (slots < partitions && System.currentTimeMillis() < until) {
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      slots = slots(jsc);
    }
    if (slots < partitions) {
      throw new JobConfig.ConfigException(
          "train.execution: barrier runs the tasks of all "
              + partitions
              + " partitions at once, but "
              + (jsc.sc().isLocal() ? "this local master" : "the cluster")
              + " offers "
              + slots
              + " task slots (cores / spark.task.cpus);"
              + " expected train.partitions <= "
              + slots
              + ", more executors or cores, or"
              + " train.execution: jobs");
    }
  }

  /**
   * Refuses spark.speculation=true (value as Spark reads it, null when unset): a speculative copy
   * of a step task would compute the same gradient, but no test proves Spark never hands the
   * aggregation both copies, so training does not run under it.
   */
  public static void refuseSpeculation(String value) {
    if (value != null && Boolean.parseBoolean(value.trim())) {
      throw new JobConfig.ConfigException(
          "spark.speculation is true, but training does not run"
              + " under speculative execution; set spark.speculation=false for this job (for example"
              + " --conf spark.speculation=false on spark-submit)");
    }
  }

  /** Tasks the executors can run at once now. */
  static int slots(JavaSparkContext jsc) {
    return jsc.sc()
        .maxNumConcurrentTasks(jsc.sc().resourceProfileManager().defaultResourceProfile());
  }
}

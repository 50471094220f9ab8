/*
 * One epoch of train.execution: barrier, as the trainer sees it: a Spark barrier stage with one
 * long-lived task per partition (BarrierEpoch) runs every step of the epoch, talking to a StepHub
 * on the driver, instead of a Spark job per step. next() answers each step's ordered sum,
 * publish() sends the weights of the next step (or stop, after the last). A lost task or executor
 * fails the barrier stage (Spark does not retry a barrier result stage); the stage is then
 * started again and its tasks resume from the last step the driver completed, with the weights of
 * that step, so the epoch ends with the same bits. After train.max_restarts failures in a row
 * without a completed step the epoch stops with StageLostException.
 */
package org.sparkcnn.driver;

import java.util.concurrent.ExecutionException;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rpc.RpcEndpointRef;
import org.apache.spark.rpc.RpcEnv;
import org.sparkcnn.data.Block;
import org.sparkcnn.engine.Vectors;
import scala.reflect.ClassTag$;

final class BarrierSteps implements AutoCloseable {
  private final JavaSparkContext jsc;
  private final JavaRDD<Block> train;
  private final BarrierEpoch tasks;
  private final StepHub hub;
  private final RpcEndpointRef endpoint;
  private final int maxRestarts;
  private final String description;
  private JavaFutureAction<Long> stage;
  private int failures; // stage failures since the last completed step
  private boolean ended; // the last step's weights are published: the tasks stop by themselves

  private BarrierSteps(JavaSparkContext jsc, JavaRDD<Block> train, BarrierEpoch tasks,
      StepHub hub, RpcEndpointRef endpoint, int maxRestarts, String description) {
    this.jsc = jsc;
    this.train = train;
    this.tasks = tasks;
    this.hub = hub;
    this.endpoint = endpoint;
    this.maxRestarts = maxRestarts;
    this.description = description;
  }

  /** Starts the epoch's stage at step `step` with the weights v; step is ExecutorStep's epoch. */
  static BarrierSteps start(JavaSparkContext jsc, JavaRDD<Block> train, ExecutorStep step,
      String runId, int epoch, int firstStep, Vectors v, int maxRestarts) {
    String name = "sparkcnn-steps-" + runId + "-" + epoch;
    RpcEnv env = SparkEnv.get().rpcEnv();
    StepHub hub = new StepHub(env, train.getNumPartitions(), weights(firstStep, v));
    RpcEndpointRef endpoint = env.setupEndpoint(name, hub);
    BarrierSteps b = new BarrierSteps(jsc, train, new BarrierEpoch(name, runId,
        step.architecture(), step), hub, endpoint, maxRestarts, "epoch " + epoch);
    b.submit();
    return b;
  }

  private void submit() {
    jsc.setJobGroup("sparkcnn-train", description + " (one barrier stage for every step)",
        false);
    stage = JavaRDD.fromRDD(train.rdd().barrier().mapPartitions(tasks, false,
        ClassTag$.MODULE$.apply(Object.class)), ClassTag$.MODULE$.apply(Object.class))
        .countAsync();
  }

  /** The ordered sum of the current step, restarting the stage when it failed. */
  StepResult next() {
    try {
      StepResult r;
      while ((r = hub.await(stage)) == null) {
        String cause = cause();
        if (++failures > maxRestarts) {
          throw new StageLostException("the training stage of " + description + " failed "
              + failures + " times in a row without completing a step (train.max_restarts="
              + maxRestarts + "); last failure: " + cause);
        }
        Trainer.warn("the training stage of %s failed (%s); starting it again (%d of at most %d"
            + " in a row), from the last completed step", description, cause, failures,
            maxRestarts);
        submit();
      }
      failures = 0;
      return r;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a step", e);
    }
  }

  /** Publishes the weights of step `step` (stop when it is the epoch's end). */
  void publish(int step, int steps, Vectors v) {
    ended = step >= steps;
    hub.publish(ended ? StepHub.Weights.stop() : weights(step, v));
  }

  private static StepHub.Weights weights(int step, Vectors v) {
    return new StepHub.Weights(step, v.params.clone(),
        v.buffers.length == 0 ? null : v.buffers.clone());
  }

  /** Why the stage ended: its exception's innermost message. */
  private String cause() {
    try {
      stage.get();
      return "its tasks ended before the epoch's last step";
    } catch (ExecutionException e) {
      Throwable t = e;
      while (t.getCause() != null) {
        t = t.getCause();
      }
      return String.valueOf(t.getMessage()).lines().findFirst().orElse("");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /** Stops the tasks (if the epoch did not end normally) and the endpoint, and waits for both. */
  @Override
  public void close() {
    hub.publish(StepHub.Weights.stop());
    try {
      if (!ended) {
        stage.cancel(true);
      }
      stage.get();
    } catch (ExecutionException | java.util.concurrent.CancellationException e) {
      // the stage had failed, or was cancelled: nothing of it is kept
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      hub.rpcEnv().stop(endpoint);
    }
  }

  /** The stage failed more often in a row than train.max_restarts allows. */
  static final class StageLostException extends RuntimeException {
    StageLostException(String message) {
      super(message);
    }
  }
}

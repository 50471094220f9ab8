/*
 * One epoch of train.execution: barrier, as the trainer sees it: a Spark barrier stage with one
 * long-lived task per partition (BarrierEpoch) runs every step of the epoch, talking to a StepHub
 * on the driver, instead of a Spark job per step. next() answers each step's ordered sum,
 * publish() sends the weights of the next step (or stop, after the last). A lost task or executor
 * fails the barrier stage (Spark does not retry a barrier result stage); the stage is then
 * started again and its tasks resume from the last step the driver completed, with the weights of
 * that step, so the epoch ends with the same bits. After train.max_restarts failures in a row
 * without a completed step the epoch stops with StageLostException. Under train.aggregation:
 * allreduce (startAllReduce) the tasks sum and update among themselves (AllReduceEpoch), next()
 * answers partition 0's report of each step, and a restarted stage resumes from the last state
 * the driver kept (a checkpoint step or the epoch's start), which the trainer rolls back to.
 */
package org.sparkcnn.driver.sync;

import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.rpc.RpcEndpointRef;
import org.apache.spark.rpc.RpcEnv;
import org.apache.spark.util.LongAccumulator;
import org.sparkcnn.driver.cli.Reporter;
import org.sparkcnn.engine.Vectors;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

public final class BarrierSteps implements AutoCloseable {
  private final JavaSparkContext jsc;
  private final JavaRDD<?> train;
  private final AbstractFunction1<?, ?> tasks;
  private final Supplier<StepHub.Weights> restart; // allreduce: where to restart, else null
  private LongAccumulator sentBytes; // allreduce: what its tasks sent each other, else null
  private final StepHub hub;
  private final RpcEndpointRef endpoint;
  private final int maxRestarts;
  private final String description;
  private JavaFutureAction<Long> stage;
  private int failures; // stage failures since the last completed step
  private boolean closed;
  private boolean ended; // the last step's weights are published: the tasks stop by themselves

  private BarrierSteps(
      JavaSparkContext jsc,
      JavaRDD<?> train,
      AbstractFunction1<?, ?> tasks,
      StepHub hub,
      RpcEndpointRef endpoint,
      int maxRestarts,
      String description,
      Supplier<StepHub.Weights> restart) {
    this.jsc = jsc;
    this.restart = restart;
    this.train = train;
    this.tasks = tasks;
    this.hub = hub;
    this.endpoint = endpoint;
    this.maxRestarts = maxRestarts;
    this.description = description;
  }

  /**
   * Starts a stage of `steps` over data (one task per partition) at step firstStep with the weights
   * v; `name` tells this stage from others of the application, `description` names it in the Spark
   * UI and in messages.
   */
  public static <T> BarrierSteps start(
      JavaSparkContext jsc,
      JavaRDD<T> data,
      BarrierEpoch.Steps<T> steps,
      String name,
      String description,
      int firstStep,
      Vectors v,
      int maxRestarts) {
    String endpointName = "sparkcnn-steps-" + name;
    RpcEnv env = SparkEnv.get().rpcEnv();
    StepHub hub = new StepHub(env, data.getNumPartitions(), weights(firstStep, v));
    return started(
        jsc,
        data,
        new BarrierEpoch<>(endpointName, steps),
        hub,
        endpointName,
        maxRestarts,
        description,
        null);
  }

  /**
   * Starts a stage of train.aggregation: allreduce over data: its tasks start from `first` (the
   * weights, buffers and optimiser state of step first.step()) and update as `update` says; after a
   * failure they start again from what restart answers (the trainer's last kept state).
   */
  public static <T> BarrierSteps startAllReduce(
      JavaSparkContext jsc,
      JavaRDD<T> data,
      BarrierEpoch.Steps<T> steps,
      AllReduceEpoch.Update update,
      String name,
      String description,
      StepHub.Weights first,
      int maxRestarts,
      Supplier<StepHub.Weights> restart) {
    String endpointName = "sparkcnn-steps-" + name;
    StepHub hub = StepHub.forReports(SparkEnv.get().rpcEnv(), first);
    LongAccumulator sent = jsc.sc().longAccumulator("sparkcnn all-reduce bytes, " + description);
    BarrierSteps b =
        started(
            jsc,
            data,
            new AllReduceEpoch<>(endpointName, steps, update, sent),
            hub,
            endpointName,
            maxRestarts,
            description,
            java.util.Objects.requireNonNull(restart));
    b.sentBytes = sent;
    return b;
  }

  private static BarrierSteps started(
      JavaSparkContext jsc,
      JavaRDD<?> data,
      AbstractFunction1<?, ?> tasks,
      StepHub hub,
      String endpointName,
      int maxRestarts,
      String description,
      Supplier<StepHub.Weights> restart) {
    RpcEndpointRef endpoint = hub.rpcEnv().setupEndpoint(endpointName, hub);
    BarrierSteps b =
        new BarrierSteps(jsc, data, tasks, hub, endpoint, maxRestarts, description, restart);
    b.submit();
    return b;
  }

  private void submit() {
    jsc.setJobGroup("sparkcnn-train", description + " (one barrier stage for every step)", false);
    @SuppressWarnings("unchecked")
    var f =
        (AbstractFunction1<scala.collection.Iterator<Object>, scala.collection.Iterator<Object>>)
            tasks;
    @SuppressWarnings("unchecked")
    var rdd = (RDD<Object>) (RDD<?>) train.rdd();
    stage =
        JavaRDD.fromRDD(
                rdd.barrier().mapPartitions(f, false, ClassTag$.MODULE$.apply(Object.class)),
                ClassTag$.MODULE$.apply(Object.class))
            .countAsync();
  }

  /**
   * The current step: its ordered sum (or, under allreduce, partition 0's report of it), restarting
   * the stage when it failed.
   */
  public StepHub.Report next() {
    try {
      StepHub.Report r;
      while ((r = hub.await(stage)) == null) {
        String cause = cause();
        hub.abandon();
        if (++failures > maxRestarts) {
          throw new StageLostException(
              "the training stage of "
                  + description
                  + " failed "
                  + failures
                  + " times in a row without completing a step (train.max_restarts="
                  + maxRestarts
                  + "); last failure: "
                  + cause);
        }
        Reporter.warn(
            "the training stage of %s failed (%s); starting it again (%d of at most %d"
                + " in a row), from the last %s",
            description,
            cause,
            failures,
            maxRestarts,
            restart == null ? "completed step" : "state the driver kept");
        if (restart != null) {
          hub.restartFrom(restart.get());
        }
        submit();
      }
      failures = 0;
      return r;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a step", e);
    }
  }

  /**
   * Allreduce: the bytes the tasks sent each other over the network, counted as each task ends
   * (complete once the stage has ended: after close()).
   */
  public long sentBytes() {
    return sentBytes == null ? 0 : sentBytes.value();
  }

  /** Publishes the weights of step `step` (stop when it is the epoch's end). */
  public void publish(int step, int steps, Vectors v) {
    ended = step >= steps;
    if (restart == null) { // under allreduce the tasks go on by themselves
      hub.publish(ended ? StepHub.Weights.stop() : weights(step, v));
    }
  }

  /**
   * The weights of step `step`: the driver's own arrays, not copies. A task reads them only between
   * their publication and its result of the step, and the driver changes them only once every
   * partition's result is in (a task of a failed attempt may still read them: its result is
   * refused).
   */
  private static StepHub.Weights weights(int step, Vectors v) {
    return new StepHub.Weights(step, v.params, v.buffers.length == 0 ? null : v.buffers);
  }

  /** Why the stage ended: its exception's innermost message, in one line. */
  private String cause() {
    try {
      stage.get();
      return "its tasks ended before the epoch's last step";
    } catch (ExecutionException e) {
      Throwable t = e;
      while (t.getCause() != null) {
        t = t.getCause();
      }
      // Spark's message, then the failed task's exception on the next line
      return String.join(" ", String.valueOf(t.getMessage()).lines().limit(2).toList());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /** Stops the tasks (if the epoch did not end normally) and the endpoint, and waits for both. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
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
  public static final class StageLostException extends RuntimeException {
    public StageLostException(String message) {
      super(message);
    }
  }
}

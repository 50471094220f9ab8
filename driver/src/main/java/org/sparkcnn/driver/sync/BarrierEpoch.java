/*
 * What one partition's long-lived task runs in a barrier stage (train.execution: barrier): it
 * joins the driver's StepHub, opens its state once (for training, ExecutorStep borrows the
 * executor's model replica for the cached block), and then loops over the epoch's steps: compute
 * the step (the same numbers as a job per step), send the result, receive the next step's
 * weights, until the hub says stop. The step to start from comes from the hub, so a restarted
 * stage resumes where the driver is.
 */
package org.sparkcnn.driver.sync;

import java.io.Serializable;
import java.util.Collections;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.rpc.RpcEndpointRef;
import org.apache.spark.util.RpcUtils;
import scala.collection.Iterator;
import scala.concurrent.Await;
import scala.concurrent.Future;
import scala.concurrent.duration.Duration;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

public final class BarrierEpoch<T> extends AbstractFunction1<Iterator<T>, Iterator<Object>>
    implements Serializable {
  /** What a task computes each step, from the first element of its partition. */
  public interface Steps<T> extends Serializable {
    /** Opens the task's state (a model replica) for the partition whose first element is first. */
    Local open(T first);
  }

  /** A task's state over the epoch. */
  public interface Local extends AutoCloseable {
    /** The result of step `step` of the epoch with these weights (buffers null when none). */
    StepResult compute(int step, float[] params, float[] buffers);

    /**
     * Has compute() tell ready, during its backward pass, from where the gradient array it will
     * return is final (train.aggregation: allreduce sends those parts early). A step whose gradient
     * is assembled afterwards (accumulated minibatches) does not: the default.
     */
    default void onGradientsReady(java.util.function.ObjIntConsumer<float[]> ready) {}

    /**
     * Has compute()'s forward pass tell needed, before each layer, up to which element the
     * parameters must be in place (train.aggregation: allreduce receives the other shards' weights
     * meanwhile); whether it will. The default does not: every weight must be in place before
     * compute() is called.
     */
    default boolean onParamsNeeded(java.util.function.IntConsumer needed) {
      return false;
    }

    @Override
    void close();
  }

  private final String hub; // the StepHub's endpoint name
  private final Steps<T> steps;

  BarrierEpoch(String hub, Steps<T> steps) {
    this.hub = hub;
    this.steps = steps;
  }

  @Override
  public Iterator<Object> apply(Iterator<T> items) {
    Joined j = Joined.of(hub);
    StepHub.Weights w = j.start();
    try (Local local = steps.open(items.next())) {
      while (w.step() >= 0) {
        long t0 = System.nanoTime();
        StepResult r = local.compute(w.step(), w.params(), w.buffers());
        r.computeNanos = System.nanoTime() - t0;
        w = ask(j.driver(), new StepHub.Sum(j.partition(), j.attempt(), w.step(), r), j.inDriver());
      }
    }
    return CollectionConverters.asScala(Collections.emptyIterator());
  }

  /**
   * A long-lived task that has joined the driver's StepHub: its barrier context, stage attempt,
   * partition, the hub's reference, whether it runs in the driver's JVM (local mode), and where the
   * hub told it to start.
   */
  record Joined(
      BarrierTaskContext task,
      long attempt,
      int partition,
      RpcEndpointRef driver,
      boolean inDriver,
      StepHub.Weights start) {
    static Joined of(String hub) {
      BarrierTaskContext task = BarrierTaskContext.get();
      long attempt = ((long) task.stageId() << 16) | task.stageAttemptNumber();
      int p = task.partitionId();
      SparkEnv env = SparkEnv.get();
      RpcEndpointRef driver = RpcUtils.makeDriverRef(hub, env.conf(), env.rpcEnv());
      boolean inDriver = "driver".equals(env.executorId()); // local mode: the driver's JVM
      return new Joined(
          task, attempt, p, driver, inDriver, ask(driver, new StepHub.Join(p, attempt), inDriver));
    }
  }

  /** Sends message and waits for the answer; across JVMs both travel as HubCodec bytes. */
  static StepHub.Weights ask(RpcEndpointRef driver, Object message, boolean inDriver) {
    return await(send(driver, message, inDriver));
  }

  /** Sends message; the answer comes as the future's value (HubCodec bytes across JVMs). */
  static Future<Object> send(RpcEndpointRef driver, Object message, boolean inDriver) {
    return driver.ask(
        inDriver ? message : HubCodec.encode(message),
        RpcUtils.INFINITE_TIMEOUT(),
        ClassTag$.MODULE$.apply(Object.class));
  }

  /** The answer of a send (null for none), once it has come. */
  static StepHub.Weights await(Future<Object> answer) {
    if (answer == null) {
      return null;
    }
    try {
      Object a = Await.result(answer, Duration.Inf());
      return (StepHub.Weights) (a instanceof byte[] b ? HubCodec.decode(b) : a);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the driver", e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(e);
    }
  }
}

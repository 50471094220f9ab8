/*
 * What one partition's long-lived task runs in a barrier stage (train.execution: barrier): it
 * borrows the executor's model replica once, joins the driver's StepHub, and then loops over the
 * epoch's steps on its cached block: compute the step (ExecutorStep.compute, the same numbers as a
 * job per step), send the result, receive the next step's weights, until the hub says stop. The
 * step to start from comes from the hub, so a restarted stage resumes where the driver is.
 */
package org.sparkcnn.driver;

import java.io.Serializable;
import java.util.Collections;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.rpc.RpcEndpointRef;
import org.apache.spark.util.RpcUtils;
import org.sparkcnn.data.Block;
import org.sparkcnn.engine.Architecture;
import scala.collection.Iterator;
import scala.concurrent.Await;
import scala.concurrent.duration.Duration;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

final class BarrierEpoch extends AbstractFunction1<Iterator<Block>, Iterator<Object>>
    implements Serializable {
  private final String hub; // the StepHub's endpoint name
  private final String runId;
  private final Architecture arch;
  private final ExecutorStep step; // the epoch's step recipe; its weights come from the hub

  BarrierEpoch(String hub, String runId, Architecture arch, ExecutorStep step) {
    this.hub = hub;
    this.runId = runId;
    this.arch = arch;
    this.step = step;
  }

  @Override
  public Iterator<Object> apply(Iterator<Block> blocks) {
    BarrierTaskContext task = BarrierTaskContext.get();
    long attempt = ((long) task.stageId() << 16) | task.stageAttemptNumber();
    Block block = blocks.next();
    int p = block.partition();
    SparkEnv env = SparkEnv.get();
    RpcEndpointRef driver = RpcUtils.makeDriverRef(hub, env.conf(), env.rpcEnv());
    StepHub.Weights w = ask(driver, new StepHub.Join(p, attempt));
    Replicas.Worker worker = Replicas.borrow(runId, arch);
    try {
      while (w.step() >= 0) {
        long t0 = System.nanoTime();
        StepResult r = step.compute(worker, block, w.step(), w.params(), w.buffers());
        r.computeNanos = System.nanoTime() - t0;
        w = ask(driver, new StepHub.Sum(p, attempt, w.step(), r));
      }
    } finally {
      Replicas.giveBack(runId, worker);
    }
    return CollectionConverters.asScala(Collections.emptyIterator());
  }

  private static StepHub.Weights ask(RpcEndpointRef driver, Object message) {
    try {
      return Await.result(driver.ask(message, RpcUtils.INFINITE_TIMEOUT(),
          ClassTag$.MODULE$.apply(StepHub.Weights.class)), Duration.Inf());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the driver", e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(e);
    }
  }
}

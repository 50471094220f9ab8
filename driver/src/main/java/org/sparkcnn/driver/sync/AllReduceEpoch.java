/*
 * What one partition's long-lived task runs under train.aggregation: allreduce: it asks the
 * driver's StepHub where to start (the step, the weights and the optimiser state the driver
 * kept), joins the other tasks (TaskMesh), and then runs the epoch's steps on its own: compute the
 * step, sum its chunks of the gradient with the other tasks (AllReduce: the driver's additions,
 * made on the executors), average and update those chunks with the driver's arithmetic and
 * optimiser (its momentum is this task's for them), and gather the other chunks' updated
 * weights, taken in by the next step's forward pass layer by layer as they arrive, so every
 * replica computes with the same bits every step. At the steps whose state the
 * driver keeps, partition 0 first gathers the momentum of every shard. The driver is off the data path: partition
 * 0's task reports each step's loss and counts, and the state after it where the driver keeps
 * one (a checkpoint step, the epoch's end), without waiting for the driver between steps.
 */
package org.sparkcnn.driver.sync;

import java.io.Serializable;
import java.util.Collections;
import org.apache.spark.util.LongAccumulator;
import org.sparkcnn.driver.config.LrSchedule;
import org.sparkcnn.engine.Sgd;
import scala.collection.Iterator;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

public final class AllReduceEpoch<T> extends AbstractFunction1<Iterator<T>, Iterator<Object>>
    implements Serializable {
  /**
   * How the tasks update: the epoch's steps, the global step of its first, the checkpoint interval
   * (0: none), the schedule, the optimiser, the trainable ranges and whether a non-finite step is
   * skipped (else it stops the run).
   */
  public record Update(
      int steps,
      long firstGlobalStep,
      int checkpointEvery,
      LrSchedule schedule,
      Sgd.Hyper sgd,
      int[] trainable,
      boolean skipNonFinite)
      implements Serializable {
    /** Whether the driver keeps the state after epoch step `step` (0-based). */
    boolean keptAfter(int step) {
      long global = firstGlobalStep + step + 1;
      return step + 1 == steps || checkpointEvery > 0 && global % checkpointEvery == 0;
    }
  }

  private final String hub; // the StepHub's endpoint name
  private final BarrierEpoch.Steps<T> steps;
  private final Update update;
  private final LongAccumulator sentBytes; // what the tasks sent each other over the network

  AllReduceEpoch(
      String hub, BarrierEpoch.Steps<T> steps, Update update, LongAccumulator sentBytes) {
    this.hub = hub;
    this.steps = steps;
    this.update = update;
    this.sentBytes = sentBytes;
  }

  @Override
  public Iterator<Object> apply(Iterator<T> items) {
    BarrierEpoch.Joined j = BarrierEpoch.Joined.of(hub);
    int p = j.partition();
    int partitions = j.task().numPartitions();
    StepHub.Weights w = j.start();
    if (w.step() < 0) {
      return CollectionConverters.asScala(Collections.emptyIterator());
    }
    float[] params = w.params().clone();
    float[] buffers = w.buffers() == null ? null : w.buffers().clone();
    Sgd sgd =
        new Sgd(
            update.sgd(),
            w.momentum() == null ? new float[params.length] : w.momentum().clone(),
            w.optimizerSteps());
    float[] grad = new float[params.length]; // the averaged gradient, at this task's shard
    float[] mean = buffers == null ? null : new float[buffers.length]; // likewise the buffers
    AllReduce.Chunk[] chunks =
        AllReduce.chunks(partitions, params.length, buffers == null ? 0 : buffers.length);
    Inbox inbox = new Inbox(partitions, chunks.length, j.task());
    String stage = hub + "/" + j.attempt(); // names this stage attempt's mesh among others
    Future<Object> acked = null;
    try (BarrierEpoch.Local local = steps.open(items.next());
        AllReduce sums =
            new AllReduce(
                partitions,
                p,
                chunks,
                TaskMesh.join(j.task(), stage, inbox, j.inDriver()),
                params.length,
                buffers == null ? 0 : buffers.length)) {
      local.onGradientsReady(sums::ready);
      boolean streamed = local.onParamsNeeded(sums::gathered);
      int[] own = sums.own(update.trainable()); // the trainable ranges of this task's chunks
      for (int s = w.step(); s < update.steps(); s++) {
        sums.begin(s);
        // the previous step's weights: the forward pass takes them as it reaches their layers
        sums.gatherBuffers();
        if (!streamed) {
          sums.finishGather();
        }
        sums.takeWaited();
        long t0 = System.nanoTime();
        StepResult mine = local.compute(s, params, buffers);
        mine.computeNanos = System.nanoTime() - t0 - sums.takeWaited();
        sums.finishGather();
        StepResult total = sums.reduceScatter(s, mine);
        boolean finite = sums.allFinite(s, sums.averageOwn(total, grad, mean));
        if (finite) {
          sgd.step(params, grad, update.schedule().at(update.firstGlobalStep() + s), own);
          sums.sendShard(s, params, mean, buffers);
        }
        if (update.keptAfter(s)) { // the driver keeps the whole state after this step
          if (sgd.momentumBuffer() != null) {
            sums.gatherTo0(s, sgd.momentumBuffer());
          }
          sums.finishGather();
        }
        sums.done(s);
        if (p == 0) {
          StepHub.Weights state =
              update.keptAfter(s)
                  ? new StepHub.Weights(
                      s + 1,
                      params.clone(),
                      buffers == null ? null : buffers.clone(),
                      sgd.momentumBuffer() == null ? null : sgd.momentumBuffer().clone(),
                      sgd.steps())
                  : null;
          BarrierEpoch.await(acked);
          StepResult scalars =
              new StepResult(
                  null,
                  total.lossSum,
                  total.correct,
                  total.count,
                  total.computeNanos,
                  null,
                  total.partitions);
          acked =
              BarrierEpoch.send(
                  j.driver(),
                  new StepHub.Report(j.attempt(), s, scalars, finite, state),
                  j.inDriver());
        }
        if (!finite && !update.skipNonFinite()) {
          break; // the driver stops the run
        }
      }
      sums.finishGather();
      BarrierEpoch.await(acked);
      sentBytes.add(sums.sentBytes());
      // no task closes its connections before every task has received all it needs: a piece
      // still on its way would be lost with them
      j.task().barrier();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted in the all-reduce", e);
    }
    return CollectionConverters.asScala(Collections.emptyIterator());
  }
}

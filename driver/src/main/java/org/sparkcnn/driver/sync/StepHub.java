/*
 * The driver's endpoint for one epoch of long-lived step tasks (train.execution: barrier). Each
 * step, every partition's task sends its step result (Sum) and waits; once all partitions have
 * sent, the trainer takes the results, added in OrderedReduce's order (the same bits as a job per
 * step), applies the update and publishes the next step's weights, which answer every waiting
 * task. A task that starts (Join) is answered with the weights of the next step to compute, so a
 * restarted stage goes on from the last step the driver completed. The endpoint lives in Spark's
 * RPC environment: on a cluster it is reached through Spark's transport (authenticated with
 * spark.authenticate, encrypted with spark.network.crypto.enabled); in local mode the messages
 * are handed over in memory, never serialised. Results of an older stage attempt are refused.
 * Under train.aggregation: allreduce the tasks add and apply each step themselves; the hub only
 * hands a starting task its weights and optimiser state and takes partition 0's Report of each
 * step, in step order, without holding the task up.
 */
package org.sparkcnn.driver.sync;

import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Future;
import org.apache.spark.rpc.RpcCallContext;
import org.apache.spark.rpc.RpcEndpoint;
import org.apache.spark.rpc.RpcEnv;
import scala.PartialFunction;
import scala.runtime.AbstractPartialFunction;
import scala.runtime.BoxedUnit;

public final class StepHub implements RpcEndpoint {
  /** A task of stage attempt `attempt` starts on its partition and asks what to compute. */
  record Join(int partition, long attempt) implements Serializable {}

  /** A task's result of step `step` of the epoch. */
  record Sum(int partition, long attempt, int step, StepResult result) implements Serializable {}

  /**
   * The answer: compute step `step` with these weights, or stop when step is negative. Under
   * allreduce a starting task also gets the optimiser's momentum (or null) and step count.
   */
  public record Weights(
      int step, float[] params, float[] buffers, float[] momentum, long optimizerSteps)
      implements Serializable {
    Weights(int step, float[] params, float[] buffers) {
      this(step, params, buffers, null, 0);
    }

    static Weights stop() {
      return new Weights(-1, null, null);
    }
  }

  /**
   * A step as the driver takes it: the partitions' sum (allreduce: without the gradient) and, under
   * allreduce, whether the tasks found it finite, and the state after it (weights and optimiser,
   * the step field naming the next step) when the driver keeps one there, else null.
   */
  public record Report(long attempt, int step, StepResult total, boolean finite, Weights state)
      implements Serializable {}

  private final RpcEnv env;
  private final int partitions;
  private final StepResult[] pending;
  private final RpcCallContext[] waiting;
  private final List<RpcCallContext> joins = new ArrayList<>();
  private long attempt = -1;
  private int received;
  private Weights current; // what the tasks compute next; null while the driver applies a step
  private final ArrayDeque<Report> reports; // allreduce: received, not yet taken; else null
  private int nextReport; // allreduce: the step of the next report
  private int summed; // the step whose sums are all in

  /** A hub for the driver's averaging: partitions tasks send their sums each step. */
  StepHub(RpcEnv env, int partitions, Weights first) {
    this(env, partitions, first, false);
  }

  private StepHub(RpcEnv env, int partitions, Weights first, boolean reports) {
    this.env = env;
    this.partitions = partitions;
    this.pending = new StepResult[partitions];
    this.waiting = new RpcCallContext[partitions];
    this.current = first;
    this.reports = reports ? new ArrayDeque<>() : null;
    this.nextReport = first.step();
  }

  /** A hub for allreduce: tasks start from first, partition 0 reports every step. */
  static StepHub forReports(RpcEnv env, Weights first) {
    return new StepHub(env, 1, first, true);
  }

  @Override
  public RpcEnv rpcEnv() {
    return env;
  }

  @Override
  public PartialFunction<Object, BoxedUnit> receiveAndReply(RpcCallContext context) {
    return new AbstractPartialFunction<>() {
      @Override
      public boolean isDefinedAt(Object message) {
        return message instanceof Join
            || message instanceof Sum
            || message instanceof Report
            || message instanceof byte[];
      }

      @Override
      public BoxedUnit apply(Object message) {
        // a message from another JVM comes as bytes (HubCodec), and is answered in bytes
        RpcCallContext caller = message instanceof byte[] ? new Encoding(context) : context;
        Object m = message instanceof byte[] bytes ? HubCodec.decode(bytes) : message;
        if (m instanceof Join j) {
          join(j, caller);
        } else if (m instanceof Report r) {
          report(r, caller);
        } else {
          sum((Sum) m, caller);
        }
        return BoxedUnit.UNIT;
      }
    };
  }

  /** A remote caller: answers go back as HubCodec bytes, those of one publication encoded once. */
  private final class Encoding implements RpcCallContext {
    private final RpcCallContext context;

    Encoding(RpcCallContext context) {
      this.context = context;
    }

    @Override
    public void reply(Object response) {
      context.reply(encoded((Weights) response));
    }

    @Override
    public void sendFailure(Throwable e) {
      context.sendFailure(e);
    }

    @Override
    public org.apache.spark.rpc.RpcAddress senderAddress() {
      return context.senderAddress();
    }
  }

  private Weights encodedOf;
  private byte[] encoded;

  private synchronized byte[] encoded(Weights w) {
    if (w != encodedOf) {
      encoded = HubCodec.encode(w);
      encodedOf = w;
    }
    return encoded;
  }

  private synchronized void join(Join j, RpcCallContext context) {
    if (!adopt(j.attempt(), context)) {
      return;
    }
    if (current != null) {
      context.reply(current);
    } else {
      joins.add(context);
    }
  }

  private synchronized void report(Report r, RpcCallContext context) {
    if (!adopt(r.attempt(), context)) {
      return;
    }
    if (reports == null || r.step() != nextReport) {
      context.sendFailure(
          new IllegalStateException(
              "a report of step "
                  + r.step()
                  + ", but the"
                  + " driver expects "
                  + (reports == null ? "sums, not reports" : "step " + nextReport)));
      return;
    }
    reports.add(r);
    nextReport++;
    context.reply(new Weights(r.step() + 1, null, null));
    notifyAll();
  }

  private synchronized void sum(Sum s, RpcCallContext context) {
    if (!adopt(s.attempt(), context)) {
      return;
    }
    int p = s.partition();
    if (current == null
        || s.step() != current.step()
        || p < 0
        || p >= partitions
        || pending[p] != null) {
      context.sendFailure(
          new IllegalStateException(
              "partition "
                  + p
                  + " sent step "
                  + s.step()
                  + ", but the driver expects "
                  + (current == null ? "no step now" : "step " + current.step())
                  + (p >= 0 && p < partitions && pending[p] != null
                      ? " and has this partition's result already"
                      : "")));
      return;
    }
    pending[p] = s.result();
    waiting[p] = context;
    if (++received == partitions) {
      summed = current.step();
      current = null;
      notifyAll();
    }
  }

  /** Follows a newer stage attempt (dropping what the older one sent); refuses an older one. */
  private boolean adopt(long a, RpcCallContext context) {
    if (a < attempt) {
      context.sendFailure(
          new IllegalStateException(
              "stage attempt " + a + " is over; attempt " + attempt + " runs now"));
      return false;
    }
    if (a > attempt) {
      attempt = a;
      if (current != null) { // a complete step being applied keeps its results
        for (RpcCallContext c : waiting) {
          if (c != null) {
            c.sendFailure(new IllegalStateException("stage attempt " + a + " replaced this one"));
          }
        }
        Arrays.fill(pending, null);
        Arrays.fill(waiting, null);
        received = 0;
      }
    }
    return true;
  }

  /**
   * Waits until every partition has sent its result of the current step and answers their sum in
   * OrderedReduce's order, or answers null when the stage ended (failed) before that.
   */
  synchronized Report await(Future<?> stage) throws InterruptedException {
    while (reports != null ? reports.isEmpty() : received < partitions) {
      if (stage.isDone()) {
        return null;
      }
      wait(20);
    }
    return reports != null
        ? reports.poll()
        : new Report(attempt, summed, OrderedReduce.inOrder(pending.clone()), true, null);
  }

  /**
   * Ends the current stage attempt (it failed): its waiting tasks, which Spark leaves running, are
   * told to stop, so that they free their slots, and whatever it sends later is refused.
   */
  synchronized void abandon() {
    IllegalStateException over =
        new IllegalStateException("stage attempt " + attempt + " failed; its tasks stop");
    for (RpcCallContext c : waiting) {
      if (c != null) {
        c.sendFailure(over);
      }
    }
    joins.forEach(c -> c.sendFailure(over));
    joins.clear();
    attempt++;
    if (reports != null) {
      reports.clear();
    }
    if (current != null) {
      Arrays.fill(pending, null);
      Arrays.fill(waiting, null);
      received = 0;
    }
  }

  /** Allreduce: a restarted stage's tasks start from `from` (the state the driver kept). */
  synchronized void restartFrom(Weights from) {
    current = from;
    nextReport = from.step();
  }

  /** Answers the tasks waiting on the step just applied, and later joiners, with next. */
  synchronized void publish(Weights next) {
    current = next;
    for (int p = 0; p < partitions; p++) {
      if (waiting[p] != null) {
        waiting[p].reply(next);
      }
    }
    Arrays.fill(pending, null);
    Arrays.fill(waiting, null);
    received = 0;
    joins.forEach(c -> c.reply(next));
    joins.clear();
  }
}

/*
 * Long-lived step tasks (train.execution: barrier) under failure: a task that fails in the middle
 * of an epoch makes Spark abort the barrier stage; the stage is started again and its tasks go on
 * from the last step the driver completed, with that step's weights, so the final weights are the
 * bits of a run without the failure. Failures in a row past train.max_restarts stop with a message
 * naming the last failure. Under train.aggregation: allreduce the stage starts again from the
 * last state the driver kept (every 4 steps here), with the same final bits. The steps here are a
 * cheap deterministic function of the weights.
 */
package org.sparkcnn.driver.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.sparkcnn.driver.TestSpark;
import org.sparkcnn.driver.config.Choices;
import org.sparkcnn.driver.config.LrSchedule;
import org.sparkcnn.engine.Sgd;
import org.sparkcnn.engine.Vectors;

class BarrierStepsTest {
  private static final int STEPS = 12;
  private static final int FAIL_AT = 7; // the step partition 1 fails in, while failures remain

  /** Failures still to inject (the tasks run in this JVM: local mode). */
  private static final AtomicInteger FAILURES = new AtomicInteger();

  /** Tasks opened, over every attempt. */
  private static final AtomicInteger OPENED = new AtomicInteger();

  /** Partition p's "gradient" of step s: (p + 1) w + s / 1000, and its BatchNorm-like buffer. */
  private static final BarrierEpoch.Steps<Integer> STEP =
      first -> {
        OPENED.incrementAndGet();
        return new BarrierEpoch.Local() {
          @Override
          public StepResult compute(int step, float[] params, float[] buffers) {
            int p = TaskContext.getPartitionId();
            if (step == FAIL_AT && p == 1 && FAILURES.getAndUpdate(f -> Math.max(0, f - 1)) > 0) {
              throw new IllegalStateException("injected failure at step " + step);
            }
            float[] g = new float[params.length];
            for (int i = 0; i < g.length; i++) {
              g[i] = (p + 1) * params[i] + step / 1000f;
            }
            float[] b = {buffers[0] + p, step};
            return new StepResult(g, p + step, 0, 4, 0, b, 1);
          }

          @Override
          public void close() {}
        };
      };

  /** The weights after STEPS steps of plain SGD over 3 partitions, with `failures` injected. */
  private static Vectors train(int failures, int maxRestarts) {
    FAILURES.set(failures);
    OPENED.set(0);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(TestSpark.get().sparkContext());
    JavaRDD<Integer> parts = jsc.parallelize(List.of(0, 1, 2), 3);
    Vectors v = new Vectors(1000, 2);
    for (int i = 0; i < v.params.length; i++) {
      v.params[i] = (i % 17) / 17f - 0.5f;
    }
    try (BarrierSteps b =
        BarrierSteps.start(
            jsc, parts, STEP, "test-" + System.nanoTime(), "the test stage", 0, v, maxRestarts)) {
      for (int s = 0; s < STEPS; s++) {
        StepResult r = b.next().total();
        for (int i = 0; i < v.params.length; i++) {
          v.params[i] -= 0.05f * r.gradSum()[i] / r.count();
        }
        System.arraycopy(r.bufferMean(), 0, v.buffers, 0, 2);
        b.publish(s + 1, STEPS, v);
      }
    }
    return v;
  }

  @Test
  void aFailedTaskRestartsTheStageFromTheLastCompletedStepWithTheSameBits() {
    Vectors straight = train(0, 2);
    assertEquals(3, OPENED.get());
    Vectors failed = train(2, 2); // two failures in a row at step 7, then it goes through
    // three attempts; the two restarted ones begin at step 7, where partition 1 fails at once,
    // so their other tasks may be stopped before they open
    assertTrue(OPENED.get() >= 5 && OPENED.get() <= 9, OPENED.get() + " tasks opened");
    assertArrayEquals(straight.params, failed.params);
    assertArrayEquals(straight.buffers, failed.buffers);
  }

  /**
   * The state after STEPS steps of SGD under allreduce over 3 partitions, the driver keeping the
   * tasks' state every 4 steps, with `failures` injected at step 7 (restarting from step 4).
   */
  private static StepHub.Weights trainAllReduce(int failures) {
    FAILURES.set(failures);
    OPENED.set(0);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(TestSpark.get().sparkContext());
    JavaRDD<Integer> parts = jsc.parallelize(List.of(0, 1, 2), 3);
    float[] params = new float[1000];
    for (int i = 0; i < params.length; i++) {
      params[i] = (i % 17) / 17f - 0.5f;
    }
    var update =
        new AllReduceEpoch.Update(
            STEPS,
            0,
            4,
            new LrSchedule(Choices.LrSchedule.CONSTANT, 0.05, 0.05, 0, STEPS, STEPS, new int[0], 1),
            new Sgd.Hyper(0.9, 0, 0, false),
            new int[] {0, 1000},
            false);
    StepHub.Weights[] kept = {new StepHub.Weights(0, params, new float[2], null, 0)};
    try (BarrierSteps b =
        BarrierSteps.startAllReduce(
            jsc,
            parts,
            STEP,
            update,
            "test-" + System.nanoTime(),
            "the test stage",
            kept[0],
            2,
            () -> kept[0])) {
      for (int s = 0; s < STEPS; ) {
        StepHub.Report r = b.next();
        if (r.state() != null) {
          kept[0] = r.state();
        }
        s = r.step() + 1;
        b.publish(s, STEPS, null);
      }
    }
    return kept[0];
  }

  @Test
  void anAllReduceStageRestartsFromTheKeptStateWithTheSameBits() {
    StepHub.Weights straight = trainAllReduce(0);
    assertEquals(3, OPENED.get());
    StepHub.Weights failed = trainAllReduce(2);
    assertEquals(9, OPENED.get(), "three attempts of three tasks");
    assertEquals(STEPS, failed.step());
    assertArrayEquals(straight.params(), failed.params());
    assertArrayEquals(straight.buffers(), failed.buffers());
    assertArrayEquals(straight.momentum(), failed.momentum());
    assertEquals(STEPS, failed.optimizerSteps());
  }

  @Test
  void failuresInARowPastMaxRestartsStopWithTheLastFailure() {
    BarrierSteps.StageLostException e =
        assertThrows(BarrierSteps.StageLostException.class, () -> train(100, 1));
    assertTrue(
        e.getMessage()
            .contains(
                "the test stage failed 2 times in a row without"
                    + " completing a step (train.max_restarts=1)"),
        e.getMessage());
    assertTrue(e.getMessage().contains("injected failure at step 7"), e.getMessage());
  }
}

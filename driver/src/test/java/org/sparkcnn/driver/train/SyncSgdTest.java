/*
 * DESIGN.md contract 2: the averaged gradient of a distributed step equals the gradient of the mean
 * loss over the union of the partitions' minibatches, computed here in one process.
 */
package org.sparkcnn.driver.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.junit.jupiter.api.Test;
import org.sparkcnn.data.Block;
import org.sparkcnn.data.cache.TrainingData;
import org.sparkcnn.driver.TestSpark;
import org.sparkcnn.driver.config.JobConfig;
import org.sparkcnn.driver.config.TrainingPlan;
import org.sparkcnn.driver.step.ExecutorStep;
import org.sparkcnn.driver.sync.StepResult;
import org.sparkcnn.engine.LocalStep;
import org.sparkcnn.engine.Model;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Vectors;

class SyncSgdTest {
  @Test
  void averagedGradientEqualsSingleProcessGradientOverTheUnion() {
    JobConfig c =
        JobConfig.resolve(
            Map.of(
                "data.train_size",
                200,
                "data.test_size",
                20,
                "train.batch_size",
                16,
                "train.partitions",
                2),
            "test");
    TrainingPlan plan = TrainingPlan.from(c);
    TrainingData data = TrainingData.prepare(TestSpark.get(), plan.dataSpec(), 2);
    var arch = plan.architecture();
    Vectors v = arch.initialise(plan.init(), Rng.of(7, Trainer.INIT_STREAM));
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(TestSpark.get().sparkContext());
    int epoch = 1;
    int step = 3;

    Broadcast<float[]> w = jsc.broadcast(v.params.clone());
    StepResult r =
        data.train()
            .mapPartitions(
                new ExecutorStep(
                    "sync-test",
                    arch,
                    w,
                    null,
                    data.norm(),
                    plan.augment().train(),
                    plan.loss(),
                    data.batches(),
                    plan.seed(),
                    epoch,
                    step))
            .treeAggregate(StepResult.zero(), StepResult::merge, StepResult::merge, 2);
    w.destroy();
    assertEquals(16, r.count());

    // The same samples, gathered on the driver into one minibatch of 16.
    List<Block> blocks = data.train().collect();
    int size = arch.input().size();
    float[] x = new float[16 * size];
    int[] y = new int[16];
    int at = 0;
    for (Block b : blocks) {
      int n = data.batches().localBatch(b.partition());
      float[] bx = new float[n * size];
      int[] by = new int[n];
      b.gather(b.epochOrder(plan.seed(), epoch), step * n, n, data.norm(), bx, by);
      System.arraycopy(bx, 0, x, at * size, n * size);
      System.arraycopy(by, 0, y, at, n);
      at += n;
    }
    Model single = new Model(arch, v);
    LocalStep.Stats s = new LocalStep().gradient(single, x, y, 16);

    assertEquals(s.lossSum() / 16, r.lossSum() / 16, 1e-5);
    assertEquals(s.correct(), r.correct());
    float max = 0;
    float maxDiff = 0;
    for (int i = 0; i < v.grads.length; i++) {
      float expected = v.grads[i] / 16;
      float actual = r.gradSum()[i] / 16;
      max = Math.max(max, Math.abs(expected));
      maxDiff = Math.max(maxDiff, Math.abs(expected - actual));
    }
    assertTrue(max > 0, "the gradient must not be all zero");
    assertTrue(
        maxDiff <= 1e-5f * Math.max(1f, max),
        "max difference " + maxDiff + " against max magnitude " + max);
  }
}

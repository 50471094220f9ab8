/*
 * DESIGN.md contract 1 for non-trainable state: after a distributed step, the driver's BatchNorm
 * running statistics are the mean over partitions of what each partition's minibatch made of the
 * broadcast statistics, computed here one partition at a time in a single process.
 */
package org.sparkcnn.driver.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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

class BufferAveragingTest {
  @TempDir Path dir;

  @Test
  void runningStatisticsAreAveragedOverPartitions() throws Exception {
    Path model = dir.resolve("bn.yaml");
    Files.writeString(
        model,
        String.join(
            "\n",
            "layers:",
            "  - conv2d: {out: 4, kernel: 3, stride: 2}",
            "  - batch_norm2d",
            "  - relu",
            "  - flatten",
            "  - linear: {out: $classes}",
            ""));
    JobConfig c =
        JobConfig.resolve(
            Map.of(
                "data.train_size",
                120,
                "data.test_size",
                20,
                "train.batch_size",
                12,
                "train.partitions",
                2,
                "model.file",
                model.toString()),
            "test");
    TrainingPlan plan = TrainingPlan.from(c);
    TrainingData data = TrainingData.prepare(TestSpark.get(), plan.dataSpec(), 2);
    var arch = plan.architecture();
    Vectors v = arch.initialise(plan.init(), Rng.of(3, Trainer.INIT_STREAM));
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(TestSpark.get().sparkContext());

    JobStep.Published w = JobStep.Published.of(jsc, v);
    StepResult r =
        data.train()
            .mapPartitions(
                new ExecutorStep(
                    "buffers-test",
                    arch,
                    w.params(),
                    w.buffers(),
                    data.norm(),
                    plan.augment().train(),
                    plan.loss(),
                    data.batches(),
                    plan.seed(),
                    1,
                    2))
            .treeAggregate(StepResult.zero(), StepResult::merge, StepResult::merge, 2);
    w.destroy();
    float[] averaged = r.bufferMean();
    assertEquals(2, r.partitions);

    float[] expected = new float[v.buffers.length];
    int size = arch.input().size();
    for (Block b : data.train().collect()) {
      int n = data.batches().localBatch(b.partition());
      float[] x = new float[n * size];
      int[] y = new int[n];
      b.gather(b.epochOrder(plan.seed(), 1), 2 * n, n, data.norm(), x, y);
      Vectors local = new Vectors(v.params.length, v.buffers.length);
      System.arraycopy(v.params, 0, local.params, 0, v.params.length);
      System.arraycopy(v.buffers, 0, local.buffers, 0, v.buffers.length);
      new LocalStep().gradient(new Model(arch, local), x, y, n);
      for (int i = 0; i < expected.length; i++) {
        expected[i] += local.buffers[i] / 2;
      }
    }
    assertNotEquals(v.buffers[0], averaged[0], "the running mean must move");
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], averaged[i], 1e-6f, "buffer " + i);
    }
  }
}

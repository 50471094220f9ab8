/*
 * Gradient accumulation: k local minibatches of B/P samples per step train the model that one
 * minibatch of kB does (the same samples, the same averaged gradient), up to float rounding:
 * the k partial sums are added in another order than one batch's.
 */
package org.sparkcnn.driver.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.driver.TestSpark;
import org.sparkcnn.driver.config.JobConfig;
import org.sparkcnn.driver.config.TrainingPlan;
import org.sparkcnn.driver.persist.RunFolder;

class AccumulationTest {
  @TempDir Path dir;

  private Trainer.Result train(String name, int batch, int accumulate) throws Exception {
    Map<String, Object> k =
        new HashMap<>(
            Map.of(
                "data.train_size",
                256,
                "data.test_size",
                64,
                "train.batch_size",
                batch,
                "train.accumulate_steps",
                accumulate,
                "train.partitions",
                2,
                "train.epochs",
                1,
                "optim.lr",
                0.05));
    JobConfig c = JobConfig.resolve(k, "test");
    return new Trainer(TrainingPlan.from(c), RunFolder.create(dir.resolve(name), c))
        .run(TestSpark.get());
  }

  @Test
  void twoAccumulatedMinibatchesTrainWhatOneTwiceAsLargeDoes() throws Exception {
    Trainer.Result big = train("big", 32, 1);
    Trainer.Result accumulated = train("accumulated", 16, 2);
    float[] a = big.model().params();
    float[] b = accumulated.model().params();
    float max = 0;
    float maxDiff = 0;
    float moved = 0; // how far training moved the weights, so that the check means something
    Trainer.Result other = train("other", 16, 1); // 16 steps of 16: a different model
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i]));
      maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
      moved = Math.max(moved, Math.abs(a[i] - other.model().params()[i]));
    }
    assertTrue(maxDiff <= 1e-5f * max, "max difference " + maxDiff + " against max weight " + max);
    assertTrue(moved > 100 * maxDiff, "a plain batch of 16 differs by " + moved);
    assertEquals(big.testAccuracy(), accumulated.testAccuracy(), 1.0 / 64);
  }
}

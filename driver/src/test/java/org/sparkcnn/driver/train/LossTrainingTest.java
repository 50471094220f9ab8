/*
 * The configurable losses through the distributed trainer: mean squared error (with Xavier init)
 * and cross-entropy with label smoothing both learn the shapes data well above chance (0.1) in a
 * short run.
 */
package org.sparkcnn.driver.train;

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

class LossTrainingTest {
  @TempDir Path dir;

  private double accuracy(String run, Map<String, Object> extra) throws Exception {
    Map<String, Object> keys =
        new HashMap<>(
            Map.of(
                "data.train_size",
                2000,
                "data.test_size",
                400,
                "train.epochs",
                2,
                "train.partitions",
                2));
    keys.putAll(extra);
    JobConfig c = JobConfig.resolve(keys, "test");
    return new Trainer(TrainingPlan.from(c), RunFolder.create(dir.resolve(run), c))
        .run(TestSpark.get())
        .testAccuracy();
  }

  @Test
  void meanSquaredErrorLearns() throws Exception {
    double acc =
        accuracy("mse", Map.of("train.loss", "mse", "model.init", "xavier", "optim.lr", 0.05));
    assertTrue(acc > 0.3, "test accuracy " + acc);
  }

  @Test
  void labelSmoothingLearns() throws Exception {
    double acc = accuracy("ls", Map.of("train.label_smoothing", 0.1));
    assertTrue(acc > 0.2, "test accuracy " + acc);
  }
}

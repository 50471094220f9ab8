/*
 * The shipped conf/fashion-lenet5.yaml, smoke-sized: the config parses as it is (augmentation,
 * cosine schedule with warm-up) and, on a 4,000-image subset of Fashion-MNIST from ../shared for 2
 * epochs instead of 15, LeNet-5 with its augmentation learns well past chance on 1,000 test
 * images. The full run (all 60,000 images, 15 epochs, aimed at 90%) is the CLI's, not a test's.
 */
package org.sparkcnn.driver.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.driver.TestSpark;
import org.sparkcnn.driver.config.JobConfig;
import org.sparkcnn.driver.config.Keys;
import org.sparkcnn.driver.config.TrainingPlan;
import org.sparkcnn.driver.persist.RunFolder;
import org.sparkcnn.engine.SharedData;

class FashionMnistTrainingTest {
  @TempDir Path dir;

  @Test
  void theShippedConfigLearnsAFashionMnistSubset() throws Exception {
    Path datasets = SharedData.root().resolve("datasets");
    Path config = Path.of(System.getProperty("sparkcnn.root"), "conf", "fashion-lenet5.yaml");
    JobConfig c =
        JobConfig.load(
            config,
            List.of(
                "data.dir=" + datasets,
                "data.train_size=4000",
                "data.test_size=1000",
                "train.epochs=2",
                "train.partitions=2"));
    assertEquals("fashion-mnist", c.get(Keys.DATA_SOURCE));
    assertEquals(2, c.get(Keys.DATA_AUGMENT).size());
    TrainingPlan plan = TrainingPlan.from(c);
    Trainer.Result r =
        new Trainer(plan, RunFolder.create(dir.resolve("run"), c)).run(TestSpark.get());
    assertEquals(2, r.epochs());
    assertTrue(r.testAccuracy() >= 0.7, "test accuracy " + r.testAccuracy());
  }
}

/*
 * LeNet-5 learns real MNIST through the whole distributed path (IDX files read with Spark's
 * binaryFile source, partition blocks, synchronous SGD on local[2], distributed evaluation): two
 * epochs over an 8,000-image subset must reach 94% test accuracy on 2,000 test images.
 */
package org.sparkcnn.driver.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.driver.TestSpark;
import org.sparkcnn.driver.config.JobConfig;
import org.sparkcnn.driver.config.TrainingPlan;
import org.sparkcnn.driver.persist.RunFolder;
import org.sparkcnn.engine.SharedData;

class MnistTrainingTest {
  @TempDir Path dir;

  @Test
  void lenetLearnsAnMnistSubsetInTwoEpochs() throws Exception {
    Path datasets = SharedData.root().resolve("datasets");
    JobConfig c =
        JobConfig.resolve(
            Map.of(
                "data.source",
                "mnist",
                "data.dir",
                datasets.toString(),
                "data.train_size",
                8000,
                "data.test_size",
                2000,
                "train.epochs",
                2,
                "train.partitions",
                2,
                "optim.lr",
                0.01),
            "test");
    TrainingPlan plan = TrainingPlan.from(c);
    Trainer.Result r =
        new Trainer(plan, RunFolder.create(dir.resolve("run"), c)).run(TestSpark.get());
    assertEquals(2, r.epochs());
    assertTrue(r.testAccuracy() >= 0.94, "test accuracy " + r.testAccuracy());
  }
}

/*
 * The two doors into the trainer give the same model: 2,000 MNIST samples trained one epoch by
 * `train`'s Trainer (data.source: mnist) and by CnnClassifier.fit on the same samples as an ML
 * vector DataFrame, in the same order, with the same seed and partitions, end with the very same
 * parameter and buffer bits.
 */
package org.sparkcnn.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.data.Split;
import org.sparkcnn.driver.TestSpark;
import org.sparkcnn.driver.config.JobConfig;
import org.sparkcnn.driver.config.TrainingPlan;
import org.sparkcnn.driver.persist.RunFolder;
import org.sparkcnn.driver.train.Trainer;
import org.sparkcnn.engine.SharedData;

class DoorParityTest {
  @TempDir Path dir;

  @Test
  void cnnClassifierTrainsTheBitsOfTrain() throws Exception {
    var spark = TestSpark.get();
    JobConfig c =
        JobConfig.resolve(
            Map.of(
                "data.source",
                "mnist",
                "data.dir",
                SharedData.root().resolve("datasets").toString(),
                "data.train_size",
                2000,
                "data.test_size",
                200,
                "train.epochs",
                1,
                "train.partitions",
                2,
                "train.seed",
                7),
            "test");
    Trainer.Result viaTrain =
        new Trainer(TrainingPlan.from(c), RunFolder.create(dir.resolve("run"), c)).run(spark);

    CnnClassificationModel viaMl =
        new CnnClassifier()
            .setMaxEpochs(1)
            .setNumPartitions(2)
            .setSeed(7)
            .setInputShape(1, 28, 28)
            .fit(MlData.mnist(spark, Split.TRAIN, 2000));

    assertEquals(viaTrain.model().params().length, viaMl.contents().params().length);
    assertArrayEquals(viaTrain.model().params(), viaMl.contents().params());
    assertArrayEquals(viaTrain.model().buffers(), viaMl.contents().buffers());
    assertEquals(1, viaMl.summary().totalEpochs());
    assertEquals(10, viaMl.numClasses());
  }
}

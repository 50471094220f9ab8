/*
 * The ants and bees folder set of ../shared/datasets (hymenoptera_data: JPEG photos of any size,
 * a GIF placeholder, a file name with a space) through data.source folder: every file of both
 * splits is decoded on the executors (245 training and 153 test images, classes ants and bees),
 * and a short distributed run trains on them end to end. 245 photos are too few for a network
 * trained from scratch to beat chance by much, so the run checks completion, not accuracy.
 */
package org.sparkcnn.driver.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.data.FolderSource;
import org.sparkcnn.data.Split;
import org.sparkcnn.driver.TestSpark;
import org.sparkcnn.driver.config.JobConfig;
import org.sparkcnn.driver.config.TrainingPlan;
import org.sparkcnn.driver.persist.RunFolder;
import org.sparkcnn.engine.SharedData;

class FolderTrainingTest {
  @TempDir Path dir;

  @Test
  void antsAndBeesDecodeAndTrain() throws Exception {
    Path root = SharedData.root().resolve("datasets/hymenoptera_data");
    FolderSource s = new FolderSource(root.toString(), 32, 0, 0);
    s.check();
    assertEquals(java.util.List.of("ants", "bees"), s.classNames());
    assertEquals(245, s.load(TestSpark.get(), Split.TRAIN).count());
    assertEquals(153, s.load(TestSpark.get(), Split.TEST).count());

    JobConfig c =
        JobConfig.resolve(
            Map.of(
                "data.source",
                "folder",
                "data.dir",
                root.toString(),
                "data.image_size",
                32,
                "train.epochs",
                1,
                "train.batch_size",
                16,
                "train.partitions",
                2),
            "test");
    Trainer.Result r =
        new Trainer(TrainingPlan.from(c), RunFolder.create(dir.resolve("run"), c))
            .run(TestSpark.get());
    assertEquals(1, r.epochs());
    assertTrue(r.testAccuracy() > 0 && r.testAccuracy() < 1, "accuracy " + r.testAccuracy());
  }
}

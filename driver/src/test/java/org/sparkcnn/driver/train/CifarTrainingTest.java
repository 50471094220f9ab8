/*
 * Training from CIFAR-10-format files through the whole distributed path (binaryFile, decoding on
 * an executor, partition blocks, synchronous SGD on local[2]). CIFAR itself is not in
 * ../shared/datasets, so the test writes the six files in the exact published record format
 * (label byte, then the red, green and blue 32x32 planes) from the generated shapes, whose classes
 * a small network learns in a few epochs; LeNet-5 must reach 70% on the test file.
 */
package org.sparkcnn.driver.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.data.ShapesGenerator;
import org.sparkcnn.driver.TestSpark;
import org.sparkcnn.driver.config.JobConfig;
import org.sparkcnn.driver.config.TrainingPlan;
import org.sparkcnn.driver.persist.RunFolder;

class CifarTrainingTest {
  @TempDir Path dir;

  /** records shapes from id first on, in CIFAR-10's binary record format. */
  private static void write(Path file, long first, int records) throws Exception {
    int size = 1 + 3 * 32 * 32;
    byte[] b = new byte[records * size];
    for (int r = 0; r < records; r++) {
      b[r * size] = (byte) ShapesGenerator.label(7, first + r);
      byte[] px = ShapesGenerator.render(7, first + r);
      System.arraycopy(px, 0, b, r * size + 1, px.length);
    }
    Files.write(file, b);
  }

  @Test
  void lenetLearnsFromCifarFormatFiles() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("data/cifar-10-batches-bin"));
    for (int i = 1; i <= 5; i++) {
      write(folder.resolve("data_batch_" + i + ".bin"), (i - 1) * 600L, 600);
    }
    write(folder.resolve("test_batch.bin"), 100_000L, 500);
    JobConfig c =
        JobConfig.resolve(
            Map.of(
                "data.source",
                "cifar10",
                "data.dir",
                dir.resolve("data").toString(),
                "train.epochs",
                3,
                "train.batch_size",
                32,
                "train.partitions",
                2,
                "optim.lr",
                0.01),
            "test");
    Trainer.Result r =
        new Trainer(TrainingPlan.from(c), RunFolder.create(dir.resolve("run"), c))
            .run(TestSpark.get());
    assertTrue(r.testAccuracy() >= 0.7, "test accuracy " + r.testAccuracy());
  }
}

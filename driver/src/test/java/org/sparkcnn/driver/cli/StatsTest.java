/*
 * The stats command's computation on a CIFAR-10-format dataset with known values (red always
 * 255, green always 0, blue 0 or 255 on alternate pixels): mean [1, 0, 0.5], standard deviation
 * [0.001 (the floor), 0.001, 0.5]; and a missing data folder stops the command before Spark.
 */
package org.sparkcnn.driver.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.data.ChannelStats;
import org.sparkcnn.data.CifarSource;
import org.sparkcnn.driver.Main;
import org.sparkcnn.driver.TestSpark;

class StatsTest {
  @TempDir Path dir;

  @Test
  void knownChannelStatistics() throws Exception {
    Path f = Files.createDirectories(dir.resolve("cifar-10-batches-bin"));
    int size = 1 + 3072;
    for (String name :
        new String[] {
          "data_batch_1",
          "data_batch_2",
          "data_batch_3",
          "data_batch_4",
          "data_batch_5",
          "test_batch"
        }) {
      byte[] b = new byte[4 * size];
      for (int r = 0; r < 4; r++) {
        for (int i = 0; i < 1024; i++) {
          b[r * size + 1 + i] = (byte) 255;
          b[r * size + 1 + 2048 + i] = (byte) (i % 2 == 0 ? 255 : 0);
        }
      }
      Files.write(f.resolve(name + ".bin"), b);
    }
    ChannelStats.Result r =
        Stats.compute(TestSpark.get(), new CifarSource(dir.toString(), "cifar10", 0, 0));
    assertEquals(20, r.samples());
    assertArrayEquals(new float[] {1f, 0f, 0.5f}, r.normalizer().mean(), 1e-6f);
    assertArrayEquals(new float[] {1e-3f, 1e-3f, 0.5f}, r.normalizer().std(), 1e-6f);
  }

  @Test
  void missingDataFailsBeforeSpark() throws Exception {
    Path job = Files.writeString(dir.resolve("job.yaml"), "data:\n  source: cifar10\n");
    var err = new java.io.ByteArrayOutputStream();
    var old = System.err;
    System.setErr(new java.io.PrintStream(err, true));
    try {
      assertEquals(
          Main.EXIT_BAD_INPUT,
          Main.run("stats", job.toString(), "--data-dir", dir.resolve("nothing").toString()));
    } finally {
      System.setErr(old);
    }
    assertTrue(err.toString().contains("data_batch_1.bin does not exist"), err.toString());
  }
}

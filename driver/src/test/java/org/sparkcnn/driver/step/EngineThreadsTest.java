/*
 * engine.threads through the distributed trainer: the same run on 1 and on 2 compute threads per
 * task writes the same model file, bit for bit (the kernels split outputs, never sums), and the
 * key's automatic choice gives each local task the cores left over by the partitions.
 */
package org.sparkcnn.driver.step;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.driver.TestSpark;
import org.sparkcnn.driver.config.JobConfig;
import org.sparkcnn.driver.config.TrainingPlan;
import org.sparkcnn.driver.persist.RunFolder;
import org.sparkcnn.driver.train.Trainer;
import org.sparkcnn.engine.kernels.Parallel;

class EngineThreadsTest {
  @TempDir Path dir;

  private byte[] train(String name, int threads) throws Exception {
    Files.writeString(
        dir.resolve("net.yaml"),
        String.join(
            "\n",
            "layers:",
            "  - conv2d: {out: 6, kernel: 3, padding: 1}",
            "  - batch_norm2d",
            "  - relu",
            "  - max_pool2d: {kernel: 2}",
            "  - conv2d: {out: 8, kernel: 3}",
            "  - relu",
            "  - flatten",
            "  - linear: {out: $classes}",
            ""));
    JobConfig c =
        JobConfig.resolve(
            Map.of(
                "data.train_size",
                256,
                "data.test_size",
                64,
                "train.batch_size",
                32,
                "train.partitions",
                2,
                "train.epochs",
                1,
                "engine.threads",
                threads,
                "model.file",
                dir.resolve("net.yaml").toString()),
            "test");
    Path run = dir.resolve(name);
    new Trainer(TrainingPlan.from(c), RunFolder.create(run, c)).run(TestSpark.get());
    return Files.readAllBytes(run.resolve(RunFolder.MODEL));
  }

  @Test
  void threadsDoNotChangeTheModel() throws Exception {
    try {
      byte[] one = train("one", 1);
      byte[] two = train("two", 2);
      assertEquals(2, Parallel.threads(), "the local executor ran with engine.threads");
      assertArrayEquals(one, two);
    } finally {
      Parallel.setThreads(1);
    }
  }

  @Test
  void automaticThreadsShareTheLocalCores() {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(TestSpark.get().sparkContext());
    int cores = jsc.defaultParallelism();
    assertEquals(cores, Trainer.autoThreads(jsc, 1));
    assertEquals(1, Trainer.autoThreads(jsc, cores));
    assertEquals(1, Trainer.autoThreads(jsc, 4 * cores));
  }
}

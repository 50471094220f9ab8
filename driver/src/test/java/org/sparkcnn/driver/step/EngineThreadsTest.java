/*
 * The engine.* keys through the distributed trainer: the same run on 1 and on 2 compute threads
 * per task writes the same model file, bit for bit (the kernels split outputs, never sums), the
 * second on the executor's pool of 2; so does a run with engine.fuse_relu off; the key's automatic
 * choice gives each local task the cores left over by the partitions; and the options travel to
 * the tasks intact.
 */
package org.sparkcnn.driver.step;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.driver.TestSpark;
import org.sparkcnn.driver.config.JobConfig;
import org.sparkcnn.driver.config.TrainingPlan;
import org.sparkcnn.driver.persist.RunFolder;
import org.sparkcnn.driver.train.Trainer;
import org.sparkcnn.engine.EngineOptions;
import org.sparkcnn.engine.kernels.Parallel;

class EngineThreadsTest {
  @TempDir Path dir;

  private byte[] train(String name, int threads) throws Exception {
    return train(name, Map.of("engine.threads", threads));
  }

  private byte[] train(String name, Map<String, Object> engine) throws Exception {
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
    Map<String, Object> keys = new HashMap<>(engine);
    keys.putAll(
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
            "model.file",
            dir.resolve("net.yaml").toString()));
    JobConfig c = JobConfig.resolve(keys, "test");
    Path run = dir.resolve(name);
    new Trainer(TrainingPlan.from(c), RunFolder.create(run, c)).run(TestSpark.get());
    return Files.readAllBytes(run.resolve(RunFolder.MODEL));
  }

  @Test
  void threadsDoNotChangeTheModel() throws Exception {
    byte[] one = train("one", 1);
    long before = poolCpuNanos();
    byte[] two = train("two", 2);
    assertTrue(poolCpuNanos() > before, "the pool of 2 threads computed for engine.threads: 2");
    assertArrayEquals(one, two);
  }

  @Test
  void fusedReLUsDoNotChangeTheModel() throws Exception {
    assertArrayEquals(
        train("fused", Map.of("engine.threads", 1)),
        train("apart", Map.of("engine.threads", 1, "engine.fuse_relu", false)));
  }

  @Test
  void optionsReachTheTasksIntact() {
    EngineOptions o =
        TrainingPlan.engine(
            JobConfig.resolve(
                Map.of(
                    "engine.gemm",
                    "scalar",
                    "engine.conv",
                    "lowered",
                    "engine.conv_chunk_kib",
                    512,
                    "engine.fuse_relu",
                    false),
                "test"),
            3);
    assertEquals(
        new EngineOptions(
            3, EngineOptions.GemmKernel.SCALAR, EngineOptions.ConvPaths.LOWERED, 512 << 10, false),
        o);
    assertEquals(o, Replicas.decode(Replicas.encode(o)));
    assertEquals(EngineOptions.DEFAULT, Replicas.decode(null));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Replicas.decode("2,VECTOR"));
    assertTrue(e.getMessage().contains("expected threads,gemm,conv,bytes,fuse"), e.getMessage());
  }

  /** CPU time so far of the JVM's pool of 2 compute threads (its one pool thread). */
  private static long poolCpuNanos() {
    return ManagementFactory.getThreadMXBean().getThreadCpuTime(Parallel.of(2).poolThreadIds()[0]);
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

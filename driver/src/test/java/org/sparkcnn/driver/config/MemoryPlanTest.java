/*
 * MemoryPlan: the estimate of the quickstart counted by hand, and the check's refusals in local
 * mode and on a cluster, each naming the setting to raise.
 */
package org.sparkcnn.driver.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparkcnn.engine.Footprint;

class MemoryPlanTest {
  private static final long MIB = 1 << 20;

  private static TrainingPlan quickstart(String... overrides) {
    return TrainingPlan.from(
        JobConfig.load(
            Path.of(System.getProperty("sparkcnn.root"), "conf", "quickstart.yaml"),
            List.of(overrides)));
  }

  @Test
  void theQuickstartCountedByHand() {
    TrainingPlan plan = quickstart();
    MemoryPlan m = MemoryPlan.of(plan, 2, true); // local[2]: 2 partitions of 32 samples at once
    assertEquals(300 * MIB, m.spark());
    assertEquals((8000L + 2000) * 3 * 32 * 32, m.data()); // pixels, a byte each
    long params = 4L * plan.architecture().paramCount();
    assertEquals(4 * params, m.model()); // weights, gradient, momentum, broadcast copy
    assertEquals(2, m.replicas());
    assertEquals(32, m.replicaBatch());
    Footprint f = Footprint.of(plan.architecture(), 32, true);
    // evaluation runs at the training minibatch by default, so it adds nothing
    long training = f.gradBytes() + f.inputBytes() + f.activationBytes();
    assertEquals(training, m.replica());
    assertEquals(m.spark() + m.data() + m.model() + 2 * m.replica(), m.total());
    MemoryPlan.check(plan, "local[2]", m.total(), "1g", 0); // fits exactly
    // eval.batch_size 256: 256 of the 1,000 test images of a task at a time, 224 more
    assertEquals(32, plan.evalBatch(32));
    TrainingPlan plan256 = quickstart("eval.batch_size=256");
    assertEquals(256, plan256.evalBatch(32));
    MemoryPlan at256 = MemoryPlan.of(plan256, 2, true);
    long evalMore = 4L * 224 * (Footprint.inferenceFloats(plan.architecture()) + 3 * 32 * 32);
    assertEquals(training + evalMore, at256.replica());
  }

  @Test
  void aJobLargerThanTheHeapIsRefusedNamingTheSetting() {
    TrainingPlan plan = quickstart();
    var e =
        assertThrows(
            JobConfig.ConfigException.class,
            () -> MemoryPlan.check(plan, "local[2]", 320 * MIB, "1g", 0));
    assertTrue(
        e.getMessage()
            .matches(
                "the job needs about [345]\\d\\d MiB of heap \\(Spark 300 MiB,"
                    + " data 29 MiB, model 25 MiB, 2 replicas at 32 samples \\d+ MiB each\\), more than the"
                    + " 320 MiB heap this JVM may use; raise SPARKCNN_DRIVER_MEMORY \\(deploy/sparkcnn\\) or"
                    + " spark.driver.memory \\(spark-submit\\), or lower train.batch_size or"
                    + " eval.batch_size"),
        e.getMessage());
  }

  @Test
  void onAClusterTheDriverAndEachExecutorAreChecked() {
    TrainingPlan plan = quickstart("train.partitions=4");
    MemoryPlan.check(plan, "spark://h:7077", 512 * MIB, "512m", 0);
    var driver =
        assertThrows(
            JobConfig.ConfigException.class,
            () -> MemoryPlan.check(plan, "spark://h:7077", 310 * MIB, "512m", 0));
    assertTrue(
        driver.getMessage().endsWith("raise spark.driver.memory (--driver-memory)"),
        driver.getMessage());
    var executor =
        assertThrows(
            JobConfig.ConfigException.class,
            () -> MemoryPlan.check(plan, "spark://h:7077", 512 * MIB, "310m", 0));
    assertTrue(
        executor.getMessage().contains("a replica at 16 samples")
            && executor.getMessage().endsWith("raise spark.executor.memory (--executor-memory)"),
        executor.getMessage());
  }

  @Test
  void localMastersCores() {
    assertEquals(1, MemoryPlan.localCores("local"));
    assertEquals(3, MemoryPlan.localCores("local[3]"));
    assertEquals(4, MemoryPlan.localCores("local[4, 2]"));
    assertEquals(Runtime.getRuntime().availableProcessors(), MemoryPlan.localCores("local[*]"));
  }
}

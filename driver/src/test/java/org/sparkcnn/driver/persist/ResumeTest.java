/*
 * Determinism and resume, end to end on a small model with BatchNorm and momentum (so that
 * weights, buffers and optimizer state all have to come back): the same config and partition
 * count write byte-identical model files, with a barrier stage per epoch (the driver or the tasks
 * adding) or a job per step, and every mode the same ones; a run stopped after epoch 1 and
 * resumed, or resumed mid-epoch from a step checkpoint behind a damaged newest one, ends with the
 * same model file, bit for bit, as a run that never stopped; and bad --resume inputs fail before
 * Spark, losing nothing.
 */
package org.sparkcnn.driver.persist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparkcnn.driver.MainTest;
import org.sparkcnn.driver.TestSpark;
import org.sparkcnn.driver.config.JobConfig;
import org.sparkcnn.driver.config.TrainingPlan;
import org.sparkcnn.driver.train.Trainer;

public class ResumeTest {
  @TempDir static Path shared;
  @TempDir Path dir;

  /** 2 epochs of 8 steps on 3 partitions, a checkpoint every 3 steps: the reference run. */
  private static Path straight;

  private static byte[] straightModel;
  private static List<String> straightMetrics;

  private static Map<String, Object> keys(int partitions, int epochs) {
    Map<String, Object> k =
        new HashMap<>(
            Map.of(
                "data.train_size",
                192,
                "data.test_size",
                48,
                "train.batch_size",
                24,
                "train.partitions",
                partitions,
                "train.epochs",
                epochs,
                "optim.lr",
                0.05,
                "train.checkpoint_every_steps",
                3,
                "model.file",
                shared.resolve("bn.yaml").toString()));
    return k;
  }

  /** Trains the config of keys into a new run folder. */
  public static Path train(Path run, Map<String, Object> keys) throws Exception {
    JobConfig c = JobConfig.resolve(keys, "test");
    new Trainer(TrainingPlan.from(c), RunFolder.create(run, c)).run(TestSpark.get());
    return run;
  }

  @BeforeAll
  static void trainTheReferenceRun() throws Exception {
    Files.writeString(
        shared.resolve("bn.yaml"),
        String.join(
            "\n",
            "layers:",
            "  - conv2d: {out: 4, kernel: 3, stride: 2}",
            "  - batch_norm2d",
            "  - relu",
            "  - flatten",
            "  - linear: {out: $classes}",
            ""));
    straight = train(shared.resolve("straight"), keys(3, 2));
    straightModel = Files.readAllBytes(straight.resolve(RunFolder.MODEL));
    straightMetrics = Files.readAllLines(straight.resolve(RunFolder.METRICS));
  }

  private static JsonNode json(String line) throws IOException {
    return new ObjectMapper().readTree(line);
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Files.copy(p, to.resolve(from.relativize(p).toString()));
      }
    }
  }

  /** The trained part of the epoch lines: what a resumed run must reproduce exactly. */
  private static void assertSameEpoch(String expected, String actual) throws IOException {
    for (String k :
        List.of(
            "epoch",
            "step",
            "train_loss",
            "train_accuracy",
            "test_loss",
            "test_accuracy",
            "skipped_steps")) {
      assertEquals(json(expected).get(k), json(actual).get(k), k);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"barrier/tree", "barrier/allreduce", "jobs/tree", "jobs/sharded"})
  void theSameConfigAndPartitionCountWriteIdenticalModelFiles(String mode) throws Exception {
    Map<String, Object> k = keys(4, 1);
    k.put("train.execution", mode.split("/")[0]);
    k.put("train.aggregation", mode.split("/")[1]);
    Path a = train(dir.resolve("a"), k);
    Path b = train(dir.resolve("b"), k);
    assertArrayEquals(
        Files.readAllBytes(a.resolve(RunFolder.MODEL)),
        Files.readAllBytes(b.resolve(RunFolder.MODEL)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"jobs/tree", "jobs/sharded", "barrier/allreduce"})
  void everyModeWritesTheReferenceModelFileBitForBit(String mode) throws Exception {
    // the reference run is a barrier stage per epoch, the driver adding; 3 partitions: every
    // mode adds every element in partition order. Under allreduce the tasks update, and the
    // driver keeps their state every 3 steps for the checkpoints
    Map<String, Object> k = keys(3, 2);
    k.put("train.execution", mode.split("/")[0]);
    k.put("train.aggregation", mode.split("/")[1]);
    Path run = train(dir.resolve("run"), k);
    assertArrayEquals(straightModel, Files.readAllBytes(run.resolve(RunFolder.MODEL)));
    List<String> metrics = Files.readAllLines(run.resolve(RunFolder.METRICS));
    for (int e = 0; e < 2; e++) {
      assertSameEpoch(straightMetrics.get(e), metrics.get(e));
    }
    try (Stream<Path> ckpts = Files.list(run.resolve(Checkpoints.DEFAULT_DIR))) {
      assertEquals(
          List.of("step-000000015.ckpt", "step-000000016.ckpt"),
          ckpts.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }

  @Test
  void stoppingAfterEpochOneAndResumingMatchesAnUninterruptedRun() throws Exception {
    Path one = train(dir.resolve("one"), keys(3, 1));
    MainTest.Outcome o =
        MainTest.cli(
            "train", "--resume", one.toString(), "--set", "train.epochs=2", "--master", "local[4]");
    assertEquals(0, o.status(), o.err());
    assertTrue(o.out().contains("with changed keys: key 'train.epochs': 1 -> 2"), o.out());
    assertTrue(o.out().strip().endsWith("run_dir=" + one), o.out());
    assertArrayEquals(straightModel, Files.readAllBytes(one.resolve(RunFolder.MODEL)));
    List<String> metrics = Files.readAllLines(one.resolve(RunFolder.METRICS));
    assertEquals(2, metrics.size());
    assertSameEpoch(straightMetrics.get(1), metrics.get(1));
    assertTrue(Files.readString(one.resolve(RunFolder.CONFIG)).contains("epochs: 2"));
  }

  @Test
  void aDamagedNewestCheckpointFallsBackAndAMidEpochResumeMatches() throws Exception {
    Path run = dir.resolve("copy");
    copy(straight, run);
    Path ckpts = run.resolve(Checkpoints.DEFAULT_DIR);
    try (Stream<Path> s = Files.list(ckpts)) {
      assertEquals(
          List.of("step-000000015.ckpt", "step-000000016.ckpt"),
          s.map(p -> p.getFileName().toString()).sorted().toList());
    }
    Path newest = ckpts.resolve("step-000000016.ckpt");
    byte[] bytes = Files.readAllBytes(newest);
    Files.write(newest, java.util.Arrays.copyOf(bytes, bytes.length - 100)); // cut short
    Files.delete(run.resolve(RunFolder.MODEL));

    MainTest.Outcome o = MainTest.cli("train", "--resume", run.toString(), "--master", "local[4]");
    assertEquals(0, o.status(), o.err());
    assertTrue(
        o.err().contains("warning: checkpoint file:" + newest + " is unusable")
            && o.err().contains("falling back"),
        o.err());
    assertTrue(o.out().contains("resuming at epoch 2 step 8/8 (global step 16)"), o.out());
    assertArrayEquals(straightModel, Files.readAllBytes(run.resolve(RunFolder.MODEL)));
    List<String> metrics = Files.readAllLines(run.resolve(RunFolder.METRICS));
    assertEquals(2, metrics.size());
    assertSameEpoch(straightMetrics.get(1), metrics.get(1));
    assertEquals(
        List.of(straightMetrics.get(1)),
        Files.readAllLines(run.resolve(RunFolder.SUPERSEDED)),
        "the redone epoch's old line");
  }

  private static MainTest.Outcome failsBeforeSpark(String... args) {
    var before = SparkSession.getDefaultSession();
    MainTest.Outcome o = MainTest.cli(args);
    assertEquals(2, o.status(), o.err());
    assertEquals(before, SparkSession.getDefaultSession(), "no Spark session may start");
    assertTrue(o.err().startsWith("sparkcnn: "), o.err());
    return o;
  }

  @Test
  void badResumeInputsFailBeforeSparkAndLoseNothing() throws Exception {
    byte[] config = Files.readAllBytes(straight.resolve(RunFolder.CONFIG));
    String missing = failsBeforeSpark("train", "--resume", dir.resolve("nope").toString()).err();
    assertTrue(missing.contains("nope: no such folder"), missing);

    Path bare = Files.createDirectories(dir.resolve("bare"));
    Files.write(bare.resolve(RunFolder.CONFIG), config);
    String none = failsBeforeSpark("train", "--resume", bare.toString()).err();
    assertTrue(none.contains("no checkpoint in") && none.contains(bare.toString()), none);

    String seed =
        failsBeforeSpark(
                "train",
                "--resume",
                straight.toString(),
                "--set",
                "train.seed=7",
                "--set",
                "train.epochs=3")
            .err();
    assertTrue(
        seed.contains(
            "key 'train.seed': the checkpoint was trained with 42, the config" + " asks for 7"),
        seed);

    String done = failsBeforeSpark("train", "--resume", straight.toString()).err();
    assertTrue(done.contains("nothing is left to train") && done.contains("train.epochs=3"), done);

    String both =
        failsBeforeSpark("train", "conf/quickstart.yaml", "--resume", straight.toString()).err();
    assertTrue(both.contains("give no CONFIG and no --run-dir"), both);

    assertArrayEquals(straightModel, Files.readAllBytes(straight.resolve(RunFolder.MODEL)));
    assertArrayEquals(config, Files.readAllBytes(straight.resolve(RunFolder.CONFIG)));
    assertEquals(straightMetrics, Files.readAllLines(straight.resolve(RunFolder.METRICS)));
    assertFalse(Files.exists(straight.resolve(RunFolder.SUPERSEDED)));
  }
}

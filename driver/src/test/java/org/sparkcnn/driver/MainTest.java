/*
 * The command line as a user meets it: bad input fails before Spark starts with exit status 2 and
 * one message naming the key or file; a small run writes the run folder and ends with the
 * `final ...` line.
 */
package org.sparkcnn.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.driver.persist.RunFolder;
import org.sparkcnn.engine.ModelFile;

public class MainTest {
  @TempDir Path dir;

  public record Outcome(int status, String out, String err) {}

  public static Outcome cli(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true));
      System.setErr(new PrintStream(err, true));
      int status = Main.run(args);
      return new Outcome(status, out.toString(), err.toString());
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  private static Path conf(String name) {
    return Path.of(System.getProperty("sparkcnn.root"), "conf", name);
  }

  private Outcome failsBeforeSpark(String... args) {
    var before = SparkSession.getDefaultSession();
    Outcome o = cli(args);
    assertEquals(2, o.status(), o.err());
    assertEquals(before, SparkSession.getDefaultSession(), "no Spark session may start");
    assertTrue(o.err().startsWith("sparkcnn: "), o.err());
    return o;
  }

  @Test
  void unknownKeyFailsBeforeSpark() throws Exception {
    Path c = dir.resolve("bad.yaml");
    Files.writeString(c, "train:\n  epochz: 1\n");
    Outcome o = failsBeforeSpark("train", c.toString(), "--run-dir", dir.resolve("r").toString());
    assertTrue(o.err().contains("unknown key 'train.epochz'"), o.err());
  }

  @Test
  void negativeLearningRateFailsBeforeSpark() {
    Outcome o =
        failsBeforeSpark(
            "train",
            conf("quickstart.yaml").toString(),
            "--set",
            "optim.lr=-1",
            "--run-dir",
            dir.resolve("r").toString());
    assertTrue(o.err().contains("key 'optim.lr'"), o.err());
  }

  @Test
  void dataDirWithoutMnistFailsBeforeSparkNamingTheFile() {
    Outcome o =
        failsBeforeSpark(
            "train",
            conf("lenet-mnist.yaml").toString(),
            "--data-dir",
            dir.toString(),
            "--run-dir",
            dir.resolve("r").toString());
    assertTrue(
        o.err().contains(dir.resolve("mnist").resolve("train-images-idx3-ubyte").toString()),
        o.err());
  }

  @Test
  void aDamagedFineTuningModelFailsBeforeSparkNamingTheFile() throws Exception {
    Path run = dir.resolve("good");
    assertEquals(
        0,
        cli(
                "train",
                conf("quickstart.yaml").toString(),
                "--run-dir",
                run.toString(),
                "--master",
                "local[2]",
                "--set",
                "data.train_size=128",
                "--set",
                "data.test_size=64",
                "--set",
                "train.epochs=1")
            .status());
    byte[] model = Files.readAllBytes(run.resolve(RunFolder.MODEL));
    Path damaged = dir.resolve("damaged.scnn");
    Files.write(damaged, java.util.Arrays.copyOf(model, model.length / 2));
    Outcome o =
        failsBeforeSpark(
            "train",
            conf("quickstart.yaml").toString(),
            "--set",
            "finetune.from=" + damaged,
            "--run-dir",
            dir.resolve("r").toString());
    assertTrue(
        o.err().contains("key 'finetune.from'") && o.err().contains(damaged.toString()), o.err());
  }

  @Test
  void aTrainingSetSmallerThanOneStepIsAMessage() {
    Outcome o =
        cli(
            "train",
            conf("quickstart.yaml").toString(),
            "--run-dir",
            dir.resolve("tiny").toString(),
            "--master",
            "local[2]",
            "--set",
            "data.train_size=40",
            "--set",
            "data.test_size=16",
            "--set",
            "train.batch_size=64");
    assertEquals(2, o.status(), o.err());
    assertTrue(
        o.err()
            .startsWith(
                "sparkcnn: the training set has 40 samples over 2 partitions,"
                    + " fewer than one step of 64"),
        o.err());
  }

  @Test
  void smallRunWritesTheRunFolderAndTheFinalLine() throws Exception {
    Path run = dir.resolve("run");
    Outcome o =
        cli(
            "train",
            conf("quickstart.yaml").toString(),
            "--run-dir",
            run.toString(),
            "--master",
            "local[2]",
            "--set",
            "data.train_size=640",
            "--set",
            "data.test_size=128",
            "--set",
            "train.epochs=2",
            "--set",
            "spark.app_name=sparkcnn-main-test");
    assertEquals(0, o.status(), o.err());
    List<String> lines = o.out().strip().lines().toList();
    String last = lines.get(lines.size() - 1);
    assertTrue(
        last.matches(
            "final test_accuracy=[01]\\.\\d{4} epochs=2 wall_s=[0-9.]+ run_dir="
                + java.util.regex.Pattern.quote(run.toString())),
        last);

    List<String> metrics = Files.readAllLines(run.resolve(RunFolder.METRICS));
    assertEquals(2, metrics.size());
    JsonNode m = new ObjectMapper().readTree(metrics.get(1));
    for (String key :
        List.of(
            "epoch",
            "step",
            "train_loss",
            "train_accuracy",
            "test_loss",
            "test_accuracy",
            "images_per_sec",
            "step_ms",
            "compute_ms",
            "sync_ms_p50",
            "sync_ms_p90",
            "skipped_steps",
            "wall_s")) {
      assertTrue(m.has(key), key + " missing from " + m);
    }
    // a step's time runs from the publication of its weights, so that it holds the slowest
    // partition's computing and then the sum and the update: more than the computing alone
    assertTrue(
        0 < m.get("sync_ms_p50").asDouble()
            && m.get("sync_ms_p50").asDouble() <= m.get("sync_ms_p90").asDouble()
            && m.get("sync_ms_p90").asDouble() <= m.get("step_ms").asDouble() * 10,
        m.toString());
    assertEquals(2, m.get("epoch").asInt());
    assertEquals(20, m.get("step").asInt()); // 640 / 64 per epoch
    // the heap's peak in the epoch: in local mode the executors are the driver's JVM
    double heap = m.get("driver_heap_peak_mb").asDouble();
    assertTrue(heap > 1 && heap <= Runtime.getRuntime().maxMemory() / 1048576.0, m.toString());
    assertEquals(heap, m.get("executor_heap_peak_mb").asDouble(), m.toString());

    assertTrue(Files.readString(run.resolve(RunFolder.CONFIG)).contains("train_size: 640"));
    try (InputStream in = Files.newInputStream(run.resolve(RunFolder.MODEL))) {
      ModelFile.Contents model = ModelFile.read(in, "model.scnn");
      assertEquals(model.architecture().paramCount(), model.params().length);
      assertEquals("shapes", model.meta().get("data_source"));
    }
    assertFalse(Files.exists(run.resolve(RunFolder.MODEL + ".tmp")));
  }

  @Test
  void nonFiniteLossStopsTheRunWithAMessage() throws Exception {
    Path run = dir.resolve("nan");
    Outcome o =
        cli(
            "train",
            conf("quickstart.yaml").toString(),
            "--run-dir",
            run.toString(),
            "--master",
            "local[2]",
            "--set",
            "data.train_size=256",
            "--set",
            "data.test_size=64",
            "--set",
            "train.epochs=1",
            "--set",
            "optim.lr=1e30");
    assertEquals(1, o.status(), o.err());
    assertTrue(o.err().contains("not finite"), o.err());
    assertFalse(o.out().contains("final "), "a failed run prints no final line");
    assertFalse(Files.exists(run.resolve(RunFolder.MODEL)), "no epoch completed, so no model");
  }

  @Test
  void summaryPrintsTheSlidesExampleAndLenet() {
    Outcome slides =
        cli(
            "summary",
            Path.of(System.getProperty("sparkcnn.root"), "conf", "models", "slides-conv.yaml")
                .toString());
    assertEquals(0, slides.status(), slides.err());
    assertTrue(
        slides.out().matches("(?s).*conv1\\s+Conv2d\\s+10x32x32\\s+10x3x5x5\\s+760\\s+768,000.*"),
        slides.out());
    Outcome lenet = cli("summary", conf("lenet-mnist.yaml").toString());
    assertEquals(0, lenet.status(), lenet.err());
    assertTrue(lenet.out().matches("(?s).*total\\s+10\\s+1,256,080\\s+6,522,000.*"), lenet.out());
  }

  @Test
  void summaryShowsEachConvolutionsPathUnderTheConfigsEngineKeys() {
    Outcome grid = cli("summary", conf("lenet-mnist.yaml").toString());
    assertEquals(0, grid.status(), grid.err());
    assertTrue(grid.out().matches("(?s).*\\nconv1\\s.*\\simplicit\\n.*"), grid.out());
    Outcome lowered =
        cli("summary", conf("lenet-mnist.yaml").toString(), "--set", "engine.conv=lowered");
    assertEquals(0, lowered.status(), lowered.err());
    assertTrue(lowered.out().matches("(?s).*\\nconv1\\s.*\\slowered\\n.*"), lowered.out());
    assertFalse(lowered.out().contains("implicit"), lowered.out());
  }

  @Test
  void summaryShowsTheMemoryOfTrainingAtTheConfigsBatchOrAGivenOne() {
    // LeNet-5 keeps 96,090 floats per sample (FootprintTest counts them layer by layer)
    Outcome atConfig = cli("summary", conf("lenet-mnist.yaml").toString());
    assertEquals(0, atConfig.status(), atConfig.err());
    assertTrue(atConfig.out().contains("memory to train at batch 64"), atConfig.out());
    assertTrue(
        atConfig
            .out()
            .contains(
                "Forward/backward pass size (MB): 24.60\n"
                    + "Params size (MB): 5.02\nGradients size (MB): 5.02\nOptimizer state size (MB): 5.02\n"
                    + "Buffers size (MB): 0.00\nEstimated Total Size (MB): 39.87"),
        atConfig.out());
    Outcome one =
        cli(
            "summary",
            conf("lenet-mnist.yaml").toString(),
            "--batch",
            "1",
            "--set",
            "optim.momentum=0");
    assertEquals(0, one.status(), one.err());
    assertTrue(
        one.out().contains("Input size (MB): 0.00\nForward/backward pass size (MB): 0.38" + "\n"),
        one.out());
    assertTrue(one.out().contains("Optimizer state size (MB): 0.00\n"), one.out());
    assertTrue(one.out().contains("Estimated Total Size (MB): 10.44"), one.out());
  }

  @Test
  void aModelThatDoesNotFitTheDataFailsBeforeSpark() {
    Outcome o =
        failsBeforeSpark(
            "train",
            conf("lenet-mnist.yaml").toString(),
            "--set",
            "model.name=slides-conv",
            "--data-dir",
            org.sparkcnn.engine.SharedData.root().resolve("datasets").toString());
    assertTrue(o.err().contains("defined for input 3x32x32, the data is 1x28x28"), o.err());
  }
}

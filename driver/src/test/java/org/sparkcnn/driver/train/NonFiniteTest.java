/*
 * DESIGN.md's rule for a non-finite loss or gradient: the step never changes the weights; by
 * default the run stops with a message naming its last good checkpoint, which it keeps and from
 * which it resumes with a lower learning rate; with train.non_finite=skip the step is skipped,
 * counted in metrics.jsonl, and the run goes on. A learning rate of 1e30 makes the second step's
 * numbers overflow. Both hold whether the driver adds and updates or the tasks do (allreduce).
 */
package org.sparkcnn.driver.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparkcnn.driver.MainTest;
import org.sparkcnn.driver.persist.Checkpoints;
import org.sparkcnn.driver.persist.RunFolder;

class NonFiniteTest {
  @TempDir Path dir;

  private MainTest.Outcome train(Path run, String... sets) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "train",
                Path.of(System.getProperty("sparkcnn.root"), "conf", "quickstart.yaml").toString(),
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
                "optim.lr=1e30"));
    for (String s : sets) {
      args.add("--set");
      args.add(s);
    }
    return MainTest.cli(args.toArray(String[]::new));
  }

  @ParameterizedTest
  @ValueSource(strings = {"tree", "allreduce"})
  void aNonFiniteStepStopsTheRunAndItsLastGoodCheckpointResumes(String aggregation)
      throws Exception {
    Path run = dir.resolve("stop");
    assertEquals(0, train(run, "optim.lr=0.01", "train.aggregation=" + aggregation).status());
    byte[] model = Files.readAllBytes(run.resolve(RunFolder.MODEL));

    MainTest.Outcome o =
        MainTest.cli(
            "train",
            "--resume",
            run.toString(),
            "--set",
            "train.epochs=2",
            "--set",
            "optim.lr=1e30",
            "--master",
            "local[2]");
    assertEquals(1, o.status(), o.err());
    Matcher m =
        Pattern.compile(
                "epoch 2 step \\d/4: the loss or gradient is not finite .*; the"
                    + " weights were not changed; the last good checkpoint is file:(\\S+) \\(continue from it"
                    + " with --resume")
            .matcher(o.err());
    assertTrue(m.find(), o.err());
    assertEquals(
        run.resolve(Checkpoints.DEFAULT_DIR).resolve("step-000000004.ckpt"),
        Path.of(m.group(1)),
        "the checkpoint of epoch 1's end");
    assertFalse(o.out().contains("final "), "a failed run prints no final line");
    assertEquals(1, Files.readAllLines(run.resolve(RunFolder.METRICS)).size());
    assertArrayEquals(model, Files.readAllBytes(run.resolve(RunFolder.MODEL)));

    MainTest.Outcome resumed =
        MainTest.cli(
            "train",
            "--resume",
            run.toString(),
            "--set",
            "train.epochs=2",
            "--set",
            "optim.lr=0.01",
            "--master",
            "local[2]");
    assertEquals(0, resumed.status(), resumed.err());
    assertTrue(resumed.out().contains("resuming at epoch 2 step 1/4"), resumed.out());
    assertEquals(2, Files.readAllLines(run.resolve(RunFolder.METRICS)).size());
  }

  @ParameterizedTest
  @ValueSource(strings = {"tree", "allreduce"})
  void withSkipNonFiniteStepsAreSkippedAndCounted(String aggregation) throws Exception {
    Path run = dir.resolve("skip");
    MainTest.Outcome o = train(run, "train.non_finite=skip", "train.aggregation=" + aggregation);
    assertEquals(0, o.status(), o.err());
    assertTrue(o.err().contains("step skipped, the weights are unchanged"), o.err());
    JsonNode m = new ObjectMapper().readTree(Files.readString(run.resolve(RunFolder.METRICS)));
    long skipped = m.get("skipped_steps").asLong();
    assertTrue(skipped >= 1 && skipped < 4, "skipped " + skipped + " of 4 steps");
    assertEquals(skipped, o.err().lines().filter(l -> l.contains("step skipped")).count());
  }
}

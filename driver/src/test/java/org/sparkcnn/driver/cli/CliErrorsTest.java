/*
 * Every command of the command line, given each kind of bad input a user makes (a missing or
 * damaged file, a wrong type, an impossible size, an unknown option, data that does not fit the
 * model), ends with exit status 2 and one message on stderr that starts with "sparkcnn: " and
 * names what was wrong (a config lists each of its problems on an indented line below): never a
 * stack trace, on stdout or stderr. The cases that can be known before
 * Spark starts are checked to start no Spark session.
 */
package org.sparkcnn.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.driver.MainTest;
import org.sparkcnn.driver.config.JobConfig;
import org.sparkcnn.driver.persist.RunFolder;
import org.sparkcnn.driver.sync.BarrierSlots;

class CliErrorsTest {
  @TempDir static Path dir;
  private static Path model; // a good model.scnn of the quickstart (shapes, 3 x 32 x 32)
  private static Path damaged;
  private static Path junk;
  private static Path full;

  /** A command line and a fragment its message must hold. */
  record Case(String fragment, String... args) {}

  private static String conf(String name) {
    return Path.of(System.getProperty("sparkcnn.root"), "conf", name).toString();
  }

  @BeforeAll
  static void files() throws IOException {
    Path run = dir.resolve("run");
    MainTest.Outcome o =
        MainTest.cli(
            "train",
            conf("quickstart.yaml"),
            "--run-dir",
            run.toString(),
            "--master",
            "local[2]",
            "--set",
            "data.train_size=128",
            "--set",
            "data.test_size=64",
            "--set",
            "train.epochs=1");
    assertEquals(0, o.status(), o.err());
    model = run.resolve(RunFolder.MODEL);
    byte[] bytes = Files.readAllBytes(model);
    damaged = dir.resolve("damaged.scnn");
    Files.write(damaged, java.util.Arrays.copyOf(bytes, bytes.length - 7));
    junk = dir.resolve("junk.onnx");
    Files.writeString(junk, "not a model");
    full = dir.resolve("full");
    Files.createDirectories(full);
    Files.writeString(full.resolve("x"), "x");
  }

  private static String p(String name) {
    return dir.resolve(name).toString();
  }

  /** Cases that are known before Spark starts. */
  private static List<Case> beforeSpark() throws IOException {
    Path wrongType = dir.resolve("wrong-type.yaml");
    Files.writeString(wrongType, "train:\n  epochs: many\n");
    Path notYaml = dir.resolve("not-yaml.yaml");
    Files.writeString(notYaml, "train: [epochs: 1\n");
    List<Case> c = new ArrayList<>();
    c.add(new Case("nope.yaml does not exist", "train", p("nope.yaml")));
    c.add(new Case("key 'train.epochs'", "train", wrongType.toString()));
    c.add(new Case(notYaml.toString(), "train", notYaml.toString()));
    c.add(
        new Case(
            "key 'train.batch_size'",
            "train",
            conf("quickstart.yaml"),
            "--set",
            "train.batch_size=0"));
    c.add(
        new Case(
            "key 'finetune.from'",
            "train",
            conf("quickstart.yaml"),
            "--set",
            "finetune.from=" + damaged));
    c.add(
        new Case(
            "expected train.execution: jobs with it",
            "train",
            conf("quickstart.yaml"),
            "--set",
            "train.aggregation=sharded"));
    c.add(
        new Case(
            "expected train.execution: barrier with it",
            "train",
            conf("quickstart.yaml"),
            "--set",
            "train.execution=jobs",
            "--set",
            "train.aggregation=allreduce"));
    c.add(new Case("Unknown option", "train", "--epochs", "3"));
    c.add(
        new Case(
            "raise SPARKCNN_DRIVER_MEMORY",
            "train",
            conf("quickstart.yaml"),
            "--master",
            "local[2]",
            "--set",
            "data.train_size=40000",
            "--set",
            "train.batch_size=40000"));
    c.add(new Case("Unmatched argument", "no-such-command"));
    c.add(new Case("nope.yaml does not exist", "summary", p("nope.yaml")));
    c.add(new Case(junk.toString(), "summary", junk.toString()));
    c.add(new Case("--batch must be >= 1", "summary", conf("quickstart.yaml"), "--batch", "0"));
    c.add(new Case("not a folder of reference cases", "conformance", p("nope")));
    c.add(
        new Case(
            "--samples 0",
            "augment-preview",
            conf("quickstart.yaml"),
            "--out",
            p("x.png"),
            "--samples",
            "0"));
    c.add(new Case("nope.yaml does not exist", "stats", p("nope.yaml")));
    c.add(
        new Case(
            "already exists and is not empty",
            "prepare",
            conf("quickstart.yaml"),
            "--out",
            full.toString()));
    c.add(new Case("no such file", "export", p("nope.scnn"), "--out", p("x.onnx")));
    c.add(new Case(damaged.toString(), "export", damaged.toString(), "--out", p("x.onnx")));
    c.add(new Case("expected a FILE.onnx", "export", model.toString(), "--out", p("x.txt")));
    c.add(new Case("is not a folder", "plot", p("nope")));
    c.add(new Case("--steps", "bench-sync", "--steps", "-1"));
    c.add(new Case("Unknown option", "bench", "--model", "nope"));
    c.add(
        new Case(
            "no such model file",
            "predict",
            p("nope.scnn"),
            "--input",
            p("in"),
            "--output",
            p("o")));
    c.add(
        new Case(
            damaged.toString(),
            "predict",
            damaged.toString(),
            "--input",
            p("in"),
            "--output",
            p("o")));
    c.add(
        new Case(
            junk.toString(), "predict", junk.toString(), "--input", p("in"), "--output", p("o")));
    c.add(
        new Case(
            "--top-k 0",
            "predict",
            model.toString(),
            "--input",
            p("in"),
            "--output",
            p("o"),
            "--top-k",
            "0"));
    c.add(
        new Case(
            "--format xml",
            "predict",
            model.toString(),
            "--input",
            p("in"),
            "--output",
            p("o"),
            "--format",
            "xml"));
    c.add(new Case("Missing required", "predict", model.toString()));
    c.add(new Case(damaged.toString(), "evaluate", damaged.toString(), "--out", p("e")));
    c.add(
        new Case(
            "nope.yaml does not exist",
            "evaluate",
            model.toString(),
            p("nope.yaml"),
            "--out",
            p("e")));
    c.add(
        new Case(
            "expected one of them",
            "evaluate",
            model.toString(),
            conf("quickstart.yaml"),
            "--input",
            p("in"),
            "--out",
            p("e")));
    return c;
  }

  /** Cases known only once Spark has read the data. */
  private static List<Case> withSpark() {
    List<Case> c = new ArrayList<>();
    c.add(
        new Case(
            "no such folder",
            "predict",
            model.toString(),
            "--input",
            p("nope"),
            "--output",
            p("o")));
    c.add(
        new Case(
            "exists; expected a new folder",
            "predict",
            model.toString(),
            "--input",
            full.toString(),
            "--output",
            full.toString()));
    c.add(
        new Case(
            "is a file directly in",
            "evaluate",
            model.toString(),
            "--input",
            full.toString(),
            "--out",
            p("e")));
    c.add(
        new Case(
            "fewer than one step",
            "train",
            conf("quickstart.yaml"),
            "--run-dir",
            p("tiny"),
            "--master",
            "local[2]",
            "--set",
            "data.train_size=40",
            "--set",
            "data.test_size=16",
            "--set",
            "train.batch_size=64"));
    c.add(
        new Case(
            "offers 2 task slots",
            "train",
            conf("quickstart.yaml"),
            "--run-dir",
            p("wide"),
            "--master",
            "local[2]",
            "--set",
            "train.partitions=3"));
    return c;
  }

  private static void check(Case c, boolean sparkMayStart) {
    var before = SparkSession.getDefaultSession();
    MainTest.Outcome o = MainTest.cli(c.args());
    String what = String.join(" ", c.args()) + "\nstdout:\n" + o.out() + "\nstderr:\n" + o.err();
    assertEquals(2, o.status(), what);
    List<String> lines = o.err().strip().lines().filter(l -> l.startsWith("sparkcnn: ")).toList();
    assertEquals(1, lines.size(), "one message: " + what);
    String message = o.err().substring(o.err().indexOf(lines.get(0))); // with indented details
    assertTrue(message.contains(c.fragment()), "expected '" + c.fragment() + "': " + what);
    for (String out : List.of(o.out(), o.err())) {
      assertFalse(
          out.contains("\tat ") || out.contains("Exception in thread"), "a stack trace: " + what);
    }
    if (!sparkMayStart) {
      assertEquals(before, SparkSession.getDefaultSession(), "no Spark session may start: " + what);
    }
  }

  @Test
  void everyBadInputBeforeSparkIsOneLineAndExitStatus2() throws IOException {
    for (Case c : beforeSpark()) {
      check(c, false);
    }
  }

  @Test
  void badDataFoundOnSparkIsOneLineAndExitStatus2() {
    for (Case c : withSpark()) {
      check(c, true);
    }
  }

  @Test
  void speculativeExecutionIsRefusedBeforeSparkAndBeforeTheRunFolder() {
    System.setProperty("spark.speculation", "true");
    try {
      check(
          new Case(
              "spark.speculation is true",
              "train",
              conf("quickstart.yaml"),
              "--run-dir",
              p("speculative")),
          false);
    } finally {
      System.clearProperty("spark.speculation");
    }
    assertFalse(Files.exists(dir.resolve("speculative")), "no run folder for a refused run");
    for (String on : new String[] {"true", " TRUE"}) {
      assertThrows(JobConfig.ConfigException.class, () -> BarrierSlots.refuseSpeculation(on));
    }
    BarrierSlots.refuseSpeculation("false");
    BarrierSlots.refuseSpeculation(null);
  }
}

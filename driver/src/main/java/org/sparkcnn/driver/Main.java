/*
 * The command line of sparkcnn (deploy/sparkcnn runs it). `train [CONFIG]` validates the config,
 * the data and the model before Spark starts (exit status 2 with one message on any problem),
 * trains, writes the run folder and ends with the line
 * `final test_accuracy=... epochs=... wall_s=... run_dir=...`. `summary CONFIG` prints the layer
 * table of a model (output size, parameters, multiply-adds) without starting Spark. `conformance
 * DIR` checks the engine against reference cases (../shared/golden's format). `augment-preview
 * CONFIG --out grid.png` draws samples under the config's augmentation (AugmentPreview).
 */
package org.sparkcnn.driver;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.sparkcnn.engine.Architecture;
import org.sparkcnn.engine.Conformance;
import org.sparkcnn.engine.Shape;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "sparkcnn", mixinStandardHelpOptions = true, version = "sparkcnn 0.1.0",
    description = "Data-parallel training of convolutional networks on Apache Spark.",
    subcommands = {Main.Train.class, Main.Summary.class, Main.ConformanceRun.class,
        AugmentPreview.class})
public final class Main implements Runnable {
  static final int EXIT_BAD_INPUT = 2;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String... args) {
    return new CommandLine(new Main()).execute(args);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /** The folder deploy/sparkcnn runs from (for the default config). */
  static Path home() {
    String h = System.getenv("SPARKCNN_HOME");
    return Path.of(h == null ? "." : h);
  }

  @Command(name = "train", mixinStandardHelpOptions = true,
      description = "Train a model by synchronous SGD on Spark and write a run folder.")
  static final class Train implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "CONFIG",
        description = "Job config (YAML); default conf/quickstart.yaml.")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR",
        description = "Folder with the datasets in their original layout (overrides data.dir).")
    Path dataDir;

    @Option(names = "--run-dir", paramLabel = "DIR",
        description = "Where to write config.yaml, metrics.jsonl and model.scnn"
            + " (default runs/<config>-<time>).")
    Path runDir;

    @Option(names = "--master", paramLabel = "URL",
        description = "Spark master (overrides spark.master), e.g. local[*] or spark://host:7077.")
    String master;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
        description = "Override one config key; repeatable, e.g. --set train.epochs=1.")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
      Path file = config != null ? config : home().resolve("conf/quickstart.yaml");
      TrainingPlan plan;
      RunFolder run;
      try {
        JobConfig c = JobConfig.load(file, overrides);
        if (dataDir != null) {
          c = c.with(Keys.DATA_DIR, dataDir.toString());
        }
        if (master != null) {
          c = c.with(Keys.MASTER, master);
        }
        plan = TrainingPlan.from(c);
        run = RunFolder.create(runDir != null ? runDir : defaultRunDir(file), c);
      } catch (JobConfig.ConfigException e) {
        System.err.println("sparkcnn: " + e.getMessage());
        return EXIT_BAD_INPUT;
      }
      SparkSession spark = Sessions.builder(plan.config().get(Keys.MASTER),
          plan.config().get(Keys.APP_NAME)).getOrCreate();
      try {
        Trainer.Result r = new Trainer(plan, run).run(spark);
        System.out.println(String.format(Locale.ROOT,
            "final test_accuracy=%.4f epochs=%d wall_s=%.1f run_dir=%s",
            r.testAccuracy(), r.epochs(), r.wallSeconds(), run.dir()));
        return 0;
      } catch (Trainer.NonFiniteException e) {
        System.err.println("sparkcnn: " + e.getMessage());
        return 1;
      } finally {
        spark.stop();
      }
    }

    private static Path defaultRunDir(Path config) {
      String name = config.getFileName().toString().replaceFirst("\\.ya?ml$", "");
      String time = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
      return Path.of("runs", name + "-" + time);
    }
  }

  @Command(name = "summary", mixinStandardHelpOptions = true,
      description = "Print a model's layers with output size, parameters and multiply-adds.")
  static final class Summary implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CONFIG",
        description = "A job config, or a model definition with 'input' (e.g. conf/models/*.yaml).")
    Path file;

    @Option(names = "--classes", paramLabel = "N", defaultValue = "10",
        description = "Classes, for a model definition given directly (default 10).")
    int classes;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
        description = "Override a key of a job config; repeatable.")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() {
      try {
        Architecture arch;
        Map<String, Object> doc = ModelCatalog.file(file);
        if (doc.containsKey("layers")) {
          if (doc.get("input") == null) {
            throw new IllegalArgumentException(file + ": a model definition needs 'input: [C, H, W]'"
                + " for summary, or give a job config that uses it");
          }
          Shape input = Shape.of(((List<?>) doc.get("input")).stream()
              .mapToInt(o -> ((Number) o).intValue()).toArray());
          arch = ModelCatalog.build(doc, file.toString(), input, classes);
        } else {
          JobConfig c = JobConfig.load(file, overrides);
          var source = TrainingPlan.source(c);
          arch = TrainingPlan.architecture(c,
              TrainingPlan.augmentation(c, source.shape()).train().output(), source.classes());
        }
        System.out.println("input " + arch.input());
        arch.summary().forEach(System.out::println);
        return 0;
      } catch (IllegalArgumentException | ClassCastException e) {
        System.err.println("sparkcnn: " + e.getMessage());
        return EXIT_BAD_INPUT;
      }
    }
  }

  @Command(name = "conformance", mixinStandardHelpOptions = true,
      description = "Run every reference case (*.json, ../shared/golden's format) of a folder"
          + " through the engine; print each failing case and 'N passed, M failed'.")
  static final class ConformanceRun implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "Folder of case files.")
    Path dir;

    @Override
    public Integer call() throws Exception {
      if (!java.nio.file.Files.isDirectory(dir)) {
        System.err.println("sparkcnn: " + dir + " is not a folder of reference cases");
        return EXIT_BAD_INPUT;
      }
      int passed = 0;
      int failed = 0;
      for (Conformance.Outcome o : Conformance.runFolder(dir)) {
        if (o.passed()) {
          passed++;
        } else {
          failed++;
          System.out.println(String.format(Locale.ROOT, "FAIL %s %s max_rel_error=%.3g %s",
              o.name(), o.tensor().isEmpty() ? "-" : o.tensor(), o.maxRelError(), o.problem()));
        }
      }
      System.out.println(passed + " passed, " + failed + " failed");
      return failed == 0 ? 0 : 1;
    }
  }
}

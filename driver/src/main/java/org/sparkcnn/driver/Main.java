/*
 * The command line of sparkcnn (deploy/sparkcnn runs it). `train [CONFIG]` validates the config,
 * the data and the model before Spark starts (exit status 2 with one message on any problem),
 * trains, writes the run folder and ends with the line
 * `final test_accuracy=... epochs=... wall_s=... run_dir=...`.
 */
package org.sparkcnn.driver;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "sparkcnn", mixinStandardHelpOptions = true, version = "sparkcnn 0.1.0",
    description = "Data-parallel training of convolutional networks on Apache Spark.",
    subcommands = {Main.Train.class})
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
}

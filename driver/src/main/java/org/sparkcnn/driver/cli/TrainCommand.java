/*
 * The `train` command: a job config and its overrides, validated before Spark starts; trains
 * (Trainer) or resumes a run folder from its latest valid checkpoint, and ends with the line
 * `final test_accuracy=... epochs=... wall_s=... run_dir=...`.
 */
package org.sparkcnn.driver.cli;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.sparkcnn.driver.Main;
import org.sparkcnn.driver.Sessions;
import org.sparkcnn.driver.config.EngineKeys;
import org.sparkcnn.driver.config.JobConfig;
import org.sparkcnn.driver.config.Keys;
import org.sparkcnn.driver.config.MemoryPlan;
import org.sparkcnn.driver.config.TrainingPlan;
import org.sparkcnn.driver.persist.Checkpoint;
import org.sparkcnn.driver.persist.Resume;
import org.sparkcnn.driver.persist.RunFolder;
import org.sparkcnn.driver.report.MemoryProbe;
import org.sparkcnn.driver.sync.BarrierSlots;
import org.sparkcnn.driver.sync.BarrierSteps;
import org.sparkcnn.driver.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = "Train a model by synchronous SGD on Spark and write a run folder.")
public final class TrainCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "CONFIG",
      description = "Job config (YAML); default conf/quickstart.yaml.")
  Path config;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Folder with the datasets in their original layout (overrides data.dir).")
  Path dataDir;

  @Option(
      names = "--run-dir",
      paramLabel = "DIR",
      description =
          "Where to write config.yaml, metrics.jsonl, model.scnn and checkpoints/"
              + " (default runs/<config>-<time>).")
  Path runDir;

  @Option(
      names = "--master",
      paramLabel = "URL",
      description = "Spark master (overrides spark.master), e.g. local[*] or spark://host:7077.")
  String master;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Override one config key; repeatable, e.g. --set train.epochs=1.")
  List<String> overrides = new ArrayList<>();

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Compute threads per Spark task (engine.threads); 0 chooses.")
  Integer threads;

  @Option(
      names = "--resume",
      paramLabel = "RUN_DIR",
      description =
          "Continue the run in RUN_DIR from its latest valid checkpoint, with its"
              + " config.yaml (and any --set on top).")
  Path resume;

  @Override
  public Integer call() throws Exception {
    Path file = config != null ? config : Main.home().resolve("conf/quickstart.yaml");
    if (threads != null) {
      overrides.add(EngineKeys.THREADS.name() + "=" + threads);
    }
    TrainingPlan plan;
    RunFolder run;
    Checkpoint from = null;
    Trainer trainer;
    try {
      // spark-submit passes --conf and spark-defaults.conf as system properties
      BarrierSlots.refuseSpeculation(System.getProperty("spark.speculation"));
      if (resume != null) {
        if (config != null || runDir != null) {
          throw new JobConfig.ConfigException(
              "--resume "
                  + resume
                  + " continues a run with its"
                  + " own config.yaml in its own folder; give no CONFIG and no --run-dir with it");
        }
        Resume.Start start = Resume.open(resume, overrides, dataDir, master);
        plan = start.plan();
        MemoryPlan.check(plan);
        run = start.run();
        from = start.checkpoint();
      } else {
        JobConfig c = JobConfig.load(file, overrides);
        if (dataDir != null) {
          c = c.with(Keys.DATA_DIR, dataDir.toString());
        }
        if (master != null) {
          c = c.with(Keys.MASTER, master);
        }
        plan = TrainingPlan.from(c);
        MemoryPlan.check(plan); // before the run folder is made
        run = RunFolder.create(runDir != null ? runDir : defaultRunDir(file), c);
      }
      MemoryProbe.watchHeap(); // the driver's heap peaks of metrics.jsonl (HeapPeaks)
      trainer = new Trainer(plan, run, from); // opens the checkpoint folder
    } catch (JobConfig.ConfigException e) {
      Reporter.error(e.getMessage());
      return Main.EXIT_BAD_INPUT;
    }
    SparkSession spark =
        Sessions.builder(plan.config().get(Keys.MASTER), plan.config().get(Keys.APP_NAME))
            .getOrCreate();
    try {
      Trainer.Result r = trainer.run(spark);
      Reporter.out(
          String.format(
              Locale.ROOT,
              "final test_accuracy=%.4f epochs=%d wall_s=%.1f run_dir=%s",
              r.testAccuracy(),
              r.epochs(),
              r.wallSeconds(),
              run.dir()));
      return 0;
    } catch (Trainer.NonFiniteException | BarrierSteps.StageLostException e) {
      Reporter.error(e.getMessage());
      return 1;
    } catch (JobConfig.ConfigException e) { // a resumed run whose data changed
      Reporter.error(e.getMessage());
      return Main.EXIT_BAD_INPUT;
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

/*
 * The command line of sparkcnn (deploy/sparkcnn runs it). `train [CONFIG]` validates the config,
 * the data and the model before Spark starts (exit status 2 with one message on any problem),
 * trains, writes the run folder and ends with the line
 * `final test_accuracy=... epochs=... wall_s=... run_dir=...`; `train --resume RUN_DIR` continues
 * an earlier run from its latest valid checkpoint. `summary CONFIG` prints the layer
 * table of a model (output size, parameters, multiply-adds) and the memory training it takes at
 * a batch size (Footprint) without starting Spark. `conformance
 * DIR` checks the engine against reference cases (../shared/golden's format). `augment-preview
 * CONFIG --out grid.png` draws samples under the config's augmentation (AugmentPreview). `bench`
 * times the engine on the workloads of ../shared/bench/pytorch_reference.py, in its format;
 * `bench-sync` times zero-compute synchronous steps (SyncBench); `bench-augment` times the
 * augmentation pipelines of deploy/bench/augment_reference.py (AugmentBench). `stats CONFIG`
 * prints the training split's per-channel mean and standard deviation, computed on Spark (Stats).
 * `prepare CONFIG --out DIR` writes the config's data as Parquet shards for data.source parquet
 * (Prepare). `export MODEL --out FILE.onnx` writes a model as ONNX (Export). `plot RUN_DIR` draws
 * a run folder's charts again from its metrics.jsonl (TrainingCharts). `predict MODEL --input
 * PATH --output OUT` classifies images and `evaluate MODEL [CONFIG] --out DIR` reports a model on
 * labelled data, both on Spark through the ML API's model (org.sparkcnn.ml.Predict, Evaluate).
 */
package org.sparkcnn.driver;

import java.io.UncheckedIOException;
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
import org.sparkcnn.engine.Footprint;
import org.sparkcnn.engine.ModelCases;
import org.sparkcnn.engine.OnnxImport;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.ml.Evaluate;
import org.sparkcnn.ml.Predict;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "sparkcnn",
    mixinStandardHelpOptions = true,
    version = "sparkcnn 0.1.0",
    description = "Data-parallel training of convolutional networks on Apache Spark.",
    subcommands = {
      Main.Train.class,
      Main.Summary.class,
      Main.ConformanceRun.class,
      AugmentPreview.class,
      Stats.class,
      Prepare.class,
      Main.BenchRun.class,
      Main.BenchAugmentRun.class,
      SyncBench.Run.class,
      Export.class,
      TrainingCharts.Plot.class,
      Predict.class,
      Evaluate.class
    })
public final class Main implements Runnable {
  public static final int EXIT_BAD_INPUT = 2;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String... args) {
    return new CommandLine(new Main())
        .setParameterExceptionHandler(
            (e, given) -> {
              // one line, as every other bad input: what was wrong and where the options are listed
              CommandLine c = e.getCommandLine();
              String name = c.getParent() == null ? "" : c.getCommandName() + " ";
              c.getErr()
                  .println(
                      "sparkcnn: "
                          + name.replace(" ", ": ")
                          + e.getMessage()
                          + "; expected the commands and options of `sparkcnn "
                          + name
                          + "--help`");
              return EXIT_BAD_INPUT;
            })
        .execute(args);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /** The folder deploy/sparkcnn runs from (for the default config). */
  public static Path home() {
    String h = System.getenv("SPARKCNN_HOME");
    return Path.of(h == null ? "." : h);
  }

  @Command(
      name = "train",
      mixinStandardHelpOptions = true,
      description = "Train a model by synchronous SGD on Spark and write a run folder.")
  static final class Train implements Callable<Integer> {
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
      Path file = config != null ? config : home().resolve("conf/quickstart.yaml");
      if (threads != null) {
        overrides.add(Keys.THREADS.name() + "=" + threads);
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
        System.err.println("sparkcnn: " + e.getMessage());
        return EXIT_BAD_INPUT;
      }
      SparkSession spark =
          Sessions.builder(plan.config().get(Keys.MASTER), plan.config().get(Keys.APP_NAME))
              .getOrCreate();
      try {
        Trainer.Result r = trainer.run(spark);
        System.out.println(
            String.format(
                Locale.ROOT,
                "final test_accuracy=%.4f epochs=%d wall_s=%.1f run_dir=%s",
                r.testAccuracy(),
                r.epochs(),
                r.wallSeconds(),
                run.dir()));
        return 0;
      } catch (Trainer.NonFiniteException | BarrierSteps.StageLostException e) {
        System.err.println("sparkcnn: " + e.getMessage());
        return 1;
      } catch (JobConfig.ConfigException e) { // a resumed run whose data changed
        System.err.println("sparkcnn: " + e.getMessage());
        return EXIT_BAD_INPUT;
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

  @Command(
      name = "summary",
      mixinStandardHelpOptions = true,
      description =
          "Print a model's layers with output size, parameters and multiply-adds, then"
              + " the memory training it takes at a batch size.")
  static final class Summary implements Callable<Integer> {
    @Parameters(
        index = "0",
        paramLabel = "CONFIG",
        description =
            "A job config, a model definition with 'input' (e.g. conf/models/*.yaml)"
                + " or an ONNX model.")
    Path file;

    @Option(
        names = "--classes",
        paramLabel = "N",
        defaultValue = "10",
        description = "Classes, for a model definition given directly (default 10).")
    int classes;

    @Option(
        names = "--set",
        paramLabel = "KEY=VALUE",
        description = "Override a key of a job config; repeatable.")
    List<String> overrides = new ArrayList<>();

    @Option(
        names = "--batch",
        paramLabel = "N",
        description =
            "Batch size of the memory lines (default: the config's train.batch_size,"
                + " else 64).")
    Integer batch;

    @Override
    public Integer call() {
      try {
        Architecture arch;
        JobConfig c = JobConfig.defaults();
        Map<String, Object> doc =
            file.toString().endsWith(".onnx") ? Map.of() : ModelCatalog.file(file);
        if (file.toString().endsWith(".onnx")) {
          arch = OnnxImport.read(file).architecture();
        } else if (doc.containsKey("layers")) {
          if (doc.get("input") == null) {
            throw new IllegalArgumentException(
                file
                    + ": a model definition needs 'input: [C, H, W]'"
                    + " for summary, or give a job config that uses it");
          }
          Shape input =
              Shape.of(
                  ((List<?>) doc.get("input"))
                      .stream().mapToInt(o -> ((Number) o).intValue()).toArray());
          arch = ModelCatalog.build(doc, file.toString(), input, classes);
        } else {
          c = JobConfig.load(file, overrides);
          var source = TrainingPlan.source(c);
          arch =
              TrainingPlan.architecture(
                  c,
                  TrainingPlan.augmentation(c, source.shape()).train().output(),
                  source.classes());
        }
        int n = batch != null ? batch : c.get(Keys.BATCH_SIZE);
        if (n < 1) {
          throw new IllegalArgumentException("--batch must be >= 1, got " + n);
        }
        System.out.println("input " + arch.input());
        arch.summary().forEach(System.out::println);
        Footprint.of(arch, n, c.get(Keys.MOMENTUM) > 0).lines().forEach(System.out::println);
        return 0;
      } catch (IllegalArgumentException
          | ClassCastException
          | java.io.IOException
          | JobConfig.ConfigException e) {
        System.err.println("sparkcnn: " + e.getMessage());
        return EXIT_BAD_INPUT;
      }
    }
  }

  @Command(
      name = "conformance",
      mixinStandardHelpOptions = true,
      description =
          "Run every reference case (*.json, ../shared/golden's format) and every model"
              + " (NAME.safetensors of a shipped model, with NAME.input.f32 and NAME.output.f32) of a"
              + " folder through the engine; print each failing case and 'N passed, M failed'.")
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
      java.util.function.Function<String, Map<String, Object>> catalog =
          name -> ModelCatalog.SHIPPED.contains(name) ? ModelCatalog.shipped(name) : null;
      List<Conformance.Outcome> outcomes = new ArrayList<>(Conformance.runFolder(dir, catalog));
      outcomes.addAll(ModelCases.runFolder(dir, catalog));
      for (Conformance.Outcome o : outcomes) {
        if (o.passed()) {
          passed++;
        } else {
          failed++;
          System.out.println(
              String.format(
                  Locale.ROOT,
                  "FAIL %s %s max_rel_error=%.3g %s",
                  o.name(),
                  o.tensor().isEmpty() ? "-" : o.tensor(),
                  o.maxRelError(),
                  o.problem()));
        }
      }
      System.out.println(passed + " passed, " + failed + " failed");
      return failed == 0 ? 0 : 1;
    }
  }

  @Command(
      name = "bench",
      mixinStandardHelpOptions = true,
      description =
          "Time the engine on the workloads of ../shared/bench/pytorch_reference.py"
              + " (W1 LeNet-5 training, W2 ResNet-20 training, W3 one 3x3 conv layer) and W4, a"
              + " 1024^3 SGEMM; one line per workload in the script's format.")
  static final class BenchRun implements Callable<Integer> {
    @Option(
        names = "--threads",
        paramLabel = "N",
        description = "Compute threads (default: the cores this JVM sees).")
    Integer threads;

    @Option(
        names = "--workloads",
        paramLabel = "W1,W2,...",
        split = ",",
        defaultValue = "W1,W2,W3,W4",
        description = "Which workloads (default: all four).")
    List<String> workloads;

    @Option(
        names = "--seconds",
        paramLabel = "S",
        defaultValue = "10",
        description =
            "Measured seconds per workload, after a third as long of warm-up" + " (default 10).")
    double seconds;

    @Override
    public Integer call() {
      int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
      List<String> unknown = workloads.stream().filter(w -> !Bench.WORKLOADS.contains(w)).toList();
      if (t < 1 || !(seconds > 0) || !unknown.isEmpty()) {
        System.err.println(
            "sparkcnn: "
                + (t < 1
                    ? "--threads must be >= 1, got " + t
                    : !(seconds > 0)
                        ? "--seconds must be > 0, got " + seconds
                        : "unknown workload "
                            + unknown.get(0)
                            + "; known: "
                            + String.join(", ", Bench.WORKLOADS)));
        return EXIT_BAD_INPUT;
      }
      Bench.run(workloads, t, seconds, System.out);
      return 0;
    }
  }

  @Command(
      name = "bench-augment",
      mixinStandardHelpOptions = true,
      description =
          "Time the augmentation pipelines of deploy/bench/augment_reference.py"
              + " (A1 CIFAR-style on 32x32 bytes, A2 ImageNet-style from JPEG files, decode"
              + " included); one line per pipeline in the script's format.")
  static final class BenchAugmentRun implements Callable<Integer> {
    @Option(
        names = "--threads",
        paramLabel = "N",
        defaultValue = "1",
        description = "Worker threads, each on its own share of the images (default 1).")
    int threads;

    @Option(
        names = "--seconds",
        paramLabel = "S",
        defaultValue = "10",
        description =
            "Measured seconds per pipeline, after a third as long of warm-up" + " (default 10).")
    double seconds;

    @Option(
        names = "--images",
        paramLabel = "DIR",
        description =
            "Folder whose JPEG files (*.jpg, *.jpeg, in subfolders too) A2 decodes"
                + " (default ../shared/datasets/hymenoptera_data/train).")
    Path images;

    @Option(
        names = "--pipelines",
        paramLabel = "A1,A2",
        split = ",",
        defaultValue = "A1,A2",
        description = "Which pipelines (default both).")
    List<String> pipelines;

    @Override
    public Integer call() {
      Path dir =
          images != null
              ? images
              : home().resolve("../shared/datasets/hymenoptera_data/train").normalize();
      String problem = null;
      List<String> unknown =
          pipelines.stream().filter(p -> !AugmentBench.PIPELINES.contains(p)).toList();
      List<Path> files = List.of();
      if (threads < 1) {
        problem = "--threads must be >= 1, got " + threads;
      } else if (!(seconds > 0) || seconds > 3600) {
        problem = "--seconds must be in (0, 3600], got " + seconds;
      } else if (!unknown.isEmpty()) {
        problem =
            "unknown pipeline "
                + unknown.get(0)
                + "; known: "
                + String.join(", ", AugmentBench.PIPELINES);
      } else if (pipelines.contains("A2")) {
        if (!java.nio.file.Files.isDirectory(dir)) {
          problem =
              "--images "
                  + dir
                  + " is not a folder; A2 needs a folder of JPEG files,"
                  + " e.g. ../shared/datasets/hymenoptera_data/train";
        } else if ((files = AugmentBench.jpegs(dir)).isEmpty()) {
          problem = "--images " + dir + " holds no JPEG files (*.jpg, *.jpeg)";
        }
      }
      if (problem != null) {
        System.err.println("sparkcnn: " + problem);
        return EXIT_BAD_INPUT;
      }
      try {
        AugmentBench.run(pipelines, threads, seconds, files, System.out);
        return 0;
      } catch (IllegalArgumentException | UncheckedIOException e) {
        System.err.println("sparkcnn: " + e.getMessage());
        return 1;
      }
    }
  }
}

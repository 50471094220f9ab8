/*
 * The `summary` command: a model's layer table (Architecture.summary) and the memory training it
 * takes at a batch size (Footprint), without starting Spark.
 */
package org.sparkcnn.driver.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sparkcnn.driver.Main;
import org.sparkcnn.driver.config.JobConfig;
import org.sparkcnn.driver.config.Keys;
import org.sparkcnn.driver.config.ModelCatalog;
import org.sparkcnn.driver.config.TrainingPlan;
import org.sparkcnn.engine.Architecture;
import org.sparkcnn.engine.Footprint;
import org.sparkcnn.engine.OnnxImport;
import org.sparkcnn.engine.Shape;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "summary",
    mixinStandardHelpOptions = true,
    description =
        "Print a model's layers with output size, parameters and multiply-adds, then"
            + " the memory training it takes at a batch size.")
public final class SummaryCommand implements Callable<Integer> {
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
          "Batch size of the memory lines (default: the config's train.batch_size," + " else 64).")
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
                c, TrainingPlan.augmentation(c, source.shape()).train().output(), source.classes());
      }
      int n = batch != null ? batch : c.get(Keys.BATCH_SIZE);
      if (n < 1) {
        throw new IllegalArgumentException("--batch must be >= 1, got " + n);
      }
      Reporter.out("input " + arch.input());
      arch.summary(TrainingPlan.engine(c, 1)).forEach(Reporter::out);
      Footprint.of(arch, n, c.get(Keys.MOMENTUM) > 0).lines().forEach(Reporter::out);
      return 0;
    } catch (IllegalArgumentException
        | ClassCastException
        | java.io.IOException
        | JobConfig.ConfigException e) {
      Reporter.error(e.getMessage());
      return Main.EXIT_BAD_INPUT;
    }
  }
}

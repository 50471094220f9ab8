/*
 * The command line of sparkcnn (deploy/sparkcnn runs it): picocli's parser, the one-line message
 * and exit status 2 of a bad option, and the list of commands, each a class of its own:
 * TrainCommand (`train`, `train --resume`), SummaryCommand, ConformanceCommand, AugmentPreview,
 * Stats, Prepare, BenchCommand, BenchAugmentCommand, BenchSyncCommand (`bench-sync`), Export,
 * TrainingCharts.Plot (`plot`), and org.sparkcnn.ml's Predict and Evaluate. docs/ says what each
 * does for a user; `sparkcnn COMMAND --help` lists its options.
 */
package org.sparkcnn.driver;

import java.nio.file.Path;
import org.sparkcnn.driver.cli.AugmentPreview;
import org.sparkcnn.driver.cli.BenchAugmentCommand;
import org.sparkcnn.driver.cli.BenchCommand;
import org.sparkcnn.driver.cli.BenchSyncCommand;
import org.sparkcnn.driver.cli.ConformanceCommand;
import org.sparkcnn.driver.cli.Export;
import org.sparkcnn.driver.cli.Prepare;
import org.sparkcnn.driver.cli.Reporter;
import org.sparkcnn.driver.cli.Stats;
import org.sparkcnn.driver.cli.SummaryCommand;
import org.sparkcnn.driver.cli.TrainCommand;
import org.sparkcnn.driver.report.TrainingCharts;
import org.sparkcnn.ml.Evaluate;
import org.sparkcnn.ml.Predict;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
    name = "sparkcnn",
    mixinStandardHelpOptions = true,
    version = "sparkcnn 0.1.0",
    description = "Data-parallel training of convolutional networks on Apache Spark.",
    subcommands = {
      TrainCommand.class,
      SummaryCommand.class,
      ConformanceCommand.class,
      AugmentPreview.class,
      Stats.class,
      Prepare.class,
      BenchCommand.class,
      BenchAugmentCommand.class,
      BenchSyncCommand.class,
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

  public static int run(String... args) {
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
    new CommandLine(this).usage(Reporter.stream());
  }

  /** The folder deploy/sparkcnn runs from (for the default config). */
  public static Path home() {
    String h = System.getenv("SPARKCNN_HOME");
    return Path.of(h == null ? "." : h);
  }
}

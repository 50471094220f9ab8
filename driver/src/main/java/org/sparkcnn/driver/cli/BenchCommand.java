/*
 * The `bench` command: the engine timed on the workloads of ../shared/bench/pytorch_reference.py
 * (Bench).
 */
package org.sparkcnn.driver.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.sparkcnn.driver.Main;
import org.sparkcnn.driver.bench.Bench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Time the engine on the workloads of ../shared/bench/pytorch_reference.py"
            + " (W1 LeNet-5 training, W2 ResNet-20 training, W3 one 3x3 conv layer) and W4, a"
            + " 1024^3 SGEMM; one line per workload in the script's format.")
public final class BenchCommand implements Callable<Integer> {
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
      Reporter.error(
          t < 1
              ? "--threads must be >= 1, got " + t
              : !(seconds > 0)
                  ? "--seconds must be > 0, got " + seconds
                  : "unknown workload "
                      + unknown.get(0)
                      + "; known: "
                      + String.join(", ", Bench.WORKLOADS));
      return Main.EXIT_BAD_INPUT;
    }
    Bench.run(workloads, t, seconds, Reporter.stream());
    return 0;
  }
}

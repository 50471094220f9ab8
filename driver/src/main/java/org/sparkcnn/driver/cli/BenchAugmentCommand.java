/*
 * The `bench-augment` command: the augmentation pipelines of deploy/bench/augment_reference.py
 * timed (AugmentBench).
 */
package org.sparkcnn.driver.cli;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.sparkcnn.driver.Main;
import org.sparkcnn.driver.bench.AugmentBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "bench-augment",
    mixinStandardHelpOptions = true,
    description =
        "Time the augmentation pipelines of deploy/bench/augment_reference.py"
            + " (A1 CIFAR-style on 32x32 bytes, A2 ImageNet-style from JPEG files, decode"
            + " included); one line per pipeline in the script's format.")
public final class BenchAugmentCommand implements Callable<Integer> {
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
            : Main.home().resolve("../shared/datasets/hymenoptera_data/train").normalize();
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
      Reporter.error(problem);
      return Main.EXIT_BAD_INPUT;
    }
    try {
      AugmentBench.run(pipelines, threads, seconds, files, Reporter.stream());
      return 0;
    } catch (IllegalArgumentException | UncheckedIOException e) {
      Reporter.error(e.getMessage());
      return 1;
    }
  }
}

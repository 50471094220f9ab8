/*
 * The folder a run writes: config.yaml (the resolved config), metrics.jsonl (one JSON object per
 * epoch), model.scnn (ModelFile format) and, unless train.checkpoint_dir points elsewhere,
 * checkpoints/. The model is written to a temporary name and renamed, so a crash never leaves a
 * half-written model under the real name. A resumed run reopens the folder.
 */
package org.sparkcnn.driver.persist;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.sparkcnn.driver.cli.Reporter;
import org.sparkcnn.driver.config.JobConfig;
import org.sparkcnn.engine.ModelFile;

public final class RunFolder {
  public static final String CONFIG = "config.yaml";
  public static final String METRICS = "metrics.jsonl";
  public static final String MODEL = "model.scnn";
  public static final String SUPERSEDED = "metrics.superseded.jsonl";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;

  private RunFolder(Path dir) {
    this.dir = dir;
  }

  /** Creates the folder (it may exist, but must not already hold a model) and writes the config. */
  public static RunFolder create(Path dir, JobConfig config) throws IOException {
    Files.createDirectories(dir);
    if (Files.exists(dir.resolve(MODEL)) || Files.exists(dir.resolve(METRICS))) {
      throw new JobConfig.ConfigException(
          "run folder "
              + dir
              + " already holds a run ("
              + MODEL
              + " or "
              + METRICS
              + "); choose another --run-dir");
    }
    Files.writeString(dir.resolve(CONFIG), config.toYaml());
    return new RunFolder(dir);
  }

  /**
   * Reopens the folder of an earlier run to continue it from the checkpoint of global step `step`:
   * writes the resumed config and moves the metrics lines of later steps (work that will be redone,
   * or a line cut short by a crash) from metrics.jsonl to metrics.superseded.jsonl, so that
   * metrics.jsonl stays one line per epoch and nothing written is lost.
   */
  static RunFolder resume(Path dir, JobConfig config, long step) throws IOException {
    replace(dir.resolve(CONFIG), config.toYaml());
    Path metrics = dir.resolve(METRICS);
    if (Files.exists(metrics)) {
      StringBuilder keep = new StringBuilder();
      StringBuilder later = new StringBuilder();
      for (String line : Files.readAllLines(metrics, StandardCharsets.UTF_8)) {
        long at;
        try {
          at = JSON.readTree(line).path("step").asLong(Long.MAX_VALUE);
        } catch (IOException e) {
          at = Long.MAX_VALUE;
        }
        (at <= step ? keep : later).append(line).append('\n');
      }
      if (later.length() > 0) {
        Files.writeString(
            dir.resolve(SUPERSEDED),
            later,
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
        replace(metrics, keep.toString());
        Reporter.warn(
            "%s: the lines after global step %d moved to %s (that training is redone)",
            metrics, step, SUPERSEDED);
      }
    }
    return new RunFolder(dir);
  }

  private static void replace(Path file, String text) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  public Path dir() {
    return dir;
  }

  public void appendMetrics(Map<String, Object> line) throws IOException {
    Files.writeString(
        dir.resolve(METRICS),
        JSON.writeValueAsString(line) + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  public void saveModel(ModelFile.Contents model) throws IOException {
    Path tmp = dir.resolve(MODEL + ".tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      ModelFile.write(out, model);
    }
    Files.move(
        tmp,
        dir.resolve(MODEL),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }
}

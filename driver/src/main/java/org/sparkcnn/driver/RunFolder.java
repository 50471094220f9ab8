/*
 * The folder a run writes: config.yaml (the resolved config), metrics.jsonl (one JSON object per
 * epoch) and model.scnn (ModelFile format). The model is written to a temporary name and renamed,
 * so a crash never leaves a half-written model under the real name.
 */
package org.sparkcnn.driver;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.sparkcnn.engine.ModelFile;

public final class RunFolder {
  public static final String CONFIG = "config.yaml";
  public static final String METRICS = "metrics.jsonl";
  public static final String MODEL = "model.scnn";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;

  private RunFolder(Path dir) {
    this.dir = dir;
  }

  /** Creates the folder (it may exist, but must not already hold a model) and writes the config. */
  public static RunFolder create(Path dir, JobConfig config) throws IOException {
    Files.createDirectories(dir);
    if (Files.exists(dir.resolve(MODEL)) || Files.exists(dir.resolve(METRICS))) {
      throw new JobConfig.ConfigException("run folder " + dir + " already holds a run ("
          + MODEL + " or " + METRICS + "); choose another --run-dir");
    }
    Files.writeString(dir.resolve(CONFIG), config.toYaml());
    return new RunFolder(dir);
  }

  public Path dir() {
    return dir;
  }

  void appendMetrics(Map<String, Object> line) throws IOException {
    Files.writeString(dir.resolve(METRICS), JSON.writeValueAsString(line) + "\n",
        StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  void saveModel(ModelFile.Contents model) throws IOException {
    Path tmp = dir.resolve(MODEL + ".tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      ModelFile.write(out, model);
    }
    Files.move(tmp, dir.resolve(MODEL), StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }
}

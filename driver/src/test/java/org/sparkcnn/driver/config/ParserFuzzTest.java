/*
 * Fuzz tests (Jazzer) of the driver's readers of files that come from outside: job configs with
 * their --set overrides (JobConfig.load), model definitions (ModelCatalog and the engine's
 * ModelDefinition) and checkpoints (Checkpoint.read). Whatever bytes it is given, a reader must
 * return a value that holds together or throw its documented exception (ConfigException,
 * IllegalArgumentException, IOException) with a message that names the file; any other exception
 * or error is a finding. A resolved config must read back from its own toYaml(), which is what a
 * run folder keeps for a resume. A plain test run replays the corpus in
 * src/test/resources/org/sparkcnn/driver/ParserFuzzTestInputs/<method>/: the shipped conf/*.yaml
 * and conf/models/*.yaml, checkpoints written by Checkpoint.write, and every input that once
 * failed. JAZZER_FUZZ=1 fuzzes one method for FUZZ_TIME (docs/testing.md, "Fuzzing the parsers").
 */
package org.sparkcnn.driver.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sparkcnn.engine.FuzzChecks.assertExactCounts;
import static org.sparkcnn.engine.FuzzChecks.assertNames;
import static org.sparkcnn.engine.FuzzChecks.withCrc;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.driver.persist.Checkpoint;
import org.sparkcnn.engine.Architecture;
import org.sparkcnn.engine.Shape;

class ParserFuzzTest {
  /** How long JAZZER_FUZZ=1 fuzzes one method. */
  static final String FUZZ_TIME = "60s";

  /** Larger inputs are skipped: the formats' size checks are reached well below this. */
  static final int MAX_INPUT = 256 << 10;

  /** The data shapes a model definition is built for: MNIST's and CIFAR's. */
  private static final List<Shape> INPUTS = List.of(Shape.of(1, 28, 28), Shape.of(3, 32, 32));

  @TempDir static Path dir;

  /** The YAML file is the bytes up to the first NUL; each NUL-separated string after is a --set. */
  @FuzzTest(maxDuration = FUZZ_TIME)
  void jobConfig(byte[] data) throws IOException {
    if (data.length > MAX_INPUT) {
      return;
    }
    int nul = 0;
    while (nul < data.length && data[nul] != 0) {
      nul++;
    }
    Path file = Files.write(dir.resolve("fuzz-job.yaml"), Arrays.copyOf(data, nul));
    List<String> overrides =
        nul == data.length
            ? List.of()
            : List.of(
                new String(data, nul + 1, data.length - nul - 1, StandardCharsets.UTF_8)
                    .split("\0"));
    JobConfig c;
    try {
      c = JobConfig.load(file, overrides);
    } catch (JobConfig.ConfigException e) {
      assertNames(e, file.toString());
      return;
    }
    Map<String, Object> saved = JobConfig.parse(c.toYaml(), "saved", List.of()).asMap();
    assertEquals(c.asMap(), saved, "the config read back from its toYaml()");
  }

  @FuzzTest(maxDuration = FUZZ_TIME)
  void modelDefinition(byte[] data) throws IOException {
    if (data.length > MAX_INPUT) {
      return;
    }
    Path file = Files.write(dir.resolve("fuzz-model.yaml"), data);
    Map<String, Object> doc;
    try {
      doc = ModelCatalog.file(file);
    } catch (IllegalArgumentException e) {
      assertNames(e, file.toString());
      return;
    }
    for (Shape input : INPUTS) {
      try {
        Architecture a = ModelCatalog.build(doc, file.toString(), input, 10);
        assertExactCounts(a);
      } catch (IllegalArgumentException e) {
        assertNames(e, file.toString());
      }
    }
  }

  @FuzzTest(maxDuration = FUZZ_TIME)
  void checkpoint(byte[] data) {
    if (data.length > MAX_INPUT) {
      return;
    }
    readCheckpoint(data);
    readCheckpoint(withCrc(data)); // the same bytes behind a valid checksum, to reach the fields
  }

  private static void readCheckpoint(byte[] data) {
    try {
      Checkpoint c = Checkpoint.read(new ByteArrayInputStream(data), "step-000000011.ckpt");
      assertExactCounts(c.architecture());
      assertEquals(c.architecture().paramCount(), c.params().length);
      assertEquals(c.architecture().bufferCount(), c.buffers().length);
      assertEquals(c.normalizeMean().length, c.normalizeStd().length);
    } catch (IOException e) {
      assertNames(e, "step-000000011.ckpt");
    }
  }
}

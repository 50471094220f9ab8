/*
 * Fuzz tests (Jazzer) of the engine's readers of files that come from outside: model files
 * (ModelFile), safetensors (SafeTensors) and ONNX models (OnnxImport). Whatever bytes it is given,
 * a reader must return a model whose vectors fit its architecture or throw its documented
 * IOException with a message that names the file; any other exception or error is a finding.
 * A plain test run replays the corpus in src/test/resources/org/sparkcnn/engine/
 * ParserFuzzTestInputs/<method>/: seeds written by the engine's own writers, and every input that
 * once failed. JAZZER_FUZZ=1 fuzzes one method for FUZZ_TIME (docs/testing.md, "Fuzzing the parsers").
 */
package org.sparkcnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sparkcnn.engine.FuzzChecks.assertExactCounts;
import static org.sparkcnn.engine.FuzzChecks.assertNames;
import static org.sparkcnn.engine.FuzzChecks.withCrc;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class ParserFuzzTest {
  /** How long JAZZER_FUZZ=1 fuzzes one method. */
  static final String FUZZ_TIME = "60s";

  /** Larger inputs are skipped: the formats' size checks are reached well below this. */
  static final int MAX_INPUT = 256 << 10;

  @TempDir static Path dir;

  @FuzzTest(maxDuration = FUZZ_TIME)
  void modelFile(byte[] data) {
    if (data.length > MAX_INPUT) {
      return;
    }
    readModel(data);
    readModel(withCrc(data)); // the same bytes behind a valid checksum, to reach the fields
  }

  private static void readModel(byte[] data) {
    try {
      ModelFile.Contents c = ModelFile.read(new ByteArrayInputStream(data), "fuzz.scnn");
      assertExactCounts(c.architecture());
      assertEquals(c.architecture().paramCount(), c.params().length);
      assertEquals(c.architecture().bufferCount(), c.buffers().length);
    } catch (IOException e) {
      assertNames(e, "fuzz.scnn");
    }
  }

  @FuzzTest(maxDuration = FUZZ_TIME)
  void safeTensors(byte[] data) throws IOException {
    if (data.length > MAX_INPUT) {
      return;
    }
    Path file = Files.write(dir.resolve("fuzz.safetensors"), data);
    try {
      SafeTensors st = SafeTensors.open(file);
      for (SafeTensors.Entry e : st.entries().values()) {
        if (SafeTensors.isFloat(e.dtype())) {
          assertEquals(e.elements(), st.floats(e.name()).length);
        }
      }
    } catch (SafeTensors.FormatException e) {
      assertNames(e, file.toString());
    }
  }

  @FuzzTest(maxDuration = FUZZ_TIME)
  void onnxImport(byte[] data) throws IOException {
    if (data.length > MAX_INPUT) {
      return;
    }
    Path file = Files.write(dir.resolve("fuzz.onnx"), data);
    try {
      OnnxImport.Result r = OnnxImport.read(file);
      assertExactCounts(r.architecture());
      assertEquals(r.architecture().paramCount(), r.vectors().params.length);
      assertEquals(r.architecture().bufferCount(), r.vectors().buffers.length);
    } catch (IOException e) {
      assertNames(e, file.toString());
    }
  }
}

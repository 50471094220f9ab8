/*
 * Fuzz tests (Jazzer) of the data readers of files that come from outside: MNIST's IDX files,
 * plain or gzipped (IdxReader), CIFAR binary records (CifarSource.checkRecords) and the
 * _sparkcnn.json of a prepared Parquet folder (ParquetMeta). Whatever bytes it is given, a reader
 * must return data that agrees with itself or throw its documented exception (IOException for
 * IdxReader, IllegalArgumentException for the others) with a message that names the file; any
 * other exception or error is a finding. A plain test run replays the corpus in
 * src/test/resources/org/sparkcnn/data/ParserFuzzTestInputs/<method>/: seeds made from real
 * MNIST files and by the project's writers, and every input that once failed. JAZZER_FUZZ=1
 * fuzzes one method for FUZZ_TIME (docs/testing.md, "Fuzzing the parsers").
 */
package org.sparkcnn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparkcnn.engine.FuzzChecks.assertNames;

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
  void idx(byte[] data) {
    if (data.length > MAX_INPUT) {
      return;
    }
    try {
      IdxReader.Images im = IdxReader.readImages(new ByteArrayInputStream(data), "fuzz-idx3");
      assertEquals(
          Math.multiplyExact(Math.multiplyExact((long) im.count(), im.rows()), im.cols()),
          im.pixels().length);
    } catch (IOException e) {
      assertNames(e, "fuzz-idx3");
    }
    try {
      IdxReader.readLabels(new ByteArrayInputStream(data), "fuzz-idx1");
    } catch (IOException e) {
      assertNames(e, "fuzz-idx1");
    }
  }

  @FuzzTest(maxDuration = FUZZ_TIME)
  void cifarRecords(byte[] data) {
    if (data.length > MAX_INPUT) {
      return;
    }
    for (String name : CifarSource.NAMES) {
      try {
        new CifarSource("data", name, 0, 0).checkRecords(data, "fuzz.bin");
      } catch (IllegalArgumentException e) {
        assertNames(e, "fuzz.bin");
      }
    }
  }

  @FuzzTest(maxDuration = FUZZ_TIME)
  void parquetMeta(byte[] data) throws IOException {
    if (data.length > MAX_INPUT) {
      return;
    }
    Path file = Files.write(dir.resolve(ParquetMeta.FILE), data);
    try {
      ParquetMeta m = ParquetMeta.read(dir);
      assertTrue(m.classNames().isEmpty() || m.classNames().size() == m.classes());
      assertEquals(Split.values().length, m.splits().size());
    } catch (IllegalArgumentException e) {
      assertNames(e, file.toString());
    }
  }
}

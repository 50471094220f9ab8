/*
 * Checkpoint files and their folder, without Spark: a checkpoint reads back bit for bit, only the
 * newest two are kept, no temporary file is left, and a damaged newest checkpoint (a flipped byte,
 * a cut-off tail) is passed over for the previous one with a warning that names the file. A
 * write that fails part way (FailingFileSystem) or cannot start leaves the previous checkpoint,
 * and the previous model.scnn, loadable and unchanged.
 */
package org.sparkcnn.driver.persist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.driver.config.JobConfig;
import org.sparkcnn.driver.config.Keys;
import org.sparkcnn.driver.config.TrainingPlan;
import org.sparkcnn.engine.Architecture;
import org.sparkcnn.engine.ModelFile;
import org.sparkcnn.engine.Rng;

class CheckpointsTest {
  @TempDir Path dir;

  private static final JobConfig CONFIG =
      JobConfig.resolve(
          Map.of("data.train_size", 100, "data.test_size", 10, "model.name", "slides-conv"),
          "test");

  private static Checkpoint checkpoint(long step) {
    Architecture arch = TrainingPlan.from(CONFIG).architecture();
    Rng rng = Rng.of(step);
    float[] params = new float[arch.paramCount()];
    float[] momentum = new float[arch.paramCount()];
    for (int i = 0; i < params.length; i++) {
      params[i] = (float) rng.nextGaussian();
      momentum[i] = rng.nextFloat();
    }
    params[0] = -0f;
    params[1] = Float.MIN_VALUE;
    var state =
        new Checkpoint.State(2, 3, 8, step, step - 1, 42, 3, 0.1 + step / 7.0, 17, 24, 1, 12.5);
    return new Checkpoint(
        arch,
        CONFIG.toYaml(),
        state,
        params,
        new float[arch.bufferCount()],
        momentum,
        new float[] {0.25f, 0.5f, 1f / 3},
        new float[] {1f, 2f, 3f});
  }

  private Checkpoints folder() {
    return Checkpoints.of(CONFIG, dir);
  }

  private List<String> files() throws IOException {
    try (Stream<Path> s = Files.list(dir.resolve(Checkpoints.DEFAULT_DIR))) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aCheckpointReadsBackBitForBit() throws Exception {
    Checkpoint c = checkpoint(5);
    String file = folder().save(c);
    Checkpoint back;
    try (InputStream in = Files.newInputStream(Path.of(java.net.URI.create(file)))) {
      back = Checkpoint.read(in, file);
    }
    assertEquals(c.state(), back.state());
    assertEquals(c.config(), back.config());
    assertArrayEquals(c.params(), back.params());
    assertArrayEquals(c.momentum(), back.momentum());
    assertArrayEquals(c.buffers(), back.buffers());
    assertArrayEquals(c.normalizeMean(), back.normalizeMean());
    assertArrayEquals(c.normalizeStd(), back.normalizeStd());
    assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(back.params()[0]));
    assertEquals(c.architecture().paramCount(), back.architecture().paramCount());
  }

  @Test
  void onlyTheNewestTwoAreKeptAndNoTemporaryFileRemains() throws Exception {
    Checkpoints f = folder();
    for (long step : new long[] {3, 6, 8, 9}) {
      f.save(checkpoint(step));
    }
    assertEquals(List.of("step-000000008.ckpt", "step-000000009.ckpt"), files());
    assertEquals(9, f.latestValid(m -> {}).checkpoint().state().globalStep());
  }

  @Test
  void aDamagedNewestCheckpointFallsBackToThePreviousWithAWarning() throws Exception {
    Checkpoints f = folder();
    f.save(checkpoint(6));
    Path newest = Path.of(java.net.URI.create(f.save(checkpoint(9))));
    byte[] bytes = Files.readAllBytes(newest);
    bytes[bytes.length / 2] ^= 0x10;
    Files.write(newest, bytes);
    List<String> warnings = new ArrayList<>();
    Checkpoints.Loaded l = f.latestValid(warnings::add);
    assertEquals(6, l.checkpoint().state().globalStep());
    assertEquals(1, warnings.size());
    assertTrue(
        warnings.get(0).contains(newest.toString())
            && warnings.get(0).contains("checksum")
            && warnings.get(0).contains("falling back"),
        warnings.get(0));

    Files.write(newest, Arrays.copyOf(bytes, bytes.length / 3)); // truncated
    warnings.clear();
    assertEquals(6, f.latestValid(warnings::add).checkpoint().state().globalStep());
    assertTrue(warnings.get(0).contains("damaged or truncated"), warnings.get(0));
  }

  @Test
  void noUsableCheckpointIsAClearError() throws Exception {
    var none = assertThrows(JobConfig.ConfigException.class, () -> folder().latestValid(m -> {}));
    assertTrue(
        none.getMessage().contains("no checkpoint in")
            && none.getMessage().contains(Checkpoints.DEFAULT_DIR),
        none.getMessage());

    Path only = Path.of(java.net.URI.create(folder().save(checkpoint(4))));
    Files.write(only, new byte[] {'S', 'C', 'K'});
    var damaged =
        assertThrows(JobConfig.ConfigException.class, () -> folder().latestValid(m -> {}));
    assertTrue(
        damaged.getMessage().contains("no usable checkpoint")
            && damaged.getMessage().contains(only.toString())
            && damaged.getMessage().contains("not a sparkcnn checkpoint"),
        damaged.getMessage());
  }

  @Test
  void trainCheckpointDirTakesAHadoopUri() throws Exception {
    Path elsewhere = dir.resolve("elsewhere");
    Checkpoints f =
        Checkpoints.of(
            CONFIG.with(Keys.CHECKPOINT_DIR, elsewhere.toUri().toString()), dir.resolve("run"));
    f.save(checkpoint(7));
    assertTrue(Files.isRegularFile(elsewhere.resolve("step-000000007.ckpt")));
    assertEquals(
        List.of("step-000000007.ckpt"),
        Files.list(elsewhere).map(p -> p.getFileName().toString()).toList(),
        "no .crc side file, no temporary");
    assertEquals(7, f.latestValid(m -> {}).checkpoint().state().globalStep());
  }

  @Test
  void aCheckpointDirectoryOfAnUnknownFileSystemIsAConfigError() {
    var e =
        assertThrows(
            JobConfig.ConfigException.class,
            () -> Checkpoints.of(CONFIG.with(Keys.CHECKPOINT_DIR, "nosuchfs://host/ckpt"), dir));
    assertTrue(
        e.getMessage().contains("key 'train.checkpoint_dir'")
            && e.getMessage().contains("nosuchfs://host/ckpt"),
        e.getMessage());
  }

  @Test
  void aWriteThatFailsKeepsThePreviousCheckpointLoadable() throws Exception {
    System.setProperty("spark.hadoop.fs.failfs.impl", FailingFileSystem.class.getName());
    System.setProperty("spark.hadoop.fs.failfs.impl.disable.cache", "true");
    try {
      String url = FailingFileSystem.SCHEME + "://" + dir.resolve("ckpt").toAbsolutePath();
      Checkpoints folder = Checkpoints.of(CONFIG.with(Keys.CHECKPOINT_DIR, url), dir);
      folder.save(checkpoint(5));
      for (long failAfter : new long[] {0, 100, 5_000}) {
        FailingFileSystem.failAfter = failAfter;
        try {
          IOException e = assertThrows(IOException.class, () -> folder.save(checkpoint(9)));
          assertTrue(e.getMessage().contains("no space left"), e.getMessage());
        } finally {
          FailingFileSystem.failAfter = -1;
        }
        List<String> warnings = new ArrayList<>();
        Checkpoints.Loaded l = folder.latestValid(warnings::add);
        assertEquals(5, l.checkpoint().state().globalStep());
        assertArrayEquals(checkpoint(5).params(), l.checkpoint().params());
        assertEquals(List.of(), warnings, "the half-written file is not taken for a checkpoint");
      }
      folder.save(checkpoint(9)); // the next write, with space again, goes through
      assertEquals(9, folder.latestValid(w -> {}).checkpoint().state().globalStep());
    } finally {
      System.clearProperty("spark.hadoop.fs.failfs.impl");
      System.clearProperty("spark.hadoop.fs.failfs.impl.disable.cache");
    }
  }

  private static ModelFile.Contents model(long step) {
    Checkpoint c = checkpoint(step);
    return new ModelFile.Contents(c.architecture(), c.params(), c.buffers(), Map.of("step", step));
  }

  @Test
  void aModelFileThatCannotBeWrittenKeepsThePreviousOne() throws Exception {
    RunFolder run = RunFolder.create(dir.resolve("run"), CONFIG);
    run.saveModel(model(5));
    byte[] before = Files.readAllBytes(run.dir().resolve(RunFolder.MODEL));
    // the temporary name taken by a folder: the write fails as on a full or read-only disk
    Files.createDirectories(run.dir().resolve(RunFolder.MODEL + ".tmp").resolve("x"));
    assertThrows(IOException.class, () -> run.saveModel(model(9)));
    assertArrayEquals(before, Files.readAllBytes(run.dir().resolve(RunFolder.MODEL)));
  }
}

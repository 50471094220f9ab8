/* Config parsing and checking: typed keys, overrides, and one clear message per problem. */
package org.sparkcnn.driver.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.data.cache.DataCache;

class JobConfigTest {
  @TempDir Path dir;

  private Path yaml(String text) throws IOException {
    Path f = dir.resolve("job.yaml");
    Files.writeString(f, text);
    return f;
  }

  @Test
  void readsNestedKeysAndAppliesOverrides() throws IOException {
    JobConfig c =
        JobConfig.load(
            yaml("train:\n  epochs: 5\noptim:\n  lr: 0.1\n"),
            List.of("train.epochs=2", "data.source=mnist"));
    assertEquals(2, c.get(Keys.EPOCHS));
    assertEquals(0.1, c.get(Keys.LR));
    assertEquals("mnist", c.get(Keys.DATA_SOURCE));
    assertEquals(64, c.get(Keys.BATCH_SIZE)); // default
  }

  @Test
  void unknownKeyIsNamedWithASuggestion() throws IOException {
    var e =
        assertThrows(
            JobConfig.ConfigException.class,
            () -> JobConfig.load(yaml("train:\n  epoch: 5\n"), List.of()));
    assertTrue(e.getMessage().contains("unknown key 'train.epoch'"), e.getMessage());
    assertTrue(e.getMessage().contains("did you mean 'train.epochs'"), e.getMessage());
  }

  @Test
  void badValuesAreAllReportedInOneMessage() throws IOException {
    var e =
        assertThrows(
            JobConfig.ConfigException.class,
            () -> JobConfig.load(yaml("optim:\n  lr: -0.1\ntrain:\n  epochs: many\n"), List.of()));
    assertTrue(
        e.getMessage().contains("key 'optim.lr': expected a number > 0, got -0.1"), e.getMessage());
    assertTrue(
        e.getMessage().contains("key 'train.epochs': expected an integer >= 1, got 'many'"),
        e.getMessage());
  }

  @Test
  void choicesAreEnumsSpeltInLowerCase() throws IOException {
    JobConfig c =
        JobConfig.load(
            yaml("train:\n  aggregation: allreduce\n"),
            List.of("data.cache_storage=memory_and_disk", "model.init=xavier"));
    assertEquals(Choices.Aggregation.ALLREDUCE, c.get(Keys.AGGREGATION));
    assertEquals(DataCache.Storage.MEMORY_AND_DISK, c.get(Keys.DATA_CACHE_STORAGE));
    assertEquals(org.sparkcnn.engine.Init.XAVIER, c.get(Keys.MODEL_INIT));
    assertEquals(Choices.Execution.BARRIER, c.get(Keys.EXECUTION)); // default
    assertTrue(c.toYaml().contains("  aggregation: allreduce\n"), c.toYaml());
    assertEquals(c.asMap(), c.with(Keys.LR, 0.5).with(Keys.LR, c.get(Keys.LR)).asMap());
    var e =
        assertThrows(
            JobConfig.ConfigException.class,
            () ->
                JobConfig.load(
                    yaml("train:\n  aggregation: ALLREDUCE\n"), List.of("model.init=1")));
    assertTrue(
        e.getMessage()
            .contains(
                "key 'train.aggregation': expected one of [tree, allreduce, sharded],"
                    + " got 'ALLREDUCE'"),
        e.getMessage());
    assertTrue(
        e.getMessage().contains("key 'model.init': expected one of [he, xavier], got 1 (integer)"),
        e.getMessage());
  }

  @Test
  void aSeedBeyondLongIsRefusedNotTruncated() throws IOException {
    var e =
        assertThrows(
            JobConfig.ConfigException.class,
            () -> JobConfig.load(yaml("train:\n  seed: 18446744073709551658\n"), List.of()));
    assertTrue(e.getMessage().contains("key 'train.seed': expected an integer"), e.getMessage());
    assertEquals(-7L, JobConfig.load(yaml("train:\n  seed: -7\n"), List.of()).get(Keys.SEED));
  }

  @Test
  void aliasesThatNestAMappingInItselfAreRefused() throws IOException {
    var e =
        assertThrows(
            JobConfig.ConfigException.class,
            () -> JobConfig.load(yaml("train: &t\n  epochs: 2\n  again: *t\n"), List.of()));
    assertTrue(
        e.getMessage().contains("an alias of a list or mapping inside itself"), e.getMessage());
  }

  @Test
  void malformedOverrideAndMissingFileAreClear() throws IOException {
    var e =
        assertThrows(
            JobConfig.ConfigException.class,
            () -> JobConfig.load(yaml("train:\n  epochs: 1\n"), List.of("nonsense")));
    assertTrue(e.getMessage().contains("expected key=value"), e.getMessage());
    var missing =
        assertThrows(
            JobConfig.ConfigException.class,
            () -> JobConfig.load(dir.resolve("nope.yaml"), List.of()));
    assertTrue(missing.getMessage().contains("nope.yaml does not exist"), missing.getMessage());
  }

  @Test
  void resolvedYamlReadsBackToTheSameConfig() throws IOException {
    JobConfig c = JobConfig.load(yaml("train:\n  epochs: 7\n"), List.of("optim.lr=0.5"));
    JobConfig again = JobConfig.load(yaml(c.toYaml()), List.of());
    assertEquals(c.asMap(), again.asMap());
  }

  @Test
  void everyKeyIsDocumentedInConfReadme() throws IOException {
    String readme =
        Files.readString(Path.of(System.getProperty("sparkcnn.root"), "conf", "README.md"));
    for (ConfigKey<?> k : Keys.ALL) {
      assertTrue(
          readme.contains("`" + k.name() + "`"), "conf/README.md does not document " + k.name());
    }
  }

  @Test
  void shippedConfigsAreValid() {
    for (String name :
        List.of(
            "quickstart.yaml",
            "lenet-mnist.yaml",
            "quickstart-augment.yaml",
            "fashion-lenet5.yaml")) {
      JobConfig.load(Path.of(System.getProperty("sparkcnn.root"), "conf", name), List.of());
    }
  }
}

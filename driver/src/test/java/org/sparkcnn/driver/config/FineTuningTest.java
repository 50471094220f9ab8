/*
 * Fine-tuning as the course slides teach it: a LeNet-5 trained on MNIST, its convolution layers
 * frozen and its classifier head replaced, trained on Fashion-MNIST. The frozen weights come out
 * bit-identical, the head is new, the rest has trained, the tasks adding among themselves
 * (allreduce) write the same model, and bad layer names fail before Spark.
 */
package org.sparkcnn.driver.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.driver.TestSpark;
import org.sparkcnn.driver.persist.RunFolder;
import org.sparkcnn.driver.train.Trainer;
import org.sparkcnn.engine.Architecture;
import org.sparkcnn.engine.ModelFile;
import org.sparkcnn.engine.SharedData;

class FineTuningTest {
  @TempDir Path dir;

  private Trainer.Result train(String source, Path run, Map<String, Object> extra)
      throws Exception {
    Map<String, Object> keys =
        new HashMap<>(
            Map.of(
                "data.source",
                source,
                "data.dir",
                SharedData.root().resolve("datasets").toString(),
                "data.train_size",
                3000,
                "data.test_size",
                500,
                "train.epochs",
                1,
                "train.partitions",
                2));
    keys.putAll(extra);
    JobConfig c = JobConfig.resolve(keys, "test");
    return new Trainer(TrainingPlan.from(c), RunFolder.create(run, c)).run(TestSpark.get());
  }

  private static ModelFile.Contents read(Path file) throws Exception {
    try (InputStream in = Files.newInputStream(file)) {
      return ModelFile.read(in, file.toString());
    }
  }

  private static float[] slice(ModelFile.Contents m, String layer) {
    Architecture a = m.architecture();
    int i = a.indexOf(layer);
    return Arrays.copyOfRange(m.params(), a.paramOffset(i), a.paramOffset(i + 1));
  }

  @Test
  void frozenConvolutionsStayBitIdenticalWhileTheNewHeadTrains() throws Exception {
    train("mnist", dir.resolve("mnist"), Map.of());
    Path source = dir.resolve("mnist").resolve(RunFolder.MODEL);
    Map<String, Object> tune =
        Map.of(
            "finetune.from",
            source.toString(),
            "finetune.freeze",
            java.util.List.of("conv*"),
            "finetune.reinit",
            "fc2");
    Trainer.Result tuned = train("fashion-mnist", dir.resolve("fashion"), tune);
    ModelFile.Contents before = read(source);
    ModelFile.Contents after = read(dir.resolve("fashion").resolve(RunFolder.MODEL));
    assertArrayEquals(slice(before, "conv1"), slice(after, "conv1"));
    assertArrayEquals(slice(before, "conv2"), slice(after, "conv2"));
    assertFalse(Arrays.equals(slice(before, "fc1"), slice(after, "fc1")), "fc1 trains");
    assertFalse(Arrays.equals(slice(before, "fc2"), slice(after, "fc2")), "fc2 is a new head");
    assertTrue(tuned.testAccuracy() > 0.6, "Fashion-MNIST accuracy " + tuned.testAccuracy());

    // the tasks adding among themselves, each updating only the unfrozen part of its chunks
    Map<String, Object> allreduce = new HashMap<>(tune);
    allreduce.put("train.aggregation", "allreduce");
    train("fashion-mnist", dir.resolve("fashion-allreduce"), allreduce);
    assertArrayEquals(
        Files.readAllBytes(dir.resolve("fashion").resolve(RunFolder.MODEL)),
        Files.readAllBytes(dir.resolve("fashion-allreduce").resolve(RunFolder.MODEL)),
        "allreduce writes the model the driver's sum writes");
  }

  @Test
  void unknownLayerNamesAndAMissingFileFailBeforeSpark() {
    Map<String, Object> keys = Map.of("finetune.from", dir.resolve("none.scnn").toString());
    var missing =
        assertThrows(
            JobConfig.ConfigException.class,
            () -> TrainingPlan.from(JobConfig.resolve(keys, "test")));
    assertTrue(missing.getMessage().contains("none.scnn does not exist"), missing.getMessage());
    var noFrom =
        assertThrows(
            JobConfig.ConfigException.class,
            () -> TrainingPlan.from(JobConfig.resolve(Map.of("finetune.freeze", "conv1"), "test")));
    assertTrue(noFrom.getMessage().contains("need 'finetune.from'"), noFrom.getMessage());
  }
}

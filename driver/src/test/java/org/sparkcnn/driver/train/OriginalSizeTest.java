/*
 * ImageNet-style training from the original-size files: with data.cache encoded and a pipeline
 * whose first op takes any size (random_resized_crop for training, resize + center_crop for
 * evaluation), each step decodes its files straight into the pipeline (EncodedAugmenter), the
 * crop drawn from the file's own size, not from the data.image_size decode. On a folder of JPEGs
 * of different shapes written here (2 classes, bright or dark square), a run completes, two runs
 * write the same model file bit for bit (with data.prefetch too, and with every JPEG through
 * javax.imageio: data.jpeg_decoder imageio), and the first training batch
 * holds for a sample exactly the pixels EncodedAugmenter gives that file by hand for the same
 * (seed, epoch, id). Train and evaluation pipelines that make samples of different shapes are a
 * config error.
 */
package org.sparkcnn.driver.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.data.Block;
import org.sparkcnn.data.augment.EncodedAugmenter;
import org.sparkcnn.data.augment.Pipeline;
import org.sparkcnn.data.batch.Batch;
import org.sparkcnn.data.cache.TrainingData;
import org.sparkcnn.driver.TestImages;
import org.sparkcnn.driver.TestSpark;
import org.sparkcnn.driver.config.JobConfig;
import org.sparkcnn.driver.config.TrainingPlan;
import org.sparkcnn.driver.persist.RunFolder;

class OriginalSizeTest {
  private static final int[][] SIZES = {{60, 40}, {37, 90}, {48, 48}}; // {w, h}
  @TempDir Path dir;

  /** JPEGs of the SIZES in turn: class a a bright square on noise, class b a dark one. */
  static Path jpegFolder(Path root, int train, int test) throws Exception {
    return TestImages.folder(
        root, train, test, 5, 3, TestImages.layout((i, r) -> SIZES[i % SIZES.length], i -> "jpg"));
  }

  private static final List<Object> NORMALIZE =
      List.of(
          Map.of(
              "op", "normalize", "mean", List.of(0.5, 0.5, 0.5), "std", List.of(0.25, 0.25, 0.25)));

  private JobConfig config(Path root, Map<String, Object> more) throws Exception {
    Files.writeString(
        dir.resolve("net.yaml"),
        String.join(
            "\n",
            "layers:",
            "  - conv2d: {out: 6, kernel: 3, padding: 1}",
            "  - relu",
            "  - max_pool2d: {kernel: 2}",
            "  - flatten",
            "  - linear: {out: $classes}",
            ""));
    Map<String, Object> keys =
        new HashMap<>(
            Map.of(
                "data.source",
                "folder",
                "data.dir",
                root.toString(),
                "data.image_size",
                24,
                "data.cache",
                "encoded",
                "train.epochs",
                2,
                "train.batch_size",
                8,
                "train.partitions",
                2,
                "model.file",
                dir.resolve("net.yaml").toString(),
                "eval.batch_size",
                3));
    keys.put(
        "data.augment",
        List.of(
            Map.of("op", "random_resized_crop", "size", 16),
            Map.of("op", "hflip"),
            NORMALIZE.get(0)));
    keys.put(
        "data.eval_transform",
        List.of(
            Map.of("op", "resize", "size", 20),
            Map.of("op", "center_crop", "size", 16),
            NORMALIZE.get(0)));
    keys.putAll(more);
    return JobConfig.resolve(keys, "test");
  }

  private byte[] train(String name, Path root, Map<String, Object> keys) throws Exception {
    JobConfig c = config(root, keys);
    Path run = dir.resolve(name);
    new Trainer(TrainingPlan.from(c), RunFolder.create(run, c)).run(TestSpark.get());
    return Files.readAllBytes(run.resolve(RunFolder.MODEL));
  }

  /** The bytes of the file a block names (a path, or a file: URI as Spark lists it). */
  private static byte[] file(String path) throws Exception {
    return Files.readAllBytes(path.startsWith("file:") ? Path.of(URI.create(path)) : Path.of(path));
  }

  @Test
  void trainsFromTheOriginalFilesDeterministically() throws Exception {
    Path root = jpegFolder(dir.resolve("images"), 30, 9);
    byte[] first = train("one", root, Map.of());
    byte[] second = train("two", root, Map.of());
    byte[] prefetched = train("prefetch", root, Map.of("data.prefetch", true));
    byte[] imageio = train("imageio", root, Map.of("data.jpeg_decoder", "imageio"));
    assertArrayEquals(first, second);
    assertArrayEquals(first, prefetched);
    assertArrayEquals(first, imageio, "data.jpeg_decoder: imageio decodes the same pixels");
    List<String> metrics = Files.readAllLines(dir.resolve("one").resolve(RunFolder.METRICS));
    assertEquals(2, metrics.size(), "one line per epoch: " + metrics);
    assertTrue(metrics.get(1).contains("test_accuracy"), metrics.get(1));
  }

  @Test
  void theFirstBatchIsEncodedAugmenterOnTheFile() throws Exception {
    Path root = jpegFolder(dir.resolve("images"), 30, 9);
    TrainingPlan plan = TrainingPlan.from(config(root, Map.of()));
    Pipeline pipe = plan.augment().train();
    assertTrue(Batch.fromFiles(pipe) && Batch.fromFiles(plan.augment().eval()));
    assertEquals(
        List.of(3, 16, 16), List.of(pipe.output().c(), pipe.output().h(), pipe.output().w()));
    TrainingData data = TrainingData.prepare(TestSpark.get(), plan.dataSpec(), 2);
    try {
      Block block = data.train().collect().get(1);
      assertTrue(block.isEncoded());
      int n = data.batches().localBatch(block.partition());
      int[] order = block.epochOrder(plan.seed(), 0);
      Batch batch = new Batch();
      batch.ensure(n, pipe.output().size(), 2);
      batch.fill(
          new Batch.Recipe(pipe, data.norm(), data.decoder(), plan.seed(), 2),
          block,
          order,
          0,
          n,
          0);

      int size = pipe.output().size();
      for (int i : new int[] {0, n - 1}) {
        int s = order[i];
        float[] expected = new float[size];
        new EncodedAugmenter()
            .augment(
                pipe, file(block.path(s)), block.path(s), plan.seed(), 0, block.id(s), expected, 0);
        assertArrayEquals(
            expected,
            Arrays.copyOfRange(batch.x, i * size, (i + 1) * size),
            "sample " + block.id(s) + " (" + block.path(s) + ")");
        assertEquals(block.label(s), batch.y[i]);
      }
      // the crop came from the file, not from its 24x24 decode: epoch 1 draws another window
      float[] other = new float[size];
      new EncodedAugmenter()
          .augment(
              pipe,
              file(block.path(order[0])),
              block.path(order[0]),
              plan.seed(),
              1,
              block.id(order[0]),
              other,
              0);
      assertFalse(Arrays.equals(other, Arrays.copyOfRange(batch.x, 0, size)));
    } finally {
      data.train().unpersist(true);
      data.test().unpersist(true);
    }
  }

  @Test
  void trainAndEvalSamplesOfDifferentShapesAreAConfigError() throws Exception {
    Path root = jpegFolder(dir.resolve("images"), 6, 2);
    JobConfig c =
        config(
            root,
            Map.of(
                "data.eval_transform",
                List.of(
                    Map.of("op", "resize", "size", 20),
                    Map.of("op", "center_crop", "size", 18),
                    NORMALIZE.get(0))));
    var e = assertThrows(JobConfig.ConfigException.class, () -> TrainingPlan.from(c));
    assertTrue(
        e.getMessage()
            .contains("evaluation samples come out 3x18x18 but training samples" + " 3x16x16"),
        e.getMessage());
  }
}

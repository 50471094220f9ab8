/*
 * data.prefetch through the trainer and the executor step: with per-sample augmentation, cutmix
 * soft targets and gradient accumulation, a run with prefetch writes the same model file, bit for
 * bit, as one without (and its tasks did take prefetched batches); a step that finds its batch
 * prefetched computes the same gradient as its retry elsewhere (nothing prefetched) and as a
 * step without prefetch; and an image that fails to decode while prepared in the background (a
 * cached file gone bad: the encoded cache checks every file when it is built) is named by the task
 * that needed it.
 */
package org.sparkcnn.driver.step;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.data.Block;
import org.sparkcnn.data.EncodedSample;
import org.sparkcnn.data.batch.Batch;
import org.sparkcnn.data.batch.Prefetcher;
import org.sparkcnn.data.cache.TrainingData;
import org.sparkcnn.driver.TestSpark;
import org.sparkcnn.driver.config.JobConfig;
import org.sparkcnn.driver.config.Keys;
import org.sparkcnn.driver.config.TrainingPlan;
import org.sparkcnn.driver.persist.RunFolder;
import org.sparkcnn.driver.sync.StepResult;
import org.sparkcnn.driver.train.EncodedCacheTest;
import org.sparkcnn.driver.train.Trainer;
import org.sparkcnn.engine.Rng;

class PrefetchTest {
  @TempDir Path dir;

  private static final List<Object> AUGMENT =
      List.of(
          Map.of("op", "random_crop", "size", 32, "padding", 2),
          Map.of("op", "hflip"),
          Map.of("op", "color_jitter", "brightness", 0.2, "contrast", 0.2),
          Map.of("op", "cutout", "size", 6, "p", 0.5),
          Map.of("op", "cutmix", "p", 0.5));

  private JobConfig config(Map<String, Object> more) throws Exception {
    Files.writeString(
        dir.resolve("net.yaml"),
        String.join(
            "\n",
            "layers:",
            "  - conv2d: {out: 4, kernel: 3, stride: 2}",
            "  - relu",
            "  - max_pool2d: {kernel: 2}",
            "  - flatten",
            "  - linear: {out: $classes}",
            ""));
    Map<String, Object> keys =
        new HashMap<>(
            Map.of(
                "data.train_size",
                256,
                "data.test_size",
                64,
                "train.epochs",
                2,
                "train.partitions",
                2,
                "train.batch_size",
                16,
                "train.accumulate_steps",
                2,
                "model.file",
                dir.resolve("net.yaml").toString(),
                "data.augment",
                AUGMENT));
    keys.putAll(more);
    return JobConfig.resolve(keys, "test");
  }

  private byte[] train(String name, boolean prefetch) throws Exception {
    JobConfig c = config(Map.of("data.prefetch", prefetch));
    Path run = dir.resolve(name);
    new Trainer(TrainingPlan.from(c), RunFolder.create(run, c)).run(TestSpark.get());
    return Files.readAllBytes(run.resolve(RunFolder.MODEL));
  }

  @Test
  void prefetchDoesNotChangeTheModel() throws Exception {
    long before = Prefetcher.SHARED.taken();
    byte[] on = train("on", true);
    long taken = Prefetcher.SHARED.taken() - before;
    byte[] off = train("off", false);
    // 256 / 16 / 2 = 8 steps of 2 minibatches per epoch: all but each epoch's first minibatch
    // of each partition can be prefetched
    assertTrue(taken > 0 && taken <= 2 * 2 * 15, "prefetched batches taken: " + taken);
    assertEquals(taken, Prefetcher.SHARED.taken() - before, "none taken without data.prefetch");
    assertArrayEquals(off, on);
  }

  private static StepResult step(
      TrainingPlan plan,
      TrainingData data,
      Broadcast<float[]> w,
      Block block,
      String run,
      int epoch,
      int step,
      boolean prefetch) {
    var recipe =
        new Batch.Recipe(
            plan.augment().train(),
            data.norm(),
            data.decoder(),
            plan.seed(),
            plan.architecture().output().size());
    return new ExecutorStep(
            run,
            plan.architecture(),
            w,
            null,
            recipe,
            plan.loss(),
            data.batches(),
            epoch,
            step,
            plan.config().get(Keys.ACCUMULATE_STEPS),
            prefetch)
        .call(List.of(block).iterator())
        .next();
  }

  @Test
  void aPrefetchedStepComputesWhatItsRetryComputes() throws Exception {
    TrainingPlan plan = TrainingPlan.from(config(Map.of()));
    TrainingData data = TrainingData.prepare(TestSpark.get(), plan.dataSpec(), 2);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(TestSpark.get().sparkContext());
    Broadcast<float[]> w =
        jsc.broadcast(plan.architecture().initialise(plan.init(), Rng.of(1)).params);
    try {
      Block block = data.train().collect().get(1);
      step(plan, data, w, block, "retry-run", 1, 2, true); // leaves minibatch 6 prefetched
      long before = Prefetcher.SHARED.taken();
      StepResult prefetched = step(plan, data, w, block, "retry-run", 1, 3, true);
      assertEquals(before + 2, Prefetcher.SHARED.taken(), "both minibatches were prefetched");
      Prefetcher.SHARED.drop("retry-run");
      StepResult retry = step(plan, data, w, block, "retry-run", 1, 3, true);
      StepResult without = step(plan, data, w, block, "other-run", 1, 3, false);
      assertArrayEquals(retry.gradSum(), prefetched.gradSum());
      assertArrayEquals(without.gradSum(), prefetched.gradSum());
      assertEquals(without.lossSum(), prefetched.lossSum());
      Prefetcher.SHARED.drop("retry-run");
    } finally {
      data.train().unpersist(false);
      data.test().unpersist(false);
    }
  }

  /** block with sample i's file replaced by 3 bytes that do not decode, named zz-broken.jpg. */
  private static Block broken(Block block, int i) {
    List<EncodedSample> samples = new ArrayList<>();
    for (int j = 0; j < block.size(); j++) {
      byte[] file = Arrays.copyOfRange(block.files(), block.offsets()[j], block.offsets()[j + 1]);
      samples.add(
          j == i
              ? new EncodedSample(
                  block.id(j),
                  block.label(j),
                  new byte[] {(byte) 0xFF, (byte) 0xD8, 1},
                  "file:/images/train/a/zz-broken.jpg")
              : new EncodedSample(block.id(j), block.label(j), file, block.path(j)));
    }
    return Block.ofEncoded(block.partition(), block.shape(), samples);
  }

  @Test
  void aBadImagePreparedInTheBackgroundIsNamed() throws Exception {
    // the encoded cache checks every file when it is built, so a file that fails in a step is
    // one whose cached bytes went bad since: the block is corrupted here by hand
    Path root = EncodedCacheTest.imageFolder(dir.resolve("images"), 24, 4);
    TrainingPlan plan =
        TrainingPlan.from(
            JobConfig.resolve(
                Map.of(
                    "data.source",
                    "folder",
                    "data.dir",
                    root.toString(),
                    "data.image_size",
                    16,
                    "data.cache",
                    "encoded",
                    "data.normalize",
                    false,
                    "train.batch_size",
                    4,
                    "train.partitions",
                    2,
                    "model.file",
                    config(Map.of()).get(Keys.MODEL_FILE)),
                "test"));
    TrainingData data = TrainingData.prepare(TestSpark.get(), plan.dataSpec(), 2);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(TestSpark.get().sparkContext());
    Broadcast<float[]> w =
        jsc.broadcast(plan.architecture().initialise(plan.init(), Rng.of(1)).params);
    try {
      int broken = 5;
      Block block = broken(data.train().collect().get(0), broken);
      assertNotNull(block);
      int n = data.batches().localBatch(block.partition());
      int steps = data.batches().stepsPerEpoch();
      for (int epoch = 1; epoch < 100; epoch++) {
        int[] order = block.epochOrder(plan.seed(), epoch);
        int at = 0;
        while (order[at] != broken) {
          at++;
        }
        int micro = at / n;
        if (micro >= 1 && micro < steps) {
          step(plan, data, w, block, "bad-run", epoch, micro - 1, true); // prefetches micro
          Block b = block;
          int e = epoch;
          var error =
              assertThrows(
                  IllegalArgumentException.class,
                  () -> step(plan, data, w, b, "bad-run", e, micro, true));
          assertTrue(
              error.getMessage().contains("cannot decode the image")
                  && error.getMessage().contains("zz-broken.jpg"),
              error.getMessage());
          assertTrue(error.getSuppressed()[0].getMessage().contains("in the background"));
          return;
        }
      }
      throw new AssertionError("no epoch puts the broken image past a partition's first batch");
    } finally {
      data.train().unpersist(false);
      data.test().unpersist(false);
    }
  }
}

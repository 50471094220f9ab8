/*
 * data.partitioning and data.reshuffle_every end to end, on a small model with BatchNorm and
 * momentum over 3 partitions: a run that redeals its samples every epoch is reproduced bit for bit
 * (the same model file twice) and is not the run without redeals; and a run stopped after epoch
 * 1, or mid-epoch 2, and resumed across the reshuffle boundaries ends with the uninterrupted run's
 * model file, bit for bit, and its epoch lines. Changing either key on resume is refused. The
 * blocks of each round are checked in partitioning (TrainingDataTest).
 */
package org.sparkcnn.driver.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.driver.Main;
import org.sparkcnn.driver.MainTest;
import org.sparkcnn.driver.persist.Checkpoints;
import org.sparkcnn.driver.persist.ResumeTest;
import org.sparkcnn.driver.persist.RunFolder;

class ReshuffleTest {
  @TempDir static Path shared;
  @TempDir Path dir;

  /** 3 epochs of 8 steps of 24 on 3 partitions, stratified, redealt every epoch. */
  private static byte[] straightModel;

  private static List<String> straightMetrics;

  private static Map<String, Object> keys(int epochs) {
    return new HashMap<>(
        Map.of(
            "data.train_size",
            192,
            "data.test_size",
            48,
            "train.batch_size",
            24,
            "train.partitions",
            3,
            "train.epochs",
            epochs,
            "optim.lr",
            0.05,
            "train.checkpoint_every_steps",
            3,
            "data.partitioning",
            "stratified",
            "data.reshuffle_every",
            1,
            "model.file",
            shared.resolve("bn.yaml").toString()));
  }

  private static Path train(Path run, Map<String, Object> keys) throws Exception {
    return ResumeTest.train(run, keys);
  }

  @BeforeAll
  static void trainTheReferenceRun() throws Exception {
    Files.writeString(
        shared.resolve("bn.yaml"),
        String.join(
            "\n",
            "layers:",
            "  - conv2d: {out: 4, kernel: 3, stride: 2}",
            "  - batch_norm2d",
            "  - relu",
            "  - flatten",
            "  - linear: {out: $classes}",
            ""));
    Path straight = train(shared.resolve("straight"), keys(3));
    straightModel = Files.readAllBytes(straight.resolve(RunFolder.MODEL));
    straightMetrics = Files.readAllLines(straight.resolve(RunFolder.METRICS));
  }

  @Test
  void aReshufflingRunIsReproducedBitForBitAndDiffersFromOneWithout() throws Exception {
    assertArrayEquals(
        straightModel,
        Files.readAllBytes(train(dir.resolve("again"), keys(3)).resolve(RunFolder.MODEL)));
    Map<String, Object> never = keys(3);
    never.put("data.reshuffle_every", 0);
    assertFalse(
        java.util.Arrays.equals(
            straightModel,
            Files.readAllBytes(train(dir.resolve("never"), never).resolve(RunFolder.MODEL))),
        "redealing the samples changes the local minibatches, so the model");
  }

  private static void assertSameEpochs(List<String> expected, List<String> actual)
      throws Exception {
    assertEquals(expected.size(), actual.size());
    ObjectMapper json = new ObjectMapper();
    for (int i = 0; i < expected.size(); i++) {
      for (String k :
          List.of("epoch", "step", "train_loss", "train_accuracy", "test_loss", "test_accuracy")) {
        assertEquals(
            json.readTree(expected.get(i)).get(k),
            json.readTree(actual.get(i)).get(k),
            "line " + i + " " + k);
      }
    }
  }

  @Test
  void resumingAcrossReshuffleBoundariesMatchesAnUninterruptedRun() throws Exception {
    Path one = train(dir.resolve("one"), keys(1));
    MainTest.Outcome o =
        MainTest.cli(
            "train", "--resume", one.toString(), "--set", "train.epochs=3", "--master", "local[4]");
    assertEquals(0, o.status(), o.err());
    assertTrue(
        o.out()
            .contains(
                "epoch 2: training samples redealt over the partitions" + " (reshuffle round 1)"),
        o.out());
    assertArrayEquals(straightModel, Files.readAllBytes(one.resolve(RunFolder.MODEL)));
    assertSameEpochs(straightMetrics, Files.readAllLines(one.resolve(RunFolder.METRICS)));
  }

  @Test
  void resumingMidEpochInALaterRoundMatchesAnUninterruptedRun() throws Exception {
    Path two = train(dir.resolve("two"), keys(2));
    // the newest checkpoint is the end of epoch 2; drop it to resume from step 15 (epoch 2, 7/8)
    Path ckpts = two.resolve(Checkpoints.DEFAULT_DIR);
    Files.delete(ckpts.resolve("step-000000016.ckpt"));
    MainTest.Outcome o =
        MainTest.cli(
            "train", "--resume", two.toString(), "--set", "train.epochs=3", "--master", "local[4]");
    assertEquals(0, o.status(), o.err());
    assertTrue(o.out().contains("resuming at epoch 2 step 8/8"), o.out());
    assertArrayEquals(straightModel, Files.readAllBytes(two.resolve(RunFolder.MODEL)));
    assertSameEpochs(straightMetrics, Files.readAllLines(two.resolve(RunFolder.METRICS)));

    MainTest.Outcome changed =
        MainTest.cli(
            "train",
            "--resume",
            two.toString(),
            "--set",
            "train.epochs=4",
            "--set",
            "data.reshuffle_every=2",
            "--master",
            "local[4]");
    assertEquals(Main.EXIT_BAD_INPUT, changed.status(), changed.out());
    assertTrue(
        changed
            .err()
            .contains(
                "key 'data.reshuffle_every': the checkpoint was trained"
                    + " with 1, the config asks for 2"),
        changed.err());
  }
}

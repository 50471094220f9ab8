/*
 * Learning-rate schedules against values worked out by hand from the formulas in LrSchedule
 * (Goyal et al. 2017 warm-up and linear scaling; step and cosine decay), and the checks that tie
 * the keys together.
 */
package org.sparkcnn.driver.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LrScheduleTest {
  private static LrSchedule schedule(int stepsPerEpoch, Object... keyValues) {
    Map<String, Object> m = new HashMap<>(Map.of("optim.lr", 0.1, "train.epochs", 10));
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put((String) keyValues[i], keyValues[i + 1]);
    }
    return LrSchedule.of(JobConfig.resolve(m, "test"), stepsPerEpoch);
  }

  @Test
  void constantWithoutWarmUpIsTheConfiguredRate() {
    LrSchedule s = schedule(100);
    assertEquals(0.1, s.at(0), 0);
    assertEquals(0.1, s.at(999), 0);
  }

  @Test
  void linearScalingMultipliesByTheGlobalBatchOverTheBase() {
    // global batch 64 x 4 accumulated = 256 over base 128: twice the rate
    LrSchedule s =
        schedule(
            10,
            "optim.lr_scaling",
            "linear",
            "train.batch_size",
            64,
            "train.accumulate_steps",
            4,
            "optim.lr_base_batch",
            128);
    assertEquals(0.2, s.at(0), 1e-15);
    assertEquals(
        0.2, schedule(10, "optim.lr_scaling", "linear", "train.batch_size", 512).at(5), 1e-15);
  }

  @Test
  void warmUpRisesLinearlyToThePeak() {
    // from 0 without scaling: 2 epochs of 5 steps, lr(t) = 0.1 (t + 1) / 10
    LrSchedule s = schedule(5, "optim.warmup_epochs", 2.0);
    assertEquals(0.01, s.at(0), 1e-15);
    assertEquals(0.05, s.at(4), 1e-15);
    assertEquals(0.1, s.at(9), 1e-15);
    assertEquals(0.1, s.at(10), 1e-15);
    // Goyal et al.: from the unscaled 0.1 to 0.1 x 1024 / 256 = 0.4 over 4 steps (0.5 epochs of 8)
    LrSchedule g =
        schedule(
            8, "optim.warmup_epochs", 0.5, "optim.lr_scaling", "linear", "train.batch_size", 1024);
    assertEquals(0.175, g.at(0), 1e-15);
    assertEquals(0.25, g.at(1), 1e-15);
    assertEquals(0.4, g.at(3), 1e-15);
    assertEquals(0.4, g.at(4), 1e-15);
  }

  @Test
  void stepScheduleMultipliesByGammaAfterEachMilestone() {
    LrSchedule s =
        schedule(10, "optim.lr_schedule", "step", "optim.milestones", "3, 6", "optim.gamma", 0.5);
    assertEquals(0.1, s.at(29), 1e-15); // last step of epoch 3
    assertEquals(0.05, s.at(30), 1e-15); // first of epoch 4
    assertEquals(0.05, s.at(59), 1e-15);
    assertEquals(0.025, s.at(60), 1e-15);
    LrSchedule list =
        schedule(
            10,
            "optim.lr_schedule",
            "step",
            "optim.milestones",
            java.util.List.of(3, 6),
            "optim.gamma",
            0.5);
    assertEquals(0.025, list.at(99), 1e-15);
  }

  @Test
  void cosineFallsFromThePeakToZeroAfterTheWarmUp() {
    // 10 epochs of 10 steps, 2 of them warm-up: cosine over steps 20..100
    LrSchedule s = schedule(10, "optim.lr_schedule", "cosine", "optim.warmup_epochs", 2);
    assertEquals(0.1, s.at(19), 1e-15);
    assertEquals(0.1, s.at(20), 1e-15);
    assertEquals(0.05, s.at(60), 1e-15); // halfway: (1 + cos(pi / 2)) / 2
    assertEquals(0.1 * (1 + Math.cos(Math.PI * 0.25)) / 2, s.at(40), 1e-15);
    assertEquals(0, s.at(100), 1e-15);
  }

  @Test
  void keysThatDisagreeAreReportedByName() {
    var noMilestones =
        assertThrows(
            JobConfig.ConfigException.class, () -> schedule(10, "optim.lr_schedule", "step"));
    assertTrue(noMilestones.getMessage().contains("optim.milestones"), noMilestones.getMessage());
    var stray =
        assertThrows(
            JobConfig.ConfigException.class,
            () -> schedule(10, "optim.milestones", java.util.List.of(5)));
    assertTrue(stray.getMessage().contains("only the step schedule"), stray.getMessage());
    var warm =
        assertThrows(
            JobConfig.ConfigException.class, () -> schedule(10, "optim.warmup_epochs", 10.0));
    assertTrue(warm.getMessage().contains("optim.warmup_epochs"), warm.getMessage());
    var order =
        assertThrows(
            JobConfig.ConfigException.class,
            () -> schedule(10, "optim.lr_schedule", "step", "optim.milestones", "6,3"));
    assertTrue(
        order
            .getMessage()
            .contains(
                "key 'optim.milestones': expected epoch numbers >= 1" + " in increasing order"),
        order.getMessage());
  }
}

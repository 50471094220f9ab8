/*
 * TrainingProgress: no bar without a terminal or under CI (so the tests' own output never holds
 * one), and a bar drawn into a buffer that shows the epoch, the images done of the epoch's total,
 * images/s, the running loss and accuracy, and starts a resumed epoch where it stopped.
 */
package org.sparkcnn.driver.train;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import org.junit.jupiter.api.Test;
import org.sparkcnn.driver.sync.StepResult;

class TrainingProgressTest {
  @Test
  void noBarOffATerminalOrUnderCi() {
    assertFalse(TrainingProgress.terminal(null, null));
    assertFalse(TrainingProgress.terminal(null, "true"));
    // Surefire's forked JVM has no console: train prints its plain lines in the tests
    assertNull(TrainingProgress.onTerminal(1, 2, 10, 0, 64));
  }

  private static String draw(int stepsDone, int steps) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    EpochMeter m = new EpochMeter();
    try (TrainingProgress bar =
        new TrainingProgress(
            2, 3, steps, stepsDone, 64, new ConsoleProgressBarConsumer(out, 120))) {
      for (int s = stepsDone + 1; s <= steps; s++) {
        m.add(new StepResult(new float[0], 0.5 * 64, 48, 64, 1_000_000L), 2_000_000L);
        bar.update(s, m);
      }
    }
    return buf.toString(StandardCharsets.UTF_8);
  }

  @Test
  void drawsTheEpochWithSpeedLossAndAccuracy() {
    String out = draw(0, 10);
    assertTrue(out.contains("epoch 2/3"), out);
    assertTrue(out.contains("100%"), out);
    assertTrue(out.contains("640/640 img"), out);
    assertTrue(out.contains("img/s"), out);
    assertTrue(out.contains("img/s loss 0.500 acc 0.750"), out);
    assertTrue(out.endsWith("\n"), "the bar's line is ended on close: " + out);
  }

  @Test
  void aResumedEpochStartsWhereItStopped() {
    String out = draw(6, 10);
    assertTrue(out.contains("640/640 img"), out);
    assertFalse(out.contains(" 0/640 img"), "a resumed epoch starts at 384 of 640 images: " + out);
  }
}

/*
 * The progress bar of an epoch of `train` on a terminal (me.tongfei:progressbar): the share of the
 * epoch's images done, images/s since the epoch (or the resume) began, elapsed time and ETA, and
 * the running train_loss and train_accuracy. It is shown only when the JVM has a console (standard
 * input and output are a terminal) and CI is not set; elsewhere onTerminal returns null and the
 * trainer prints its plain progress lines, so logs, pipes and tests never see a bar. The bar is
 * redrawn in place on standard output twice a second and left, complete, above the epoch's line.
 */
package org.sparkcnn.driver.train;

import java.io.Console;
import java.text.DecimalFormat;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import org.sparkcnn.driver.cli.Reporter;

final class TrainingProgress implements AutoCloseable {
  private final ProgressBar bar;
  private final EndsOnce out;
  private final long imagesPerStep;

  /**
   * The consumer that the bar draws into, closed (its line ended) exactly once: by the library's
   * own last update or by close(), whichever comes first, since the library ends the line from its
   * timer thread and may not have done so when ProgressBar.close() returns.
   */
  private static final class EndsOnce implements ProgressBarConsumer {
    private final ProgressBarConsumer inner;
    private boolean closed;

    EndsOnce(ProgressBarConsumer inner) {
      this.inner = inner;
    }

    @Override
    public int getMaxRenderedLength() {
      return inner.getMaxRenderedLength();
    }

    @Override
    public synchronized void accept(String rendered) {
      if (!closed) {
        inner.accept(rendered);
      }
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        inner.close();
      }
    }
  }

  /**
   * The bar of epoch `epoch` of `epochs`: `steps` steps of `imagesPerStep` images (train.batch_size
   * x train.accumulate_steps), `stepsDone` of them done before this process (a resumed epoch).
   */
  TrainingProgress(
      int epoch,
      int epochs,
      int steps,
      int stepsDone,
      long imagesPerStep,
      ProgressBarConsumer consumer) {
    this.imagesPerStep = imagesPerStep;
    this.out = new EndsOnce(consumer);
    this.bar =
        new ProgressBarBuilder()
            .setTaskName("epoch " + epoch + "/" + epochs)
            .setInitialMax(steps * imagesPerStep)
            .startsFrom(stepsDone * imagesPerStep, Duration.ZERO)
            .setUnit(" img", 1)
            .showSpeed(new DecimalFormat("0"))
            .setUpdateIntervalMillis(500)
            .setConsumer(out)
            .build();
  }

  /** The bar of an epoch on a terminal, or null when the plain progress lines are wanted. */
  static TrainingProgress onTerminal(
      int epoch, int epochs, int steps, int stepsDone, long imagesPerStep) {
    return terminal(System.console(), System.getenv("CI"))
        ? new TrainingProgress(
            epoch,
            epochs,
            steps,
            stepsDone,
            imagesPerStep,
            new ConsoleProgressBarConsumer(Reporter.stream()))
        : null;
  }

  /**
   * Whether a bar may be drawn: a console and no CI. From Java 22 a console may exist without a
   * terminal, which Console.isTerminal() (looked up, for Java 17 has none) tells.
   */
  static boolean terminal(Console console, String ci) {
    if (console == null || (ci != null && !ci.isEmpty() && !ci.equalsIgnoreCase("false"))) {
      return false;
    }
    try {
      return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
    } catch (NoSuchMethodException e) {
      return true;
    } catch (ReflectiveOperationException e) {
      return false;
    }
  }

  /** After a step: `stepsDone` steps of the epoch done, with the epoch's sums so far. */
  void update(int stepsDone, EpochMeter m) {
    bar.stepTo(stepsDone * imagesPerStep);
    if (m.seen > 0) {
      bar.setExtraMessage(
          String.format(
              Locale.ROOT, " loss %.3f acc %.3f", m.lossSum / m.seen, (double) m.correct / m.seen));
    }
  }

  /** Draws the bar a last time and ends its line. */
  @Override
  public void close() {
    bar.close();
    out.close();
  }
}

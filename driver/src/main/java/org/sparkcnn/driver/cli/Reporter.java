/*
 * What the command line prints, in one place: results and progress lines on standard output,
 * errors and warnings on standard error behind sparkcnn's prefix ("sparkcnn: ",
 * "sparkcnn: warning: "), each line flushed as it is written. The commands, the training loop and
 * the checks that warn print through it;
 * Spark's and the engine's own messages go through SLF4J and log4j2 (conf/log4j2.properties).
 */
package org.sparkcnn.driver.cli;

import java.io.PrintStream;

public final class Reporter {
  private Reporter() {}

  /** A line of results or progress. */
  public static void out(String line) {
    System.out.println(line);
    System.out.flush();
  }

  /** A line of results or progress, String.format(format, args). */
  public static void out(String format, Object... args) {
    out(String.format(format, args));
  }

  /** Text that ends its own lines (a report). */
  public static void print(String text) {
    System.out.print(text);
    System.out.flush();
  }

  /** What went wrong, for a command that stops (exit status 2 or 1). */
  public static void error(String message) {
    System.err.println("sparkcnn: " + message);
    System.err.flush();
  }

  /** Something the user should know that does not stop the command. */
  public static void warn(String message) {
    System.err.println("sparkcnn: warning: " + message);
    System.err.flush();
  }

  /** A warning, String.format(format, args). */
  public static void warn(String format, Object... args) {
    warn(String.format(format, args));
  }

  /** Standard output, for the writers that print tables of their own (the benchmarks). */
  public static PrintStream stream() {
    return System.out;
  }
}

/*
 * Reporter: results on standard output as given, errors and warnings on standard error behind
 * sparkcnn's prefixes.
 */
package org.sparkcnn.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ReporterTest {
  @Test
  void resultsGoOutMessagesGoToErrorWithThePrefix() {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      Reporter.out("mean 0.1307");
      Reporter.print("a report\n");
      Reporter.error("no such file: x.yaml");
      Reporter.warn("skipping sample 3: truncated");
      Reporter.stream().println("W1 lenet5");
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    String nl = System.lineSeparator();
    assertEquals(
        "mean 0.1307" + nl + "a report\nW1 lenet5" + nl, o.toString(StandardCharsets.UTF_8));
    assertEquals(
        "sparkcnn: no such file: x.yaml"
            + nl
            + "sparkcnn: warning: skipping sample 3: truncated"
            + nl,
        e.toString(StandardCharsets.UTF_8));
  }
}

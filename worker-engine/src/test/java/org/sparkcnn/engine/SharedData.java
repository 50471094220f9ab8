/*
 * Where the shared test data lives (../shared, holding golden/ and the datasets). Surefire sets the
 * system property sparkcnn.shared. When the folder is absent the calling test is skipped with a
 * message, except under CI=true, where a missing folder is a failure: CI must never pass by
 * silently skipping the reference checks. Copy this class into another module's tests as it is.
 */
package org.sparkcnn.engine;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

public final class SharedData {
  private SharedData() {}

  /** The shared folder, or the test is skipped (failed under CI=true) if it is absent. */
  public static Path root() {
    String prop = System.getProperty("sparkcnn.shared");
    Path dir = prop == null ? null : Path.of(prop).toAbsolutePath().normalize();
    return require(dir, "the shared data folder (system property sparkcnn.shared)");
  }

  /** ../shared/golden: reference values computed by PyTorch. */
  public static Path golden() {
    return require(root().resolve("golden"), "the golden reference values");
  }

  private static Path require(Path dir, String what) {
    if (dir != null && Files.isDirectory(dir)) {
      return dir;
    }
    String msg = what + " not found at " + dir;
    if ("true".equals(System.getenv("CI"))) {
      fail(msg + "; under CI=true the reference checks must run, not be skipped");
    }
    assumeTrue(false, msg + "; skipping (set CI=true to make this a failure)");
    return dir; // not reached
  }
}

/*
 * The `conformance` command: the engine against reference cases in ../shared/golden's format
 * (Conformance, ModelCases).
 */
package org.sparkcnn.driver.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sparkcnn.driver.Main;
import org.sparkcnn.driver.config.ModelCatalog;
import org.sparkcnn.engine.Conformance;
import org.sparkcnn.engine.ModelCases;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "conformance",
    mixinStandardHelpOptions = true,
    description =
        "Run every reference case (*.json, ../shared/golden's format) and every model"
            + " (NAME.safetensors of a shipped model, with NAME.input.f32 and NAME.output.f32) of a"
            + " folder through the engine; print each failing case and 'N passed, M failed'.")
public final class ConformanceCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "DIR", description = "Folder of case files.")
  Path dir;

  @Override
  public Integer call() throws Exception {
    if (!java.nio.file.Files.isDirectory(dir)) {
      Reporter.error(dir + " is not a folder of reference cases");
      return Main.EXIT_BAD_INPUT;
    }
    int passed = 0;
    int failed = 0;
    java.util.function.Function<String, Map<String, Object>> catalog =
        name -> ModelCatalog.SHIPPED.contains(name) ? ModelCatalog.shipped(name) : null;
    List<Conformance.Outcome> outcomes = new ArrayList<>(Conformance.runFolder(dir, catalog));
    outcomes.addAll(ModelCases.runFolder(dir, catalog));
    for (Conformance.Outcome o : outcomes) {
      if (o.passed()) {
        passed++;
      } else {
        failed++;
        Reporter.out(
            String.format(
                Locale.ROOT,
                "FAIL %s %s max_rel_error=%.3g %s",
                o.name(),
                o.tensor().isEmpty() ? "-" : o.tensor(),
                o.maxRelError(),
                o.problem()));
      }
    }
    Reporter.out(passed + " passed, " + failed + " failed");
    return failed == 0 ? 0 : 1;
  }
}

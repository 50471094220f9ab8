/*
 * The Java program of docs/using-a-model.md's "From a Spark program" section, taken from the
 * page as it is: it compiles against the API (so the page cannot drift from it), and it runs, as a user
 * would run it, in a JVM of its own with a plain SparkSession (Spark's default serializer, none of
 * sparkcnn's session settings) on the ants/bees folders for one epoch, printing the classes and
 * the validation accuracy.
 */
package org.sparkcnn.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.engine.SharedData;

class ReadmeProgramTest {
  @TempDir Path dir;

  private static Path root() {
    return Path.of(System.getProperty("sparkcnn.root"));
  }

  /** The java code block of the section of a page with this title. */
  static String program(String page, String section) {
    int at = page.indexOf(section);
    assertTrue(at >= 0, "docs/using-a-model.md has no section " + section);
    Matcher m = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(page);
    assertTrue(m.find(at), "no java block after " + section);
    return m.group(1);
  }

  private static String classPath() {
    String cp = System.getProperty("surefire.test.class.path");
    return cp != null ? cp : System.getProperty("java.class.path");
  }

  @Test
  void theReadmeProgramCompilesAndRuns() throws Exception {
    String code =
        program(
            Files.readString(root().resolve("docs/using-a-model.md")), "## From a Spark program");
    Path src = dir.resolve("src/AntsAndBees.java");
    Files.createDirectories(src.getParent());
    Files.writeString(src, code);
    Path classes = dir.resolve("classes");
    Files.createDirectories(classes);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    var errors = new java.io.ByteArrayOutputStream();
    int status =
        javac.run(null, null, errors, "-d", classes.toString(), "-cp", classPath(), src.toString());
    assertEquals(0, status, errors.toString(StandardCharsets.UTF_8));

    Path data = SharedData.root().resolve("datasets/hymenoptera_data");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("@" + root().resolve("deploy/jvm-options"));
    cmd.add("-Xmx2g");
    cmd.add("-Dspark.master=local[2]");
    cmd.add("-Dspark.ui.enabled=false");
    cmd.add("-cp");
    cmd.add(classes + File.pathSeparator + classPath());
    cmd.addAll(List.of("AntsAndBees", data.toString(), "1", dir.resolve("model").toString()));
    Path log = dir.resolve("run.log");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean ended = p.waitFor(10, TimeUnit.MINUTES);
    if (!ended) {
      p.destroyForcibly();
    }
    String out = Files.readString(log);
    assertTrue(ended && p.exitValue() == 0, tail(out));
    Matcher m =
        Pattern.compile("classes \\[ants, bees\\], validation accuracy ([0-9.]+)").matcher(out);
    assertTrue(m.find(), tail(out));
    double accuracy = Double.parseDouble(m.group(1));
    assertTrue(accuracy > 0.3 && accuracy <= 1, out);
    assertTrue(out.contains("train_loss"), tail(out)); // the summary's epoch
    assertTrue(Files.isDirectory(dir.resolve("model/stages")), "the saved PipelineModel");
  }

  private static String tail(String s) {
    return s.length() < 6000 ? s : s.substring(s.length() - 6000);
  }
}

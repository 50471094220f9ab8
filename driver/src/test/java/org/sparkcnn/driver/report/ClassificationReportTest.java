/*
 * ClassificationReport on a hand-computed 4-class confusion matrix with a class that never occurs
 * and one that is never predicted (zero_division = 0), its text table and matrix, the fields of
 * evaluation.json, the confusion-matrix PNG for 4 and 1000 classes (size, not blank, the diagonal
 * dark), and the arguments it refuses.
 */
package org.sparkcnn.driver.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassificationReportTest {
  private static final double EPS = 1e-12;
  // true class down, predicted class across; "cat" never occurs, "dog" is never predicted
  private static final long[][] M = {
    {5, 1, 0, 0},
    {2, 3, 1, 0},
    {0, 0, 0, 0},
    {1, 0, 2, 0}
  };
  private static final List<String> NAMES = List.of("ant", "bee", "cat", "dog");

  @TempDir Path dir;

  @Test
  void figuresAsComputedByHand() {
    ClassificationReport r = ClassificationReport.of(M, 12, NAMES);
    assertEquals(15, r.samples());
    assertEquals(8.0 / 15, r.accuracy(), EPS);
    assertEquals(12.0 / 15, r.top5Accuracy(), EPS);
    check(r.classes().get(0), "ant", 5.0 / 8, 5.0 / 6, 10.0 / 14, 6);
    check(r.classes().get(1), "bee", 3.0 / 4, 3.0 / 6, 6.0 / 10, 6);
    check(r.classes().get(2), "cat", 0, 0, 0, 0); // predicted 3 times, never present
    check(r.classes().get(3), "dog", 0, 0, 0, 3); // present, never predicted
    check(
        r.macroAverage(),
        "macro avg",
        (5.0 / 8 + 3.0 / 4) / 4,
        (5.0 / 6 + 0.5) / 4,
        (10.0 / 14 + 0.6) / 4,
        15);
    check(
        r.weightedAverage(),
        "weighted avg",
        (6 * 5.0 / 8 + 6 * 0.75) / 15,
        8.0 / 15,
        (6 * 10.0 / 14 + 6 * 0.6) / 15,
        15);
  }

  private static void check(
      ClassificationReport.Row row,
      String name,
      double precision,
      double recall,
      double f1,
      long support) {
    assertEquals(name, row.name());
    assertEquals(precision, row.precision(), EPS, name + " precision");
    assertEquals(recall, row.recall(), EPS, name + " recall");
    assertEquals(f1, row.f1(), EPS, name + " f1");
    assertEquals(support, row.support(), name + " support");
  }

  @Test
  void aMatrixWithoutSamplesIsAllZeros() {
    ClassificationReport r = ClassificationReport.of(new long[2][2], 0, List.of("a", "b"));
    assertEquals(0, r.accuracy());
    assertEquals(0, r.top5Accuracy());
    assertEquals(0, r.macroAverage().f1());
    assertEquals(0, r.weightedAverage().precision());
  }

  @Test
  void textHasTheTableAndTheMatrix() {
    String text = ClassificationReport.of(M, 12, NAMES).text();
    assertTrue(text.contains("precision     recall   f1-score    support"), text);
    assertTrue(text.contains("ant     0.6250     0.8333     0.7143          6"), text);
    String blank = " ".repeat(22); // the empty precision and recall columns
    assertTrue(text.contains("      accuracy" + blank + "     0.5333         15"), text);
    assertTrue(text.contains("top-5 accuracy" + blank + "     0.8000         15"), text);
    assertTrue(text.contains("macro avg     0.3438     0.3333     0.3286         15"), text);
    assertTrue(text.contains("weighted avg     0.5500     0.5333     0.5257         15"), text);
    assertTrue(
        text.contains(
            "      0 1 2 3\n0 ant 5 1 0 0\n1 bee 2 3 1 0\n2 cat 0 0 0 0\n" + "3 dog 1 0 2 0\n"),
        text);
  }

  @Test
  void writesJsonTextAndPicture() throws Exception {
    ClassificationReport r = ClassificationReport.of(M, 12, NAMES);
    List<Path> files = r.writeTo(dir.resolve("eval"));
    assertEquals(
        List.of(
            ClassificationReport.JSON,
            ClassificationReport.CONFUSION_TEXT,
            ClassificationReport.CONFUSION_PNG),
        files.stream().map(p -> p.getFileName().toString()).toList());
    JsonNode j = new ObjectMapper().readTree(files.get(0).toFile());
    assertEquals(15, j.get("samples").asLong());
    assertEquals(8.0 / 15, j.get("accuracy").asDouble(), EPS);
    assertEquals(0.8, j.get("top5_accuracy").asDouble(), EPS);
    assertEquals(4, j.get("classes").size());
    JsonNode bee = j.get("classes").get(1);
    assertEquals("bee", bee.get("name").asText());
    assertEquals(1, bee.get("index").asInt());
    assertEquals(0.75, bee.get("precision").asDouble(), EPS);
    assertEquals(0.5, bee.get("recall").asDouble(), EPS);
    assertEquals(0.6, bee.get("f1").asDouble(), EPS);
    assertEquals(6, bee.get("support").asLong());
    assertEquals(0.34375, j.get("macro_avg").get("precision").asDouble(), EPS);
    assertEquals(0.55, j.get("weighted_avg").get("precision").asDouble(), EPS);
    assertEquals(0, j.get("zero_division").asInt());
    assertEquals(2, j.get("confusion_matrix").get(3).get(2).asLong());
    assertEquals(r.confusionText(), Files.readString(files.get(1)));

    BufferedImage png = ImageIO.read(files.get(2).toFile());
    int[] size = ConfusionChart.size(4, NAMES);
    assertEquals(size[0], png.getWidth());
    assertEquals(size[1], png.getHeight());
    assertTrue(colours(png) > 50, "the picture has " + colours(png) + " colours");
    assertTrue(darkBlue(png) > 1000, "the diagonal's dark cells are missing");
  }

  @Test
  void drawsAThousandClasses() throws Exception {
    int n = 1000;
    long[][] m = new long[n][n];
    List<String> names = new ArrayList<>();
    for (int t = 0; t < n; t++) {
      names.add("class " + t);
      m[t][t] = 40;
      m[t][(t + 1) % n] = 5;
      m[t][(t * 7) % n] += 5;
    }
    ClassificationReport r = ClassificationReport.of(m, 50L * n, names);
    long t0 = System.nanoTime();
    Path png = r.writeTo(dir).get(2);
    double seconds = (System.nanoTime() - t0) / 1e9;
    BufferedImage img = ImageIO.read(png.toFile());
    int[] size = ConfusionChart.size(n, names);
    assertEquals(size[0], img.getWidth());
    assertEquals(size[1], img.getHeight());
    assertTrue(darkBlue(img) > 500, "the diagonal is not drawn");
    assertTrue(seconds < 30, "took " + seconds + " s");
  }

  private static int colours(BufferedImage img) {
    Set<Integer> seen = new HashSet<>();
    for (int y = 0; y < img.getHeight(); y += 2) {
      for (int x = 0; x < img.getWidth(); x += 2) {
        seen.add(img.getRGB(x, y));
      }
    }
    return seen.size();
  }

  /** Pixels near the colour of a cell holding most of its row. */
  private static int darkBlue(BufferedImage img) {
    int count = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int rgb = img.getRGB(x, y);
        int r = (rgb >> 16) & 0xFF;
        int g = (rgb >> 8) & 0xFF;
        int b = rgb & 0xFF;
        count += r < 60 && g < 110 && b > 120 ? 1 : 0;
      }
    }
    return count;
  }

  @Test
  void refusesWhatIsNotAConfusionMatrix() {
    assertThrows(
        IllegalArgumentException.class,
        () -> ClassificationReport.of(new long[0][0], 0, List.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> ClassificationReport.of(new long[3][3], 0, List.of("a", "b")));
    assertThrows(
        IllegalArgumentException.class,
        () -> ClassificationReport.of(new long[][] {{1, 0}, {0}}, 1, List.of("a", "b")));
    assertThrows(
        IllegalArgumentException.class,
        () -> ClassificationReport.of(new long[][] {{1, -1}, {0, 1}}, 1, List.of("a", "b")));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ClassificationReport.of(M, 7, NAMES));
    assertTrue(e.getMessage().contains("top-1 correct count 8"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ClassificationReport.of(M, 16, NAMES));
  }
}

/*
 * The figures of a classifier on a labelled set, from its confusion matrix (confusion[true][
 * predicted], sample counts) and the count of samples whose true class is among the five highest
 * scores: accuracy, top-5 accuracy, and per class precision (of the samples predicted as the
 * class, the share that is it), recall (of the samples of the class, the share predicted as it),
 * F1 (their harmonic mean) and support (samples of the class), with their macro (plain mean over
 * all classes) and weighted (mean weighted by support) averages, as scikit-learn's
 * classification_report computes them with labels = every class and zero_division = 0: a ratio
 * whose denominator is 0 (a class never predicted, or absent from the set) is 0, and so is an F1
 * whose precision and recall are both 0. `text()` is the readable table and matrix; `writeTo`
 * writes evaluation.json, confusion_matrix.txt and confusion_matrix.png (ConfusionChart).
 */
package org.sparkcnn.driver.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

public final class ClassificationReport {
  public static final String JSON = "evaluation.json";
  public static final String CONFUSION_TEXT = "confusion_matrix.txt";
  public static final String CONFUSION_PNG = "confusion_matrix.png";
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** One row of the table: a class, or an average over the classes. */
  public record Row(String name, double precision, double recall, double f1, long support) {}

  private final long[][] confusion; // [classes][classes]: true class, predicted class
  private final long top5Correct;
  private final List<String> names;
  private final long total;
  private final long correct;
  private final List<Row> rows;
  private final Row macro;
  private final Row weighted;

  private ClassificationReport(
      long[][] confusion, long top5Correct, List<String> names, long total, long correct) {
    this.confusion = confusion;
    this.top5Correct = top5Correct;
    this.names = names;
    this.total = total;
    this.correct = correct;
    int n = names.size();
    List<Row> r = new ArrayList<>(n);
    double[] macroSum = new double[3];
    double[] weightedSum = new double[3];
    for (int c = 0; c < n; c++) {
      long support = 0;
      long predicted = 0;
      for (int k = 0; k < n; k++) {
        support += confusion[c][k];
        predicted += confusion[k][c];
      }
      double precision = ratio(confusion[c][c], predicted);
      double recall = ratio(confusion[c][c], support);
      double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
      r.add(new Row(names.get(c), precision, recall, f1, support));
      double[] v = {precision, recall, f1};
      for (int i = 0; i < 3; i++) {
        macroSum[i] += v[i];
        weightedSum[i] += v[i] * support;
      }
    }
    this.rows = List.copyOf(r);
    this.macro = new Row("macro avg", macroSum[0] / n, macroSum[1] / n, macroSum[2] / n, total);
    this.weighted =
        new Row(
            "weighted avg",
            ratio(weightedSum[0], total),
            ratio(weightedSum[1], total),
            ratio(weightedSum[2], total),
            total);
  }

  /**
   * The report of a confusion matrix `confusion[true][predicted]` (square, one row per name, no
   * negative count), with `top5Correct` samples whose true class was among the five highest scores
   * (at least the matrix's diagonal sum, at most its total). The matrix is copied.
   */
  public static ClassificationReport of(
      long[][] confusion, long top5Correct, List<String> classNames) {
    int n = classNames.size();
    if (n == 0) {
      throw new IllegalArgumentException("a classification report needs at least one class");
    }
    if (confusion.length != n) {
      throw new IllegalArgumentException(
          "the confusion matrix has " + confusion.length + " rows for " + n + " class names");
    }
    long[][] copy = new long[n][];
    long total = 0;
    long correct = 0;
    for (int t = 0; t < n; t++) {
      if (confusion[t] == null || confusion[t].length != n) {
        throw new IllegalArgumentException(
            "row "
                + t
                + " of the confusion matrix has "
                + (confusion[t] == null ? 0 : confusion[t].length)
                + " columns, expected "
                + n);
      }
      copy[t] = confusion[t].clone();
      for (int p = 0; p < n; p++) {
        if (copy[t][p] < 0) {
          throw new IllegalArgumentException(
              "the confusion matrix holds a negative count "
                  + copy[t][p]
                  + " at ["
                  + t
                  + "]["
                  + p
                  + "]");
        }
        total += copy[t][p];
      }
      correct += copy[t][t];
    }
    if (top5Correct < correct || top5Correct > total) {
      throw new IllegalArgumentException(
          "top-5 correct count "
              + top5Correct
              + " must lie"
              + " between the top-1 correct count "
              + correct
              + " and the sample count "
              + total);
    }
    return new ClassificationReport(copy, top5Correct, List.copyOf(classNames), total, correct);
  }

  private static double ratio(double num, double den) {
    return den == 0 ? 0 : num / den;
  }

  public long samples() {
    return total;
  }

  public double accuracy() {
    return ratio(correct, total);
  }

  public double top5Accuracy() {
    return ratio(top5Correct, total);
  }

  /** One row per class, in the order of the class names. */
  public List<Row> classes() {
    return rows;
  }

  public Row macroAverage() {
    return macro;
  }

  public Row weightedAverage() {
    return weighted;
  }

  public List<String> classNames() {
    return names;
  }

  /** A copy of the matrix: [true class][predicted class]. */
  public long[][] confusion() {
    long[][] copy = new long[confusion.length][];
    for (int i = 0; i < copy.length; i++) {
      copy[i] = confusion[i].clone();
    }
    return copy;
  }

  /** The table of scikit-learn's classification_report (plus top-5), then the matrix. */
  public String text() {
    int w = "top-5 accuracy".length();
    for (String s : names) {
      w = Math.max(w, s.length());
    }
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "%" + w + "s %10s %10s %10s %10s%n%n",
            "",
            "precision",
            "recall",
            "f1-score",
            "support"));
    for (Row r : rows) {
      row(b, w, r);
    }
    b.append('\n');
    b.append(
        String.format(
            Locale.ROOT,
            "%" + w + "s %10s %10s %10.4f %10d%n",
            "accuracy",
            "",
            "",
            accuracy(),
            total));
    b.append(
        String.format(
            Locale.ROOT,
            "%" + w + "s %10s %10s %10.4f %10d%n",
            "top-5 accuracy",
            "",
            "",
            top5Accuracy(),
            total));
    row(b, w, macro);
    row(b, w, weighted);
    return b.append('\n').append(confusionText()).toString();
  }

  private static void row(StringBuilder b, int w, Row r) {
    b.append(
        String.format(
            Locale.ROOT,
            "%" + w + "s %10.4f %10.4f %10.4f %10d%n",
            r.name(),
            r.precision(),
            r.recall(),
            r.f1(),
            r.support()));
  }

  /** The matrix as text: one line per true class (index and name), one column per prediction. */
  public String confusionText() {
    int n = names.size();
    long max = 0;
    for (long[] row : confusion) {
      for (long v : row) {
        max = Math.max(max, v);
      }
    }
    int cell = Math.max(Long.toString(max).length(), Integer.toString(n - 1).length()) + 1;
    int label = 0;
    for (int t = 0; t < n; t++) {
      label = Math.max(label, (t + " " + names.get(t)).length());
    }
    StringBuilder b =
        new StringBuilder(
            "confusion matrix: rows are the true classes, columns the"
                + " predicted ones (by index)\n");
    b.append(" ".repeat(label));
    for (int p = 0; p < n; p++) {
      b.append(String.format(Locale.ROOT, "%" + cell + "d", p));
    }
    b.append('\n');
    for (int t = 0; t < n; t++) {
      b.append(String.format(Locale.ROOT, "%-" + label + "s", t + " " + names.get(t)));
      for (int p = 0; p < n; p++) {
        b.append(String.format(Locale.ROOT, "%" + cell + "d", confusion[t][p]));
      }
      b.append('\n');
    }
    return b.toString();
  }

  /** The report as the JSON object of evaluation.json. */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("samples", total);
    m.put("accuracy", accuracy());
    m.put("top5_accuracy", top5Accuracy());
    List<Map<String, Object>> classes = new ArrayList<>();
    for (int c = 0; c < rows.size(); c++) {
      Map<String, Object> o = json(rows.get(c));
      o.put("index", c);
      classes.add(o);
    }
    m.put("classes", classes);
    m.put("macro_avg", json(macro));
    m.put("weighted_avg", json(weighted));
    m.put("zero_division", 0);
    m.put("confusion_matrix", confusion);
    return m;
  }

  private static Map<String, Object> json(Row r) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("name", r.name());
    o.put("precision", r.precision());
    o.put("recall", r.recall());
    o.put("f1", r.f1());
    o.put("support", r.support());
    return o;
  }

  /**
   * Writes evaluation.json, confusion_matrix.txt and confusion_matrix.png into `dir` (created if
   * missing) and returns their paths.
   */
  public List<Path> writeTo(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path json = dir.resolve(JSON);
    Path text = dir.resolve(CONFUSION_TEXT);
    Path png = dir.resolve(CONFUSION_PNG);
    Files.writeString(json, MAPPER.writeValueAsString(toJson()) + "\n", StandardCharsets.UTF_8);
    Files.writeString(text, confusionText(), StandardCharsets.UTF_8);
    ConfusionChart.write(this, png);
    return List.of(json, text, png);
  }
}

/*
 * How a CnnClassificationModel's training went, epoch by epoch: the lines the Trainer wrote to
 * metrics.jsonl (train_loss, train_accuracy, test_loss and test_accuracy when the fit had
 * validation rows, images_per_sec, step_ms, sync_ms_p50/p90, lr, ...; conf/README.md and the
 * README describe them). Like the training summaries of Spark's models it is there after fit; it
 * is also saved with the model and read back by load.
 */
package org.sparkcnn.ml;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public final class TrainingSummary implements Serializable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final List<Map<String, Object>> epochs;

  TrainingSummary(List<Map<String, Object>> epochs) {
    this.epochs = List.copyOf(epochs);
  }

  /** The summary of a run's metrics.jsonl. */
  static TrainingSummary read(Path metrics) throws IOException {
    List<Map<String, Object>> lines = new ArrayList<>();
    for (String line : Files.readAllLines(metrics, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        lines.add(JSON.readValue(line, new TypeReference<LinkedHashMap<String, Object>>() {}));
      }
    }
    return new TrainingSummary(lines);
  }

  static TrainingSummary fromJson(String json) throws IOException {
    List<Map<String, Object>> epochs =
        JSON.readValue(json, new TypeReference<List<Map<String, Object>>>() {});
    return new TrainingSummary(epochs);
  }

  String toJson() throws IOException {
    return JSON.writeValueAsString(epochs);
  }

  /** One map per epoch, the metrics.jsonl fields by name. */
  public List<Map<String, Object>> epochs() {
    return epochs;
  }

  public int totalEpochs() {
    return epochs.size();
  }

  /** A metric per epoch, NaN where an epoch lacks it (test_* without validation rows). */
  public double[] metric(String name) {
    double[] v = new double[epochs.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = epochs.get(i).get(name) instanceof Number n ? n.doubleValue() : Double.NaN;
    }
    return v;
  }

  /** The mean training loss of each epoch (Spark's name for the loss history). */
  public double[] objectiveHistory() {
    return metric("train_loss");
  }

  public double[] trainAccuracy() {
    return metric("train_accuracy");
  }

  /** The validation rows' loss after each epoch (NaN without validation rows). */
  public double[] testLoss() {
    return metric("test_loss");
  }

  public double[] testAccuracy() {
    return metric("test_accuracy");
  }
}

/*
 * Sgd against PyTorch's torch.optim.SGD (../shared/golden/sgd_*.json: four steps each, the weights
 * compared after every step) and its hyper-parameter checks.
 */
package org.sparkcnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SgdTest {
  static List<String> goldenCases() {
    return Golden.cases("sgd_*.json");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenCases")
  void matchesPyTorch(String file) {
    JsonNode c = Golden.read(file);
    Sgd.Hyper h =
        new Sgd.Hyper(
            c.get("momentum").doubleValue(),
            c.get("dampening").doubleValue(),
            c.get("weight_decay").doubleValue(),
            c.get("nesterov").booleanValue());
    float[] w = Golden.floats(c.get("initial"));
    Sgd sgd = new Sgd(h, w.length);
    JsonNode grads = c.get("grads");
    JsonNode after = c.get("weights_after_each_step");
    assertEquals(4, grads.size());
    for (int t = 0; t < grads.size(); t++) {
      sgd.step(w, Golden.floats(grads.get(t)), c.get("lr").doubleValue());
      Golden.assertClose(
          file + " step " + (t + 1), Golden.doubles(after.get(t)), w, Golden.FORWARD_TOL);
    }
    assertEquals(4, sgd.steps());
  }

  @Test
  void resumesFromACheckpointedBuffer() {
    Sgd.Hyper h = new Sgd.Hyper(0.9, 0, 1e-4, true);
    float[] w1 = {1f, -2f, 3f};
    float[] w2 = w1.clone();
    float[][] g = {{0.5f, 0.1f, -1f}, {0.2f, -0.3f, 0.4f}, {1f, 1f, 1f}};
    Sgd straight = new Sgd(h, 3);
    for (float[] gt : g) {
      straight.step(w1, gt, 0.1);
    }
    Sgd first = new Sgd(h, 3);
    first.step(w2, g[0], 0.1);
    Sgd resumed = new Sgd(h, first.momentumBuffer().clone(), first.steps());
    resumed.step(w2, g[1], 0.1);
    resumed.step(w2, g[2], 0.1);
    assertArrayEquals(w1, w2);
    assertNull(new Sgd(new Sgd.Hyper(0, 0, 0, false), 3).momentumBuffer());
  }

  @Test
  void rejectsBadHyperParameters() {
    assertMessage(() -> new Sgd.Hyper(-0.1, 0, 0, false), "momentum");
    assertMessage(() -> new Sgd.Hyper(Double.NaN, 0, 0, false), "momentum");
    assertMessage(() -> new Sgd.Hyper(0.9, 1.5, 0, false), "dampening");
    assertMessage(() -> new Sgd.Hyper(0.9, 0, -1e-4, false), "weight_decay");
    assertMessage(() -> new Sgd.Hyper(0, 0, 0, true), "nesterov");
    assertMessage(() -> new Sgd.Hyper(0.9, 0.1, 0, true), "nesterov");
    Sgd sgd = new Sgd(new Sgd.Hyper(0.9, 0, 0, false), 1);
    assertMessage(() -> sgd.step(new float[1], new float[1], -0.1), "learning rate");
    assertMessage(() -> sgd.step(new float[1], new float[1], Double.NaN), "learning rate");
    assertMessage(
        () -> sgd.step(new float[1], new float[1], Double.POSITIVE_INFINITY), "learning rate");
  }

  private static void assertMessage(Runnable r, String word) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    assertTrue(e.getMessage().contains(word), e.getMessage());
  }
}

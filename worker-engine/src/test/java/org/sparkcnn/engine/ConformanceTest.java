/*
 * The conformance runner over ../shared/golden: all 43 cases pass but the model case of a shipped
 * definition (resnet20_step), which fails naming what it needs (the driver's tests run it with the
 * definitions), and a damaged case fails with the tensor named rather than passing; cases written
 * here run the newer arguments and layers (batch norm's momentum null and affine, elu, adaptive
 * pooling, divisor_override).
 */
package org.sparkcnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConformanceTest {
  @TempDir Path dir;

  @Test
  void everySupportedGoldenCasePasses() throws Exception {
    List<Conformance.Outcome> all = Conformance.runFolder(SharedData.golden());
    assertEquals(43, all.size());
    for (Conformance.Outcome o : all) {
      if (o.name().equals("resnet20_step")) {
        assertFalse(o.passed());
        assertTrue(o.problem().contains("need the shipped model definitions"), o.toString());
      } else {
        assertTrue(o.passed(), o.toString());
      }
    }
  }

  /** A case file of the given JSON (single quotes for double) in dir. */
  private Path write(String name, String json) throws Exception {
    return Files.writeString(dir.resolve(name + ".json"), json.replace('\'', '"'));
  }

  @Test
  void casesOfTheNewArgumentsAndLayersRun() throws Exception {
    // momentum null, the second batch: the factor is 1/2, so mean (0 + 2.5) / 2 and variance
    // (1 + 5/3) / 2; no affine, so the output is xhat
    double inv = 1 / Math.sqrt(1.25 + 1e-5);
    Path bn =
        write(
            "batch_norm_cumulative",
            "{'op': 'batch_norm', 'training': true,"
                + " 'eps': 1e-5, 'momentum': null, 'affine': false,"
                + " 'input': {'shape': [4, 1], 'data': [1, 2, 3, 4]},"
                + " 'output': {'shape': [4, 1], 'data': ["
                + -1.5 * inv
                + ", "
                + -0.5 * inv
                + ", "
                + 0.5 * inv
                + ", "
                + 1.5 * inv
                + "]},"
                + " 'running_mean_before': [0], 'running_var_before': [1], 'num_batches_tracked_before': 1,"
                + " 'running_mean_after': [1.25], 'running_var_after': ["
                + 4.0 / 3
                + "]}");
    Path elu =
        write(
            "elu_0",
            "{'op': 'elu', 'alpha': 2.0,"
                + " 'input': {'shape': [1, 2], 'data': [-1, 3]},"
                + " 'output': {'shape': [1, 2], 'data': ["
                + 2 * (Math.exp(-1) - 1)
                + ", 3]}}");
    Path adaptive =
        write(
            "adaptive_max_pool2d_0",
            "{'op': 'adaptive_max_pool2d',"
                + " 'output_size': [1, 2], 'input': {'shape': [1, 1, 2, 3], 'data': [1, 5, 2, 4, 3, 6]},"
                + " 'output': {'shape': [1, 1, 1, 2], 'data': [5, 6]}}");
    Path divided =
        write(
            "avg_pool2d_divisor",
            "{'op': 'avg_pool2d', 'kernel': 2,"
                + " 'divisor_override': 3, 'input': {'shape': [1, 1, 2, 2], 'data': [1, 2, 3, 6]},"
                + " 'output': {'shape': [1, 1, 1, 1], 'data': [4]}}");
    for (Path f : List.of(bn, elu, adaptive, divided)) {
      Conformance.Outcome o = Conformance.run(f);
      assertTrue(o.passed(), o.toString());
    }
  }

  @Test
  void aDamagedCaseFailsNamingTheTensor() throws Exception {
    ObjectMapper json = new ObjectMapper();
    ObjectNode c =
        (ObjectNode) json.readTree(SharedData.golden().resolve("linear_0.json").toFile());
    ArrayNode gw = (ArrayNode) c.get("grad_weight").get("data");
    gw.set(3, gw.get(3).doubleValue() + 0.5);
    Path f = dir.resolve("linear_damaged.json");
    Files.writeString(f, json.writeValueAsString(c));
    Conformance.Outcome o = Conformance.run(f);
    assertFalse(o.passed());
    assertEquals("grad_weight", o.tensor());
    assertTrue(o.maxRelError() > 1e-4, o.toString());
  }
}

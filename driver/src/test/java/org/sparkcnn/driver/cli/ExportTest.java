/*
 * `sparkcnn export`: every shipped architecture, with random weights (batch norm statistics
 * included), exported as ONNX and run in ONNX Runtime gives sparkcnn's own outputs to 1e-5
 * relative; a model.scnn exports with its normalisation, class names and input shape as
 * metadata; a file that is not a model is named and leaves no output behind.
 */
package org.sparkcnn.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparkcnn.driver.Main;
import org.sparkcnn.driver.config.ModelCatalog;
import org.sparkcnn.engine.Architecture;
import org.sparkcnn.engine.ModelFile;
import org.sparkcnn.engine.OnnxRuntimeCheck;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

class ExportTest {
  @TempDir Path dir;

  private static final Map<String, Shape> INPUTS =
      Map.of(
          "lenet5",
          Shape.of(1, 28, 28),
          "slides-conv",
          Shape.of(3, 32, 32),
          "resnet20",
          Shape.of(3, 32, 32),
          "resnet56",
          Shape.of(3, 32, 32),
          "inception",
          Shape.of(3, 32, 32),
          "alexnet",
          Shape.of(3, 227, 227));

  @ParameterizedTest
  @ValueSource(
      strings = {
        "lenet5",
        "slides-conv",
        "alexnet",
        "vgg16",
        "resnet18",
        "resnet50",
        "resnet20",
        "resnet56",
        "inception",
        "squeezenet1_1",
        "googlenet"
      })
  void everyShippedModelRunsInOnnxRuntime(String name) throws Exception {
    Shape in = INPUTS.getOrDefault(name, Shape.of(3, 224, 224));
    Architecture a = ModelCatalog.build(ModelCatalog.shipped(name), name, in, 10);
    Vectors v = OnnxRuntimeCheck.randomWeights(a, 11);
    double err = OnnxRuntimeCheck.maxRelError(a, v, 2, 12);
    System.out.printf("export of shipped %s: max_rel_error=%.3g%n", name, err);
    assertTrue(err <= OnnxRuntimeCheck.TOLERANCE, name + ": max relative error " + err);
  }

  @Test
  void aModelFileExportsWithItsMetadata() throws Exception {
    Architecture a =
        ModelCatalog.build(ModelCatalog.shipped("lenet5"), "lenet5", Shape.of(1, 28, 28), 2);
    Vectors v = OnnxRuntimeCheck.randomWeights(a, 1);
    Path scnn = dir.resolve("model.scnn");
    try (OutputStream o = Files.newOutputStream(scnn)) {
      ModelFile.write(
          o,
          new ModelFile.Contents(
              a,
              v.params,
              v.buffers,
              Map.of(
                  "normalize_mean",
                  List.of(0.5),
                  "normalize_std",
                  List.of(0.25),
                  "class_names",
                  List.of("ants", "bees"))));
    }
    Path out = dir.resolve("model.onnx");
    assertEquals(
        0,
        new picocli.CommandLine(new Main())
            .execute("export", scnn.toString(), "--out", out.toString()));
    ModelProto m = ModelProto.parseFrom(Files.readAllBytes(out));
    Map<String, String> meta =
        m.getMetadataPropsList().stream()
            .collect(
                Collectors.toMap(StringStringEntryProto::getKey, StringStringEntryProto::getValue));
    assertEquals("[0.5]", meta.get("normalize_mean"));
    assertEquals("[\"ants\",\"bees\"]", meta.get("class_names"));
    assertEquals("[1,28,28]", meta.get("input_shape"));
    assertEquals(13, m.getOpsetImport(0).getVersion());

    Path bad = dir.resolve("bad.scnn");
    Files.writeString(bad, "not a model");
    Path none = dir.resolve("none.onnx");
    IOException e = assertThrows(IOException.class, () -> Export.write(bad, none));
    assertTrue(e.getMessage().startsWith(bad.toString()), e.getMessage());
    assertFalse(Files.exists(none));
    assertEquals(
        Main.EXIT_BAD_INPUT,
        new picocli.CommandLine(new Main())
            .execute("export", bad.toString(), "--out", none.toString()));
  }
}

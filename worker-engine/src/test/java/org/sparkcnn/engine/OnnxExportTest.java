/*
 * ONNX export (OnnxExport) checked in ONNX Runtime: networks built here with every layer type the
 * exporter maps (convolutions in 1, 2 and 3 dimensions with groups, dilation and 'same' padding,
 * transposed convolution, both batch norms, the pools with per-axis windows, dilation, ceil_mode
 * and count_include_pad, LRN,
 * pixel shuffle, the activations, residual blocks and concatenations, dropout) and the models of
 * ../shared/models imported from ONNX give sparkcnn's outputs to 1e-5 relative, and so do
 * convolutions with each padding_mode (a Pad before the Conv; opset 19 for wrap), softmax along
 * each dim of [C, H, W] and flattens of some axes (a Reshape keeping the batch); the file has a
 * symbolic batch, opset 13 and the metadata, and imports back to the same network.
 */
package org.sparkcnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.engine.layers.ELU;

class OnnxExportTest {
  @TempDir Path dir;

  private static Architecture define(String json, Shape in, int classes) throws Exception {
    @SuppressWarnings("unchecked")
    Map<String, Object> doc = ModelFile.JSON.readValue(json, Map.class);
    return ModelDefinition.parse(doc, in, classes);
  }

  static final String EVERY_LAYER =
      """
      {"layers": [
        {"conv2d": {"out": 6, "kernel": 4, "padding": "same", "bias": false}},
        "batch_norm2d", "relu",
        {"max_pool2d": {"kernel": 3, "stride": 2, "padding": 1, "ceil_mode": true}},
        {"max_pool2d": {"kernel": [3, 2], "stride": [1, 2], "padding": [1, 0],
            "dilation": [2, 1], "ceil_mode": true}},
        {"avg_pool2d": {"kernel": [3, 2], "stride": [1, 1], "padding": [1, 1]}},
        {"conv2d": {"out": 6, "kernel": 3, "padding": 2, "dilation": 2, "groups": 3}},
        {"leaky_relu": {"negative_slope": 0.2}},
        {"local_response_norm": {"size": 3, "alpha": 0.001, "beta": 0.75, "k": 2}},
        {"residual": {"body": [{"conv2d": {"out": 8, "kernel": 3, "padding": 1}},
            "batch_norm2d"], "shortcut": [{"conv2d": {"out": 8, "kernel": 1}}]}},
        {"concat": [[{"conv2d": {"out": 4, "kernel": [1, 3], "padding": [0, 1]}}, "sigmoid"],
            [], [{"avg_pool2d": {"kernel": 3, "stride": 1, "padding": 1,
                "count_include_pad": false}}, "tanh"]]},
        {"avg_pool2d": {"kernel": 2, "stride": 2, "ceil_mode": true}},
        {"conv_transpose2d": {"out": 4, "kernel": 3, "stride": 2, "padding": 1,
            "output_padding": 1}},
        {"pixel_shuffle": {"upscale_factor": 2}},
        "global_avg_pool2d", {"linear": {"out": 16}}, "batch_norm1d",
        {"dropout": {"p": 0.3}}, {"linear": {"out": "$classes"}}, "softmax"]}""";

  @Test
  void everyLayerTypeMatchesOnnxRuntime() throws Exception {
    Architecture a = define(EVERY_LAYER, Shape.of(3, 13, 11), 5);
    double err = OnnxRuntimeCheck.maxRelError(a, OnnxRuntimeCheck.randomWeights(a, 3), 3, 4);
    assertTrue(err <= OnnxRuntimeCheck.TOLERANCE, "max relative error " + err);
    Architecture one =
        define(
            """
        {"layers": [{"conv1d": {"out": 4, "kernel": 3, "stride": 2, "padding": 1}}, "relu",
          "flatten", {"linear": {"out": "$classes"}}]}""",
            Shape.of(2, 16),
            3);
    err = OnnxRuntimeCheck.maxRelError(one, OnnxRuntimeCheck.randomWeights(one, 5), 2, 6);
    assertTrue(err <= OnnxRuntimeCheck.TOLERANCE, "conv1d: max relative error " + err);
    Architecture three =
        define(
            """
        {"layers": [{"conv3d": {"out": 3, "kernel": [2, 3, 3], "padding": [0, 1, 1]}}, "tanh",
          "flatten",
          {"linear": {"out": "$classes"}}]}""",
            Shape.of(1, 4, 6, 6),
            3);
    err = OnnxRuntimeCheck.maxRelError(three, OnnxRuntimeCheck.randomWeights(three, 7), 2, 8);
    assertTrue(err <= OnnxRuntimeCheck.TOLERANCE, "conv3d: max relative error " + err);
  }

  @Test
  void paddingModesMatchOnnxRuntimeAndImportBack() throws Exception {
    String modes =
        """
        {"layers": [
          {"conv2d": {"out": 4, "kernel": 4, "padding": "same", "padding_mode": "reflect"}},
          "relu",
          {"conv2d": {"out": 4, "kernel": [3, 2], "stride": 2, "padding": [2, 1],
              "groups": 2, "padding_mode": "replicate"}},
          {"conv2d": {"out": 3, "kernel": 3, "padding": 1, "padding_mode": "MODE"}},
          "flatten", {"linear": {"out": "$classes"}}]}""";
    for (String mode : List.of("reflect", "circular")) {
      Architecture a = define(modes.replace("MODE", mode), Shape.of(2, 7, 6), 3);
      Vectors v = OnnxRuntimeCheck.randomWeights(a, 11);
      double err = OnnxRuntimeCheck.maxRelError(a, v, 2, 12);
      assertTrue(err <= OnnxRuntimeCheck.TOLERANCE, mode + ": max relative error " + err);
      ModelProto m = OnnxExport.model(a, v, Map.of());
      assertEquals(
          mode.equals("circular") ? OnnxExport.WRAP_OPSET : OnnxExport.OPSET,
          m.getOpsetImport(0).getVersion());
      assertEquals(
          3, m.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Pad")).count());
      Architecture back = OnnxImport.map(m).architecture();
      assertEquals(
          List.of("reflect", "zeros", "replicate", mode, "zeros", "zeros"),
          back.layers().stream()
              .map(
                  l ->
                      l instanceof org.sparkcnn.engine.layers.ConvSpec c
                          ? c.paddingMode()
                          : "zeros")
              .toList());
      assertEquals(a.output(), back.output());
    }
    Architecture one =
        define(
            """
        {"layers": [{"conv1d": {"out": 3, "kernel": 5, "padding": 3,
            "padding_mode": "replicate"}}, "flatten", {"linear": {"out": "$classes"}}]}""",
            Shape.of(2, 9),
            3);
    double err = OnnxRuntimeCheck.maxRelError(one, OnnxRuntimeCheck.randomWeights(one, 13), 2, 14);
    assertTrue(err <= OnnxRuntimeCheck.TOLERANCE, "conv1d: max relative error " + err);
    Architecture three =
        define(
            """
        {"layers": [{"conv3d": {"out": 2, "kernel": [2, 3, 3], "padding": [1, 1, 2],
            "padding_mode": "reflect"}}, "flatten", {"linear": {"out": "$classes"}}]}""",
            Shape.of(1, 3, 4, 5),
            3);
    err = OnnxRuntimeCheck.maxRelError(three, OnnxRuntimeCheck.randomWeights(three, 15), 2, 16);
    assertTrue(err <= OnnxRuntimeCheck.TOLERANCE, "conv3d: max relative error " + err);
  }

  @Test
  void divisorOverrideIsADepthwiseConvolution() throws Exception {
    Architecture a =
        define(
            """
        {"layers": [{"avg_pool2d": {"kernel": [3, 2], "stride": 2, "padding": [1, 0],
            "ceil_mode": true, "divisor_override": 5}},
          {"avg_pool2d": {"kernel": 2, "divisor_override": -3}}, "flatten",
          {"linear": {"out": "$classes"}}]}""",
            Shape.of(3, 13, 11),
            4);
    double err = OnnxRuntimeCheck.maxRelError(a, OnnxRuntimeCheck.randomWeights(a, 3), 3, 4);
    assertTrue(err <= OnnxRuntimeCheck.TOLERANCE, "max relative error " + err);
  }

  @Test
  void eluMatchesOnnxRuntimeAndImportsBackWithItsAlpha() throws Exception {
    Architecture a =
        define(
            """
        {"layers": [{"conv2d": {"out": 4, "kernel": 3}}, "elu",
          {"conv2d": {"out": 4, "kernel": 3}}, {"elu": {"alpha": 0.5}}, "flatten",
          {"linear": {"out": "$classes"}}]}""",
            Shape.of(2, 9, 9),
            3);
    Vectors v = OnnxRuntimeCheck.randomWeights(a, 5);
    double err = OnnxRuntimeCheck.maxRelError(a, v, 3, 6);
    assertTrue(err <= OnnxRuntimeCheck.TOLERANCE, "max relative error " + err);
    OnnxImport.Result back = OnnxImport.map(OnnxExport.model(a, v, Map.of()));
    assertEquals(new ELU.Spec("elu1", 1.0), back.architecture().layers().get(1));
    assertEquals(new ELU.Spec("elu2", 0.5), back.architecture().layers().get(3));
  }

  @Test
  void softmaxAlongEachDimAndPartialFlattensMatchOnnxRuntimeAndImportBack() throws Exception {
    Architecture a =
        define(
            """
        {"layers": [{"conv2d": {"out": 4, "kernel": 3, "padding": 1}}, "softmax",
          {"softmax": {"dim": -1}}, {"conv2d": {"out": 3, "kernel": 1}}, {"softmax": {"dim": 2}},
          {"flatten": {"start_dim": 2}}, {"softmax": {"dim": -1}},
          {"flatten": {"start_dim": 1, "end_dim": 1}}, {"softmax": {"dim": -2}}, "flatten",
          {"linear": {"out": "$classes"}}, "softmax"]}""",
            Shape.of(2, 5, 6),
            3);
    Architecture b =
        define(
            """
        {"layers": [{"conv2d": {"out": 4, "kernel": 3, "padding": 1}},
          {"flatten": {"end_dim": 2}}, {"softmax": {"dim": 1}}, {"softmax": {"dim": 2}}]}""",
            Shape.of(2, 5, 6),
            3);
    assertEquals(Shape.of(20, 6), b.output());
    for (Architecture arch : List.of(a, b)) {
      Vectors v = OnnxRuntimeCheck.randomWeights(arch, 17);
      double err = OnnxRuntimeCheck.maxRelError(arch, v, 3, 18);
      assertTrue(err <= OnnxRuntimeCheck.TOLERANCE, "max relative error " + err);
      ModelProto m = OnnxExport.model(arch, v, Map.of());
      assertEquals(
          1,
          m.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Reshape")).count());
      OnnxImport.Result back = OnnxImport.map(m);
      assertEquals(
          arch.layers().size() - (arch == a ? 1 : 0),
          back.architecture().layers().size()); // the flatten that keeps the shape is no node
      float[] x = new float[2 * arch.input().size()];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) Math.sin(i);
      }
      float[] y0 = new Model(arch, v).forward(x, 2, false).clone();
      float[] y1 = new Model(back.architecture(), back.vectors()).forward(x, 2, false);
      Conformance.Outcome o = ModelCases.compare("round trip", y0, y1);
      assertTrue(o.maxRelError() < 1e-6, o.toString());
    }
    List<Integer> axes =
        OnnxExport.model(a, a.initialise(Init.HE, Rng.of(1)), Map.of())
            .getGraph()
            .getNodeList()
            .stream()
            .filter(n -> n.getOpType().equals("Softmax"))
            .map(n -> (int) n.getAttribute(0).getI())
            .toList();
    assertEquals(List.of(1, 3, 2, 2, 1, 1), axes);
  }

  @Test
  void adaptivePoolsAreGlobalOrPlainPoolsInOnnxRuntime() throws Exception {
    Architecture a =
        define(
            """
        {"layers": [{"conv2d": {"out": 4, "kernel": 3, "padding": 1}},
          {"adaptive_max_pool2d": {"output_size": [4, 3]}},
          {"adaptive_avg_pool2d": {"output_size": [2, 3]}},
          {"concat": [[{"adaptive_avg_pool2d": {"output_size": 1}}],
            [{"adaptive_max_pool2d": {"output_size": 1}}]]},
          "flatten", {"linear": {"out": "$classes"}}]}""",
            Shape.of(2, 8, 9),
            3);
    assertEquals(Shape.of(8, 1, 1), a.shapeBefore(4));
    double err = OnnxRuntimeCheck.maxRelError(a, OnnxRuntimeCheck.randomWeights(a, 9), 3, 10);
    assertTrue(err <= OnnxRuntimeCheck.TOLERANCE, "max relative error " + err);
    Architecture odd =
        define(
            """
        {"layers": [{"adaptive_avg_pool2d": {"output_size": [3, 3], "name": "head"}},
          "flatten"]}""",
            Shape.of(2, 8, 9),
            3);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> OnnxExport.model(odd, odd.initialise(Init.HE, Rng.of(1)), Map.of()));
    assertEquals(
        "layer 'head' (adaptive pooling to 3x3) has no ONNX operator for input 2x8x9:"
            + " ONNX pools only where the output size divides the input's height and width, or to 1",
        e.getMessage());
  }

  @Test
  void batchNormsWithoutAffineOrRunningStatisticsMatchOnnxRuntime() throws Exception {
    Architecture a =
        define(
            """
        {"layers": [{"conv2d": {"out": 4, "kernel": 3}},
          {"batch_norm2d": {"affine": false}}, "relu",
          {"conv2d": {"out": 4, "kernel": 3}}, {"batch_norm2d": {"track_running_stats": false}},
          {"conv2d": {"out": 3, "kernel": 3}},
          {"batch_norm2d": {"affine": false, "track_running_stats": false}},
          {"batch_norm2d": {"momentum": null}}, "flatten", {"linear": {"out": 6}},
          {"batch_norm1d": {"affine": false, "track_running_stats": false}},
          {"batch_norm1d": {"momentum": null, "affine": false}},
          {"linear": {"out": "$classes"}}]}""",
            Shape.of(2, 11, 10),
            3);
    Vectors v = OnnxRuntimeCheck.randomWeights(a, 11);
    double err = OnnxRuntimeCheck.maxRelError(a, v, 4, 12);
    assertTrue(err <= OnnxRuntimeCheck.TOLERANCE, "max relative error " + err);
    // with running statistics the file imports back: scale 1 and bias 0 stand for no affine
    Architecture tracked =
        define(
            """
        {"layers": [{"batch_norm2d": {"affine": false, "momentum": null}}, "flatten",
          {"linear": {"out": "$classes"}}]}""",
            Shape.of(2, 3, 3),
            2);
    v = OnnxRuntimeCheck.randomWeights(tracked, 13);
    OnnxImport.Result back = OnnxImport.map(OnnxExport.model(tracked, v, Map.of()));
    float[] x = new float[2 * tracked.input().size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) Math.cos(i);
    }
    float[] y0 = new Model(tracked, v).forward(x, 2, false).clone();
    float[] y1 = new Model(back.architecture(), back.vectors()).forward(x, 2, false);
    Conformance.Outcome o = ModelCases.compare("round trip", y0, y1);
    assertTrue(o.maxRelError() < 1e-6, o.toString());
  }

  @Test
  void importedModelsOfSharedMatchOnnxRuntime() throws Exception {
    Path models = SharedData.root().resolve("models");
    for (String name : List.of("lenet5", "resnet20", "squeezenet1_1", "googlenet")) {
      OnnxImport.Result r = OnnxImport.read(models.resolve(name + ".onnx"));
      double err = OnnxRuntimeCheck.maxRelError(r.architecture(), r.vectors(), 2, 9);
      System.out.printf("export of %s: max_rel_error=%.3g%n", name, err);
      assertTrue(err <= OnnxRuntimeCheck.TOLERANCE, name + ": max relative error " + err);
    }
  }

  @Test
  void theFileHasADynamicBatchTheMetadataAndImportsBack() throws Exception {
    Architecture a = define(EVERY_LAYER.replace(", \"softmax\"", ""), Shape.of(3, 13, 11), 5);
    Vectors v = OnnxRuntimeCheck.randomWeights(a, 3);
    ModelProto m =
        OnnxExport.model(a, v, Map.of("normalize_mean", "[0.5]", "input_shape", "[3, 13, 11]"));
    assertEquals(OnnxExport.OPSET, m.getOpsetImport(0).getVersion());
    assertEquals(
        "batch",
        m.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0).getDimParam());
    assertEquals(
        "[0.5]",
        m.getMetadataPropsList().stream()
            .filter(p -> p.getKey().equals("normalize_mean"))
            .findFirst()
            .get()
            .getValue());
    Path f = dir.resolve("every.onnx");
    Files.write(f, m.toByteArray());
    OnnxImport.Result back = OnnxImport.read(f);
    assertEquals(a.paramCount(), back.architecture().paramCount());
    assertEquals(a.output(), back.architecture().output());
    assertEquals("[3, 13, 11]", back.meta().get("input_shape"));
    float[] x = new float[2 * a.input().size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) Math.sin(i);
    }
    float[] y0 = new Model(a, v).forward(x, 2, false).clone();
    float[] y1 = new Model(back.architecture(), back.vectors()).forward(x, 2, false);
    Conformance.Outcome o = ModelCases.compare("round trip", y0, y1);
    assertTrue(o.maxRelError() < 1e-6, o.toString());
  }
}

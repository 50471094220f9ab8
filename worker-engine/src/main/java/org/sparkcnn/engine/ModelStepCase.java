/*
 * A `model` reference case for any shipped architecture (../shared/golden/README.md, e.g.
 * resnet20_step): the case's flat parameter and buffer files are in PyTorch's named_parameters()
 * and named_buffers() order, described by "layout" and "buffer_layout" (name, shape, offset). The
 * shipped definition is built for the case's input, every tensor is placed by PyTorch's name
 * (PyTorchNames, as for safetensors) with its shape checked, one training step runs (forward in
 * training mode, mean cross-entropy, backward), and the loss, every gradient (mapped back to
 * PyTorch's order) and, where the case has them, the batch norm running statistics after the
 * step are compared with PyTorch's.
 */
package org.sparkcnn.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

final class ModelStepCase {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ModelStepCase() {}

  /** One entry of a layout: where a named tensor lies in a flat file. */
  private record Slot(int[] shape, int offset) {}

  static void run(
      JsonNode c, Path dir, Function<String, Map<String, Object>> catalog, ConformanceCheck check)
      throws IOException {
    String model = c.path("model").asText();
    Map<String, Object> doc = catalog.apply(model);
    if (doc == null) {
      throw new UnsupportedOperationException(
          "model cases of '"
              + model
              + "' need the shipped"
              + " model definitions (deploy/sparkcnn conformance has them)");
    }
    int[] s = Conformance.shape(c.get("input"));
    Map<String, Slot> params = layout(c.get("layout"));
    Map<String, Slot> buffers = c.has("buffer_layout") ? layout(c.get("buffer_layout")) : Map.of();
    int classes =
        params.entrySet().stream()
            .filter(e -> e.getKey().endsWith(".weight"))
            .reduce((a, b) -> a.getValue().offset() > b.getValue().offset() ? a : b)
            .orElseThrow()
            .getValue()
            .shape()[0];
    Architecture arch =
        ModelDefinition.parse(doc, Shape.of(Arrays.copyOfRange(s, 1, s.length)), classes);
    List<ModelTensors.Leaf> leaves = ModelTensors.leaves(arch);
    List<String> modules = PyTorchNames.modules(model, arch);
    float[] p = ModelCases.f32(dir.resolve(c.get("parameters_file").asText()));
    float[] expectedGrads = ModelCases.f32(dir.resolve(c.get("gradients_file").asText()));
    float[] b =
        c.has("buffers_file")
            ? ModelCases.f32(dir.resolve(c.get("buffers_file").asText()))
            : new float[0];
    Vectors v = new Vectors(arch.paramCount(), arch.bufferCount());
    float[] gradsInOurOrder = new float[arch.paramCount()];
    Map<ModelTensors.Tensor, Slot> placed = new HashMap<>();
    for (int i = 0; i < leaves.size(); i++) {
      for (ModelTensors.Tensor t : ModelTensors.tensors(leaves.get(i))) {
        String name = modules.get(i) + "." + t.suffix();
        Slot slot = (t.buffer() ? buffers : params).get(name);
        if (slot == null || !Arrays.equals(slot.shape(), t.shape())) {
          throw new IllegalStateException(
              "the case has no tensor "
                  + name
                  + " of shape "
                  + t.shapeText()
                  + " for layer "
                  + leaves.get(i).spec().name());
        }
        float[] src = t.buffer() ? b : p;
        System.arraycopy(
            src, slot.offset(), t.buffer() ? v.buffers : v.params, t.offset(), t.size());
        if (!t.buffer()) {
          System.arraycopy(expectedGrads, slot.offset(), gradsInOurOrder, t.offset(), t.size());
        }
        placed.put(t, slot);
      }
    }
    int n = s[0];
    int[] labels = Conformance.labels(c.get("target"), n);
    LocalStep.Stats st =
        new LocalStep().gradient(new Model(arch, v), Conformance.floats(c.get("input")), labels, n);
    check.compare(
        "loss",
        Conformance.scalar(c.get("loss")),
        new float[] {(float) (st.lossSum() / n)},
        Conformance.FORWARD_TOL);
    float[] mean = new float[v.grads.length];
    for (int i = 0; i < mean.length; i++) {
      mean[i] = v.grads[i] / n;
    }
    check.compare("gradients", tensor(gradsInOurOrder), mean, Conformance.GRAD_TOL);
    if (c.has("buffers_after_file")) {
      float[] after = ModelCases.f32(dir.resolve(c.get("buffers_after_file").asText()));
      float[] expected = new float[v.buffers.length];
      placed.forEach(
          (t, slot) -> {
            if (t.buffer()) {
              System.arraycopy(after, slot.offset(), expected, t.offset(), t.size());
            }
          });
      check.compare("running_statistics", tensor(expected), v.buffers, Conformance.FORWARD_TOL);
    }
  }

  private static Map<String, Slot> layout(JsonNode entries) {
    Map<String, Slot> out = new HashMap<>();
    for (JsonNode e : entries) {
      int[] shape = new int[e.get("shape").size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = e.get("shape").get(i).intValue();
      }
      out.put(e.get("name").asText(), new Slot(shape, e.get("offset").intValue()));
    }
    return out;
  }

  private static JsonNode tensor(float[] values) {
    double[] d = new double[values.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = values[i];
    }
    return JSON.valueToTree(Map.of("shape", List.of(d.length), "data", d));
  }
}

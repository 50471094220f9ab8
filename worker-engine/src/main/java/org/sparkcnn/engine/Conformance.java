/*
 * Runs reference cases in the format of ../shared/golden (README.md there) through the engine and
 * says, per tensor, how far the engine is from the reference. A case is one JSON file with an "op";
 * a layer op is built from the case's fields (its adapter below maps them to the layer's spec),
 * fed "input" and the parameters, and compared on "output" and, given "grad_output", on
 * "grad_input", "grad_weight" and "grad_bias". Tolerances are the README's: |a - e| <= tol *
 * max(1, max |e|), 1e-5 for forward values and 1e-4 for gradients. Cases of the loss, the
 * optimiser and the LeNet-5 model step have their own runners. Used by `sparkcnn conformance DIR`
 * and by the engine's tests.
 */
package org.sparkcnn.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.sparkcnn.engine.layers.Layer;
import org.sparkcnn.engine.layers.LayerSpec;

public final class Conformance {
  public static final double FORWARD_TOL = 1e-5;
  public static final double GRAD_TOL = 1e-4;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How one case went: the worst tensor and its error relative to max(1, max |expected|). */
  public record Outcome(
      String name, boolean passed, String tensor, double maxRelError, String problem) {}

  /** Maps a layer case's fields to its spec's fields ("type" and "name" are added). */
  private static final Map<String, BiFunction<JsonNode, int[], Map<String, Object>>> LAYERS =
      new LinkedHashMap<>();

  static {
    for (String conv : List.of("conv1d", "conv2d", "conv3d", "conv_transpose2d")) {
      LAYERS.put(conv, (c, in) -> convolution(c, conv.startsWith("conv_transpose")));
    }
    LAYERS.put(
        "linear",
        (c, in) -> {
          Map<String, Object> f = new LinkedHashMap<>();
          f.put("out", shape(c.get("weight"))[0]);
          f.put("bias", c.has("bias") && !c.get("bias").isNull());
          return f;
        });
    for (String plain : List.of("relu", "sigmoid", "tanh", "global_avg_pool2d")) {
      LAYERS.put(plain, (c, in) -> new LinkedHashMap<>());
    }
    LAYERS.put("leaky_relu", (c, in) -> fields(c, "negative_slope"));
    LAYERS.put("elu", (c, in) -> fields(c, "alpha"));
    LAYERS.put(
        "max_pool2d", (c, in) -> fields(c, "kernel", "stride", "padding", "ceil_mode", "dilation"));
    LAYERS.put(
        "avg_pool2d",
        (c, in) ->
            fields(
                c,
                "kernel",
                "stride",
                "padding",
                "ceil_mode",
                "count_include_pad",
                "divisor_override"));
    for (String adaptive : List.of("adaptive_avg_pool2d", "adaptive_max_pool2d")) {
      LAYERS.put(adaptive, (c, in) -> fields(c, "output_size"));
    }
    LAYERS.put("local_response_norm", (c, in) -> fields(c, "size", "alpha", "beta", "k"));
    LAYERS.put("pixel_shuffle", (c, in) -> fields(c, "upscale_factor"));
    LAYERS.put(
        "batch_norm",
        (c, in) -> {
          Map<String, Object> f = fields(c, "eps", "momentum", "affine", "track_running_stats");
          if (c.has("momentum") && c.get("momentum").isNull()) {
            f.put("momentum", null); // the cumulative average
          }
          f.put("type", in.length == 4 ? "batch_norm2d" : "batch_norm1d");
          f.put("features", in[1]);
          return f;
        });
  }

  private Conformance() {}

  /**
   * weight: [Cout, Cin/g, K...], or [Cin, Cout/g, K...] when transposed, as in PyTorch; a
   * padding_mode only for the convolutions that have one.
   */
  private static Map<String, Object> convolution(JsonNode c, boolean transposed) {
    int[] w = shape(c.get("weight"));
    Map<String, Object> f =
        transposed
            ? fields(c, "stride", "padding", "dilation", "groups", "output_padding")
            : fields(c, "stride", "padding", "dilation", "groups", "padding_mode");
    int groups = c.path("groups").asInt(1);
    f.put("out", transposed ? w[1] * groups : w[0]);
    List<Integer> kernel = Arrays.stream(w, 2, w.length).boxed().toList();
    f.put("kernel", kernel.stream().distinct().count() == 1 ? kernel.get(0) : kernel);
    f.put("bias", c.has("bias") && !c.get("bias").isNull());
    return f;
  }

  /** Every *.json case of a folder, by file name, without the shipped model definitions. */
  public static List<Outcome> runFolder(Path dir) throws IOException {
    return runFolder(dir, name -> null);
  }

  /**
   * Every *.json case of a folder, by file name; catalog gives the definition (parsed YAML) of a
   * shipped model by name for `model` cases, or null.
   */
  public static List<Outcome> runFolder(
      Path dir, java.util.function.Function<String, Map<String, Object>> catalog)
      throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
      ds.forEach(files::add);
    }
    files.sort(null);
    List<Outcome> out = new ArrayList<>();
    for (Path f : files) {
      out.add(run(f, catalog));
    }
    return out;
  }

  /** One case file; any error in it becomes a failed outcome that says what went wrong. */
  public static Outcome run(Path file) {
    return run(file, name -> null);
  }

  /** One case file, with the shipped definitions of catalog for `model` cases. */
  public static Outcome run(
      Path file, java.util.function.Function<String, Map<String, Object>> catalog) {
    String name = file.getFileName().toString().replaceFirst("\\.json$", "");
    try {
      JsonNode c = JSON.readTree(file.toFile());
      String op = c.path("op").asText("");
      ConformanceCheck check = new ConformanceCheck(name);
      switch (op) {
        case "softmax_cross_entropy" -> crossEntropy(c, check);
        case "sgd" -> sgd(c, check);
        case "model" -> {
          if ("lenet5".equals(c.path("model").asText())) {
            modelStep(c, file.getParent(), check);
          } else {
            ModelStepCase.run(c, file.getParent(), catalog, check);
          }
        }
        default -> {
          if (!LAYERS.containsKey(op)) {
            return new Outcome(name, false, "", Double.NaN, "unsupported op '" + op + "'");
          }
          layer(op, c, check);
        }
      }
      return check.outcome();
    } catch (IOException | RuntimeException e) {
      String msg = String.valueOf(e.getMessage());
      int nl = msg.indexOf('\n');
      return new Outcome(
          name,
          false,
          "",
          Double.NaN,
          e.getClass().getSimpleName() + ": " + (nl < 0 ? msg : msg.substring(0, nl)));
    }
  }

  private static void layer(String op, JsonNode c, ConformanceCheck check) {
    int[] inShape = shape(c.get("input"));
    int n = inShape[0];
    Shape in = Shape.of(Arrays.copyOfRange(inShape, 1, inShape.length));
    Map<String, Object> f = LAYERS.get(op).apply(c, inShape);
    f.putIfAbsent("type", op);
    f.put("name", op);
    LayerSpec spec = ModelFile.JSON.convertValue(f, LayerSpec.class);
    Vectors v = new Vectors(spec.paramCount(in), spec.bufferCount(in));
    int at = 0;
    for (String p : List.of("weight", "bias")) {
      if (c.has(p) && !c.get(p).isNull()) {
        float[] values = floats(c.get(p));
        System.arraycopy(values, 0, v.params, at, values.length);
        at += values.length;
      }
    }
    if (at != v.params.length) {
      throw new IllegalStateException(
          "the case gives " + at + " parameters, the layer has " + v.params.length);
    }
    boolean training = c.path("training").asBoolean(true);
    String runningBefore = training ? "_before" : "";
    if (c.has("running_mean" + runningBefore)) { // batch norm: [mean, var(, count)]
      float[] mean = floats(c.get("running_mean" + runningBefore));
      System.arraycopy(mean, 0, v.buffers, 0, mean.length);
      System.arraycopy(
          floats(c.get("running_var" + runningBefore)), 0, v.buffers, mean.length, mean.length);
      if (c.has("num_batches_tracked" + runningBefore) && v.buffers.length > 2 * mean.length) {
        v.buffers[2 * mean.length] = c.get("num_batches_tracked" + runningBefore).floatValue();
      }
    }
    Layer layer = spec.bind(in, v, 0, 0);
    float[] y = layer.forward(floats(c.get("input")), n, training);
    check.compare("output", c.get("output"), y, FORWARD_TOL);
    if (c.has("running_mean_after")) {
      int channels = in.dim(0);
      check.compare(
          "running_mean",
          c.get("running_mean_after"),
          Arrays.copyOfRange(v.buffers, 0, channels),
          FORWARD_TOL);
      check.compare(
          "running_var",
          c.get("running_var_after"),
          Arrays.copyOfRange(v.buffers, channels, 2 * channels),
          FORWARD_TOL);
    }
    if (c.has("grad_output")) {
      float[] dx = layer.backward(floats(c.get("grad_output")), n);
      check.compare("grad_input", c.get("grad_input"), dx, GRAD_TOL);
      int wLen = c.has("weight") ? floats(c.get("weight")).length : 0;
      if (c.has("grad_weight")) {
        check.compare("grad_weight", c.get("grad_weight"), v.grads, GRAD_TOL);
      }
      if (c.has("grad_bias") && !c.get("grad_bias").isNull()) {
        check.compare(
            "grad_bias",
            c.get("grad_bias"),
            Arrays.copyOfRange(v.grads, wLen, v.grads.length),
            GRAD_TOL);
      }
    }
  }

  private static void crossEntropy(JsonNode c, ConformanceCheck check) {
    int[] s = shape(c.get("logits"));
    float[] logits = floats(c.get("logits"));
    float[] grad = new float[s[0] * s[1]];
    SoftmaxCrossEntropy.Result r;
    if (c.has("soft_target")) {
      r =
          SoftmaxCrossEntropy.softLossAndGrad(
              logits, floats(c.get("soft_target")), s[0], s[1], grad);
    } else {
      int[] labels = labels(c.get("target"), s[0]);
      r =
          SoftmaxCrossEntropy.lossAndGrad(
              logits, labels, s[0], s[1], c.path("label_smoothing").asDouble(0), grad);
    }
    check.compare(
        "loss", scalar(c.get("loss")), new float[] {(float) (r.lossSum() / s[0])}, FORWARD_TOL);
    for (int i = 0; i < grad.length; i++) {
      grad[i] /= s[0];
    }
    check.compare("grad_logits", c.get("grad_logits"), grad, GRAD_TOL);
  }

  static int[] labels(JsonNode target, int n) {
    JsonNode data = target.has("data") ? target.get("data") : target;
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = data.get(i).intValue();
    }
    return labels;
  }

  private static void sgd(JsonNode c, ConformanceCheck check) {
    float[] w = floats(c.get("initial"));
    Sgd opt =
        new Sgd(
            new Sgd.Hyper(
                c.path("momentum").asDouble(0),
                c.path("dampening").asDouble(0),
                c.path("weight_decay").asDouble(0),
                c.path("nesterov").asBoolean(false)),
            w.length);
    JsonNode grads = c.get("grads");
    JsonNode after = c.get("weights_after_each_step");
    for (int step = 0; step < grads.size(); step++) {
      opt.step(w, floats(grads.get(step)), c.get("lr").asDouble());
      check.compare("weights_after_step_" + (step + 1), after.get(step), w, GRAD_TOL);
    }
  }

  private static void modelStep(JsonNode c, Path dir, ConformanceCheck check) throws IOException {
    if (!"lenet5".equals(c.path("model").asText())) {
      throw new UnsupportedOperationException(
          "model cases of '" + c.path("model").asText() + "' (lenet5 only)");
    }
    int[] s = shape(c.get("input"));
    Architecture arch = Models.lenet5(Shape.of(s[1], s[2], s[3]), 10);
    Vectors v = new Vectors(arch.paramCount(), arch.bufferCount());
    float[] params = f32(dir.resolve(c.get("parameters_file").asText()));
    if (params.length != v.params.length) {
      throw new IllegalStateException(
          "the model case has "
              + params.length
              + " parameters, LeNet-5 here has "
              + v.params.length);
    }
    System.arraycopy(params, 0, v.params, 0, params.length);
    int[] labels = labels(c.get("target"), s[0]);
    LocalStep.Stats st =
        new LocalStep().gradient(new Model(arch, v), floats(c.get("input")), labels, s[0]);
    check.compare(
        "loss", scalar(c.get("loss")), new float[] {(float) (st.lossSum() / s[0])}, FORWARD_TOL);
    float[] expected = f32(dir.resolve(c.get("gradients_file").asText()));
    float[] mean = new float[v.grads.length];
    for (int i = 0; i < mean.length; i++) {
      mean[i] = v.grads[i] / s[0];
    }
    double[] e = new double[expected.length];
    for (int i = 0; i < e.length; i++) {
      e[i] = expected[i];
    }
    check.compare(
        "gradients",
        JSON.valueToTree(Map.of("shape", List.of(e.length), "data", e)),
        mean,
        GRAD_TOL);
  }

  static JsonNode scalar(JsonNode v) {
    return v.isNumber() ? JSON.valueToTree(Map.of("shape", List.of(1), "data", List.of(v))) : v;
  }

  /** The named scalar fields of a case; a list of equal values ([2, 2]) becomes the value. */
  private static Map<String, Object> fields(JsonNode c, String... names) {
    Map<String, Object> f = new LinkedHashMap<>();
    for (String n : names) {
      if (c.has(n) && !c.get(n).isNull()) {
        Object v = JSON.convertValue(c.get(n), Object.class);
        if (v instanceof List<?> l && !l.isEmpty() && l.stream().distinct().count() == 1) {
          v = l.get(0);
        }
        f.put(n, v);
      }
    }
    return f;
  }

  static int[] shape(JsonNode tensor) {
    JsonNode s = tensor.get("shape");
    int[] a = new int[s.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = s.get(i).intValue();
    }
    return a;
  }

  static double[] doubles(JsonNode tensor) {
    JsonNode data = tensor.has("data") ? tensor.get("data") : tensor;
    double[] d = new double[data.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = data.get(i).doubleValue();
    }
    return d;
  }

  static float[] floats(JsonNode tensor) {
    double[] d = doubles(tensor);
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }

  private static float[] f32(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    float[] v = new float[bytes.length / 4];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
    return v;
  }
}

/*
 * Writes a sparkcnn model as a standard ONNX model (opset 13, IR version 7; opset 19, IR version 9
 * where a convolution pads circularly, as Pad's mode wrap needs) with the ONNX protobuf classes:
 * input "input" [batch, C, H, W] and output "output" [batch, ...], the batch dimension symbolic.
 * Each layer becomes the ONNX operator of the same maths (Conv, after a Pad of the input for a
 * padding_mode other than zeros (reflect, edge, wrap), ConvTranspose, Gemm, BatchNormalization,
 * MaxPool, AveragePool (with divisor_override a depthwise Conv), GlobalAveragePool + Flatten;
 * adaptive pooling as GlobalAveragePool or GlobalMaxPool to 1, else AveragePool or MaxPool where
 * the output size divides the input, Relu, LeakyRelu, Elu, Sigmoid, Tanh, Softmax on its axis,
 * LRN, DepthToSpace, Flatten (a flatten of every axis after the batch; other start_dim and end_dim
 * a Reshape to [0, ...], 0 keeping the batch); a batch norm without running statistics as the
 * ops of its batch statistics), a residual block an Add of its two chains and a concatenation a
 * Concat on the channels; dropout is the identity at inference and is left out. Weights are
 * initializers named after the layer (conv1.weight, bn1.running_mean), in the layouts of DESIGN.md
 * contract 4, which are ONNX's. The model's metadata (normalisation, class names, input shape) goes
 * into metadata_props as strings. OnnxGraph keeps the graph being written, OnnxPools writes the
 * pooling layers.
 */
package org.sparkcnn.engine;

import static org.sparkcnn.engine.OnnxGraph.integer;
import static org.sparkcnn.engine.OnnxGraph.ints;
import static org.sparkcnn.engine.OnnxGraph.perAxis;
import static org.sparkcnn.engine.OnnxGraph.real;
import static org.sparkcnn.engine.OnnxGraph.string;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.sparkcnn.engine.layers.AdaptiveAvgPool2d;
import org.sparkcnn.engine.layers.AdaptiveMaxPool2d;
import org.sparkcnn.engine.layers.AvgPool2d;
import org.sparkcnn.engine.layers.BatchNorm;
import org.sparkcnn.engine.layers.Concat;
import org.sparkcnn.engine.layers.ConvSpec;
import org.sparkcnn.engine.layers.ConvTranspose2d;
import org.sparkcnn.engine.layers.Dropout;
import org.sparkcnn.engine.layers.ELU;
import org.sparkcnn.engine.layers.Flatten;
import org.sparkcnn.engine.layers.GlobalAvgPool2d;
import org.sparkcnn.engine.layers.LayerSpec;
import org.sparkcnn.engine.layers.LeakyReLU;
import org.sparkcnn.engine.layers.Linear;
import org.sparkcnn.engine.layers.LocalResponseNorm;
import org.sparkcnn.engine.layers.MaxPool2d;
import org.sparkcnn.engine.layers.PixelShuffle;
import org.sparkcnn.engine.layers.ReLU;
import org.sparkcnn.engine.layers.Residual;
import org.sparkcnn.engine.layers.Sigmoid;
import org.sparkcnn.engine.layers.Softmax;
import org.sparkcnn.engine.layers.Tanh;

public final class OnnxExport {
  public static final int OPSET = 13;

  /** The first opset whose Pad has the mode wrap (circular padding). */
  public static final int WRAP_OPSET = 19;

  /** Pad's mode for each padding_mode other than zeros. */
  private static final Map<String, String> PAD_MODES =
      Map.of("reflect", "reflect", "replicate", "edge", "circular", "wrap");

  private final OnnxGraph graph = new OnnxGraph();
  private final OnnxPools pools = new OnnxPools(graph);
  private final Map<String, List<ModelTensors.Tensor>> tensors = new java.util.HashMap<>();
  private final Vectors v;
  private int opset = OPSET;

  private OnnxExport(Architecture arch, Vectors v) {
    this.v = v;
    for (ModelTensors.Leaf leaf : ModelTensors.leaves(arch)) {
      tensors.put(leaf.spec().name(), ModelTensors.tensors(leaf));
    }
  }

  /** The ONNX model of arch with the weights of v; meta values are written as strings. */
  public static ModelProto model(Architecture arch, Vectors v, Map<String, String> meta) {
    OnnxExport e = new OnnxExport(arch, v);
    String out = e.chain(arch.layers(), arch.input(), "input");
    e.graph.g.addInput(OnnxGraph.value("input", arch.input()));
    if (!out.equals("output")) {
      e.graph.g.addNode(
          NodeProto.newBuilder()
              .setOpType("Identity")
              .setName("output")
              .addInput(out)
              .addOutput("output"));
    }
    e.graph.g.addOutput(OnnxGraph.value("output", arch.output()));
    ModelProto.Builder m =
        ModelProto.newBuilder()
            .setIrVersion(e.opset < WRAP_OPSET ? 7 : 9)
            .setProducerName("sparkcnn")
            .setGraph(e.graph.g)
            .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(e.opset));
    meta.forEach(
        (k, val) ->
            m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(val)));
    return m.build();
  }

  /** Nodes for specs applied to the value x of shape in; returns the last value's name. */
  private String chain(List<LayerSpec> specs, Shape in, String x) {
    Shape shape = in;
    for (LayerSpec s : specs) {
      x = layer(s, shape, x);
      shape = s.outputShape(shape);
    }
    return x;
  }

  private String layer(LayerSpec s, Shape in, String x) {
    String n = s.name();
    if (s instanceof ConvSpec c) {
      int r = c.rank();
      long[] pads = new long[2 * r];
      long[] kernel = new long[r];
      for (int i = 0; i < r; i++) {
        kernel[i] = c.kernel().get(i);
        pads[i] = c.padding().before(i, c.kernel().get(i), c.dilation().get(i));
        pads[i + r] = c.padding().after(i, c.kernel().get(i), c.dilation().get(i));
      }
      if (c.padsByMode(in)) {
        x = pad(n, x, pads, c.paddingMode());
        pads = new long[2 * r];
      }
      return graph.node(
          "Conv",
          n,
          withWeights(n, x),
          ints("kernel_shape", kernel),
          ints("strides", perAxis(c.stride()::get, r)),
          ints("pads", pads),
          ints("dilations", perAxis(c.dilation()::get, r)),
          integer("group", c.groups()));
    }
    if (s instanceof ConvTranspose2d.Spec c) {
      return graph.node(
          "ConvTranspose",
          n,
          withWeights(n, x),
          ints("kernel_shape", perAxis(c.kernel()::get, 2)),
          ints("strides", perAxis(c.stride()::get, 2)),
          ints(
              "pads",
              c.padding().get(0),
              c.padding().get(1),
              c.padding().get(0),
              c.padding().get(1)),
          ints("output_padding", perAxis(c.outputPadding()::get, 2)),
          ints("dilations", perAxis(c.dilation()::get, 2)),
          integer("group", c.groups()));
    }
    if (s instanceof Linear.Spec) {
      String flat =
          in.rank() == 1
              ? x
              : graph.node("Flatten", n + ".flatten", List.of(x), integer("axis", 1));
      return graph.node("Gemm", n, withWeights(n, flat), integer("transB", 1));
    }
    if (s instanceof BatchNorm.Spec b) {
      return batchNorm(b, in, x);
    }
    if (s instanceof MaxPool2d.Spec p) {
      return pools.maxPool(p, x);
    }
    if (s instanceof AvgPool2d.Spec p) {
      return pools.avgPool(p, in, x);
    }
    if (s instanceof AdaptiveAvgPool2d.Spec p) {
      return pools.adaptive("AveragePool", p.outputSize(), n, in, x);
    }
    if (s instanceof AdaptiveMaxPool2d.Spec p) {
      return pools.adaptive("MaxPool", p.outputSize(), n, in, x);
    }
    if (s instanceof GlobalAvgPool2d.Spec) {
      return pools.global(n, x);
    }
    if (s instanceof Flatten.Spec f) {
      return flatten(f, in, x);
    }
    if (s instanceof Dropout.Spec) {
      return x;
    }
    if (s instanceof ReLU.Spec || s instanceof Sigmoid.Spec || s instanceof Tanh.Spec) {
      String op = s instanceof ReLU.Spec ? "Relu" : s instanceof Sigmoid.Spec ? "Sigmoid" : "Tanh";
      return graph.node(op, n, List.of(x));
    }
    if (s instanceof LeakyReLU.Spec l) {
      return graph.node("LeakyRelu", n, List.of(x), real("alpha", l.negativeSlope()));
    }
    if (s instanceof ELU.Spec e) {
      return graph.node("Elu", n, List.of(x), real("alpha", e.alpha()));
    }
    if (s instanceof Softmax.Spec m) {
      return graph.node("Softmax", n, List.of(x), integer("axis", m.axis(in)));
    }
    if (s instanceof LocalResponseNorm.Spec l) {
      return graph.node(
          "LRN",
          n,
          List.of(x),
          integer("size", l.size()),
          real("alpha", l.alpha()),
          real("beta", l.beta()),
          real("bias", l.k()));
    }
    if (s instanceof PixelShuffle.Spec p) {
      return graph.node(
          "DepthToSpace",
          n,
          List.of(x),
          integer("blocksize", p.upscaleFactor()),
          string("mode", "CRD"));
    }
    if (s instanceof Residual.Spec r) {
      String body = chain(r.body(), in, x);
      String shortcut = chain(r.shortcut(), in, x);
      return graph.node("Add", n, List.of(body, shortcut));
    }
    if (s instanceof Concat.Spec c) {
      List<String> outs = new ArrayList<>();
      for (List<LayerSpec> branch : c.branches()) {
        outs.add(chain(branch, in, x));
      }
      return graph.node("Concat", n, outs, integer("axis", 1));
    }
    throw new IllegalArgumentException(
        "layer '"
            + n
            + "' ("
            + s.getClass().getEnclosingClass().getSimpleName()
            + ") has no ONNX operator here");
  }

  /**
   * A Pad of x ([N, C, spatial...]) by pads [b.., e..] of the spatial axes in the Pad mode of
   * padding_mode, as the layer's input; wrap raises the model's opset.
   */
  private String pad(String layer, String x, long[] pads, String paddingMode) {
    int r = pads.length / 2;
    long[] all = new long[2 * (r + 2)];
    System.arraycopy(pads, 0, all, 2, r);
    System.arraycopy(pads, r, all, r + 4, r);
    graph.add(OnnxTensors.longs(layer + ".pads", all));
    String mode = PAD_MODES.get(paddingMode);
    if (mode.equals("wrap")) {
      opset = Math.max(opset, WRAP_OPSET);
    }
    return graph.node("Pad", layer + ".pad", List.of(x, layer + ".pads"), string("mode", mode));
  }

  /**
   * Nothing where the shape stays, Flatten (axis 1) for the axes from 1 to the last, else a Reshape
   * of x ([N, in]) to [0, out...], whose 0 copies the batch.
   */
  private String flatten(Flatten.Spec f, Shape in, String x) {
    Shape out = f.outputShape(in);
    if (out.equals(in)) {
      return x;
    }
    if (f.start(in) == 1 && f.end(in) == in.rank()) {
      return graph.node("Flatten", f.name(), List.of(x), integer("axis", 1));
    }
    long[] shape = new long[out.rank() + 1];
    for (int i = 0; i < out.rank(); i++) {
      shape[i + 1] = out.dim(i);
    }
    graph.add(OnnxTensors.longs(f.name() + ".shape", shape));
    return graph.node("Reshape", f.name(), List.of(x, f.name() + ".shape"));
  }

  /**
   * BatchNormalization with the running statistics, its scale 1 and bias 0 without affine (ONNX
   * always takes them). Without track_running_stats the batch statistics normalise in inference
   * too, which opset 13's BatchNormalization does not do: the mean and the biased variance are
   * ReduceMean over the batch and the positions, and y = (x - mean) / sqrt(var + eps) w + b.
   */
  private String batchNorm(BatchNorm.Spec b, Shape in, String x) {
    String n = b.name();
    int c = in.dim(0);
    Map<String, float[]> w = new java.util.HashMap<>();
    for (ModelTensors.Tensor t : tensors.getOrDefault(n, List.of())) {
      float[] src = t.buffer() ? v.buffers : v.params;
      w.put(t.suffix(), Arrays.copyOfRange(src, t.offset(), t.offset() + t.size()));
    }
    float[] ones = new float[c];
    Arrays.fill(ones, 1f);
    if (b.trackRunningStats()) {
      return graph.node(
          "BatchNormalization",
          n,
          List.of(
              x,
              graph.initializer(n + ".weight", w.getOrDefault("weight", ones), c),
              graph.initializer(n + ".bias", w.getOrDefault("bias", new float[c]), c),
              graph.initializer(n + ".running_mean", w.get("running_mean"), c),
              graph.initializer(n + ".running_var", w.get("running_var"), c)),
          real("epsilon", b.eps()));
    }
    long[] axes = new long[in.rank()]; // the batch, then every axis after the channels
    long[] perChannel = new long[in.rank()]; // [C, 1, ...]: broadcasts over the positions
    Arrays.fill(perChannel, 1);
    perChannel[0] = c;
    for (int i = 1; i < axes.length; i++) {
      axes[i] = i + 1;
    }
    String mean = graph.node("ReduceMean", n + ".mean", List.of(x), ints("axes", axes));
    String d = graph.node("Sub", n + ".centred", List.of(x, mean));
    String var =
        graph.node(
            "ReduceMean",
            n + ".var",
            List.of(graph.node("Mul", n + ".square", List.of(d, d))),
            ints("axes", axes));
    String eps = graph.initializer(n + ".eps", new float[] {b.eps().floatValue()});
    String std =
        graph.node(
            "Sqrt", n + ".std", List.of(graph.node("Add", n + ".var_eps", List.of(var, eps))));
    if (!b.affine()) {
      return graph.node("Div", n, List.of(d, std));
    }
    String xhat = graph.node("Div", n + ".xhat", List.of(d, std));
    String scaled =
        graph.node(
            "Mul",
            n + ".scale",
            List.of(xhat, graph.initializer(n + ".weight", w.get("weight"), perChannel)));
    return graph.node(
        "Add", n, List.of(scaled, graph.initializer(n + ".bias", w.get("bias"), perChannel)));
  }

  /** x, then the layer's weights as initializers named LAYER.SUFFIX. */
  private List<String> withWeights(String layer, String x) {
    List<String> in = new ArrayList<>(List.of(x));
    for (ModelTensors.Tensor t : tensors.get(layer)) {
      String name = layer + "." + t.suffix();
      float[] src = t.buffer() ? v.buffers : v.params;
      graph.add(
          OnnxTensors.floats(
              name,
              Arrays.copyOfRange(src, t.offset(), t.offset() + t.size()),
              Arrays.stream(t.shape()).asLongStream().toArray()));
      in.add(name);
    }
    return in;
  }
}

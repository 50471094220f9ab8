/*
 * One ONNX node to sparkcnn layer specs, with the node's weights taken from the graph's
 * initializers (ONNX operator semantics: github.com/onnx/onnx docs/Operators.md). Mapped: Conv
 * and ConvTranspose, with a Pad before a Conv (OnnxConvOps), Relu, LeakyRelu, Elu, Sigmoid,
 * Tanh, Softmax (along any axis after the batch; with Reshape in OnnxShapeOps), MaxPool (with dilations) and AveragePool
 * (per-axis windows, strides and pads equal before and after, ceil_mode, count_include_pad),
 * GlobalAveragePool, GlobalMaxPool (adaptive max pooling to 1), Flatten to [N, -1] and Reshape
 * that keeps the batch and merges consecutive axes (a flatten), Gemm (any transB, alpha and beta
 * folded into the weights), MatMul by a constant, BatchNormalization, Dropout (identity at
 * inference), LRN, DepthToSpace (CRD, pixel shuffle). Every attribute a handler does not know, or
 * a value it cannot map, is an error naming the node, the op and the attribute. The weights of
 * each layer are kept by layer name in PyTorch's order (weight, bias; for batch norm also the
 * running mean and variance), which is the engine's layout (DESIGN.md contract 4).
 */
package org.sparkcnn.engine;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.sparkcnn.engine.layers.AdaptiveMaxPool2d;
import org.sparkcnn.engine.layers.AvgPool2d;
import org.sparkcnn.engine.layers.BatchNorm1d;
import org.sparkcnn.engine.layers.BatchNorm2d;
import org.sparkcnn.engine.layers.ELU;
import org.sparkcnn.engine.layers.Flatten;
import org.sparkcnn.engine.layers.GlobalAvgPool2d;
import org.sparkcnn.engine.layers.LayerSpec;
import org.sparkcnn.engine.layers.LeakyReLU;
import org.sparkcnn.engine.layers.Linear;
import org.sparkcnn.engine.layers.LocalResponseNorm;
import org.sparkcnn.engine.layers.MaxPool2d;
import org.sparkcnn.engine.layers.Padding;
import org.sparkcnn.engine.layers.PerAxis;
import org.sparkcnn.engine.layers.PixelShuffle;
import org.sparkcnn.engine.layers.ReLU;
import org.sparkcnn.engine.layers.Sigmoid;
import org.sparkcnn.engine.layers.Tanh;

final class OnnxOps {
  /** Constant tensors of the graph by value name: initializers and their Identity aliases. */
  private final Map<String, OnnxTensors.Constant> constants;

  /** Weights of every layer with parameters, by layer name: params then buffers, in order. */
  final Map<String, List<float[]>> weights = new HashMap<>();

  private final Map<String, Integer> counters = new HashMap<>();

  /** The model's version of the default ONNX operator set, which Softmax's meaning follows. */
  final long opset;

  private final OnnxConvOps convs = new OnnxConvOps(this);

  private final OnnxShapeOps shapes = new OnnxShapeOps(this);

  OnnxOps(Map<String, OnnxTensors.Constant> constants, long opset) {
    this.constants = constants;
    this.opset = opset;
  }

  /** Thrown for a node that has no sparkcnn layer: the message names node, op and attribute. */
  static IllegalArgumentException unmappable(NodeProto n, String why) {
    return new IllegalArgumentException(
        "node '" + n.getName() + "' (" + n.getOpType() + "): " + why);
  }

  /** The specs of one node whose only data input has shape in (empty: an identity). */
  List<LayerSpec> convert(NodeProto n, Shape in) {
    return switch (n.getOpType()) {
      case "Conv" -> List.of(convs.conv(n, in, null));
      case "ConvTranspose" -> List.of(convs.convTranspose(n, in));
      case "Relu" -> plain(n, new ReLU.Spec(nextName("relu")));
      case "Sigmoid" -> plain(n, new Sigmoid.Spec(nextName("sigmoid")));
      case "Tanh" -> plain(n, new Tanh.Spec(nextName("tanh")));
      case "LeakyRelu" -> {
        Map<String, AttributeProto> a = OnnxAttrs.attrs(n, "alpha");
        yield List.of(
            new LeakyReLU.Spec(nextName("leaky_relu"), (double) OnnxAttrs.f(a, "alpha", 0.01f)));
      }
      case "Elu" -> {
        Map<String, AttributeProto> a = OnnxAttrs.attrs(n, "alpha");
        yield List.of(new ELU.Spec(nextName("elu"), (double) OnnxAttrs.f(a, "alpha", 1f)));
      }
      case "Softmax" -> List.of(shapes.softmax(n, in));
      case "MaxPool", "AveragePool" -> List.of(pool(n, in));
      case "GlobalAveragePool" -> plain(n, new GlobalAvgPool2d.Spec(nextName("gap")));
      case "GlobalMaxPool" -> plain(n, AdaptiveMaxPool2d.Spec.of(nextName("pool"), 1));
      case "Flatten" -> {
        long axis = OnnxAttrs.i(OnnxAttrs.attrs(n, "axis"), "axis", 1);
        if (axis != 1 && axis + in.rank() + 1 != 1) { // [N, prod(axes >= axis)] keeps the batch
          throw unmappable(n, "attribute 'axis' " + axis + ": only 1 maps (flatten to [N, -1])");
        }
        yield in.rank() == 1 ? List.of() : List.of(new Flatten.Spec(nextName("flatten")));
      }
      case "Reshape" -> shapes.reshape(n, in);
      case "Gemm" -> List.of(gemm(n, in));
      case "BatchNormalization" -> List.of(batchNorm(n, in));
      case "Dropout" -> {
        OnnxAttrs.attrs(n, "seed", "ratio");
        yield List.of(); // evaluation mode: the identity
      }
      case "Identity" -> plain(n);
      case "DepthToSpace" -> {
        Map<String, AttributeProto> a = OnnxAttrs.attrs(n, "blocksize", "mode");
        String mode = a.containsKey("mode") ? a.get("mode").getS().toStringUtf8() : "DCR";
        if (!mode.equals("CRD")) {
          throw unmappable(n, "attribute 'mode' " + mode + ": only CRD (pixel shuffle) maps");
        }
        yield List.of(
            new PixelShuffle.Spec(nextName("pixel_shuffle"), (int) OnnxAttrs.i(a, "blocksize", 0)));
      }
      case "LRN" -> {
        Map<String, AttributeProto> a = OnnxAttrs.attrs(n, "size", "alpha", "beta", "bias");
        yield List.of(
            new LocalResponseNorm.Spec(
                nextName("lrn"),
                (int) OnnxAttrs.i(a, "size", 0),
                (double) OnnxAttrs.f(a, "alpha", 1e-4f),
                (double) OnnxAttrs.f(a, "beta", 0.75f),
                (double) OnnxAttrs.f(a, "bias", 1f)));
      }
      default -> throw unmappable(n, "op " + n.getOpType() + " has no sparkcnn layer");
    };
  }

  /** A MatMul by a constant [in, out], with the bias of the Add after it (or null). */
  LayerSpec matMul(NodeProto n, NodeProto add, Shape in) {
    OnnxTensors.Constant w = floatConstant(n, 1, "B");
    if (w.dims().length != 2 || in.rank() != 1 || w.dims()[0] != in.size()) {
      throw unmappable(
          n,
          "input B "
              + Arrays.toString(w.dims())
              + " does not map onto a linear"
              + " layer of input "
              + in);
    }
    int out = (int) w.dims()[1];
    String name = nextName("fc");
    List<float[]> t = new ArrayList<>(List.of(transpose(w.values(), (int) w.dims()[0], out)));
    if (add != null) {
      if (add.getInputCount() != 2) {
        throw unmappable(add, "an Add of " + add.getInputCount() + " inputs after MatMul");
      }
      float[] b = floats(add, add.getInput(0).equals(n.getOutput(0)) ? 1 : 0, "B");
      if (b.length != out) {
        throw unmappable(add, "the bias after MatMul has " + b.length + " values, not " + out);
      }
      t.add(b);
    }
    weights.put(name, t);
    return new Linear.Spec(name, in.size(), out, add != null);
  }

  boolean isConstant(String value) {
    return constants.containsKey(value);
  }

  private List<LayerSpec> plain(NodeProto n, LayerSpec... specs) {
    OnnxAttrs.attrs(n);
    return List.of(specs);
  }

  /** A Pad (over the spatial axes only) and the Conv it feeds, as one convolution (OnnxConvOps). */
  LayerSpec paddedConv(NodeProto pad, NodeProto conv, Shape in) {
    return convs.conv(conv, in, pad);
  }

  private LayerSpec pool(NodeProto n, Shape in) {
    boolean max = n.getOpType().equals("MaxPool");
    Map<String, AttributeProto> a =
        max
            ? OnnxAttrs.attrs(
                n,
                "kernel_shape",
                "strides",
                "pads",
                "dilations",
                "ceil_mode",
                "auto_pad",
                "storage_order")
            : OnnxAttrs.attrs(
                n, "kernel_shape", "strides", "pads", "ceil_mode", "auto_pad", "count_include_pad");
    if (n.getOutputCount() > 1 || in.rank() != 3) {
      throw unmappable(n, "only 2D pooling with one output maps");
    }
    int[] k = OnnxAttrs.kernel(n, a, null, 2);
    PerAxis stride = OnnxAttrs.perAxis(a, "strides", 2, 1);
    PerAxis dilation = OnnxAttrs.perAxis(a, "dilations", 2, 1);
    if (OnnxAttrs.i(a, "storage_order", 0) != 0) {
      throw unmappable(n, "attribute 'storage_order' other than 0");
    }
    Padding p = OnnxAttrs.padding(n, a, 2, k, stride, dilation);
    if (p.isSame()) {
      throw unmappable(n, "attribute 'pads' must be the same before and after each axis");
    }
    PerAxis pad = PerAxis.of(p.before(0, k[0], 1), p.before(1, k[1], 1));
    boolean ceil = OnnxAttrs.i(a, "ceil_mode", 0) != 0;
    return max
        ? new MaxPool2d.Spec(nextName("pool"), PerAxis.of(k), stride, pad, ceil, dilation)
        : new AvgPool2d.Spec(
            nextName("pool"),
            PerAxis.of(k),
            stride,
            pad,
            ceil,
            OnnxAttrs.i(a, "count_include_pad", 0) != 0);
  }

  /**
   * A Pad of zeros around H and W followed by an AveragePool without pads that divides by what is
   * inside (count_include_pad 0): PyTorch's average pooling with padding counted.
   */
  LayerSpec paddedAveragePool(NodeProto pad, NodeProto pool, Shape in) {
    Map<String, AttributeProto> a = OnnxAttrs.attrs(pad, "mode");
    String mode = a.containsKey("mode") ? a.get("mode").getS().toStringUtf8() : "constant";
    long[] p = longs(pad, 1, "pads");
    float[] fill =
        pad.getInputCount() < 3 || pad.getInput(2).isEmpty()
            ? new float[] {0f}
            : floats(pad, 2, "constant_value");
    boolean zeros = fill.length == 1 && fill[0] == 0f;
    boolean spatial =
        in.rank() == 3
            && p.length == 8
            && p[0] == 0
            && p[1] == 0
            && p[4] == 0
            && p[5] == 0
            && p[2] == p[6]
            && p[3] == p[7];
    if (!mode.equals("constant")
        || !zeros
        || !spatial
        || pool == null
        || !pool.getOpType().equals("AveragePool")) {
      throw unmappable(
          pad,
          "a Pad maps only before a Conv, or as zeros before and after H and W"
              + " (the same on both sides) before an AveragePool");
    }
    Shape padded = Shape.of(in.c(), in.h() + 2 * (int) p[2], in.w() + 2 * (int) p[3]);
    AvgPool2d.Spec s = (AvgPool2d.Spec) pool(pool, padded);
    if (s.padding().max() != 0 || s.countIncludePad()) {
      throw unmappable(pool, "attribute 'pads' or 'count_include_pad' after a Pad");
    }
    return new AvgPool2d.Spec(
        s.name(), s.kernel(), s.stride(), PerAxis.of((int) p[2], (int) p[3]), s.ceilMode(), true);
  }

  private LayerSpec gemm(NodeProto n, Shape in) {
    Map<String, AttributeProto> a = OnnxAttrs.attrs(n, "alpha", "beta", "transA", "transB");
    if (OnnxAttrs.i(a, "transA", 0) != 0 || in.rank() != 1) {
      throw unmappable(n, "attribute 'transA' or an input " + in + " that is not [N, features]");
    }
    OnnxTensors.Constant w = floatConstant(n, 1, "B");
    boolean transB = OnnxAttrs.i(a, "transB", 0) != 0;
    if (w.dims().length != 2 || w.dims()[transB ? 1 : 0] != in.size()) {
      throw unmappable(n, "input B " + Arrays.toString(w.dims()) + " does not take " + in);
    }
    int out = (int) w.dims()[transB ? 0 : 1];
    float[] weight = transB ? w.values().clone() : transpose(w.values(), in.size(), out);
    scale(weight, OnnxAttrs.f(a, "alpha", 1f));
    String name = nextName("fc");
    List<float[]> t = new ArrayList<>(List.of(weight));
    boolean bias = n.getInputCount() > 2 && !n.getInput(2).isEmpty();
    if (bias) {
      float[] c = floats(n, 2, "C");
      if (c.length != out) {
        throw unmappable(n, "input C of " + c.length + " values: only a bias of " + out + " maps");
      }
      c = c.clone();
      scale(c, OnnxAttrs.f(a, "beta", 1f));
      t.add(c);
    }
    weights.put(name, t);
    return new Linear.Spec(name, in.size(), out, bias);
  }

  private LayerSpec batchNorm(NodeProto n, Shape in) {
    Map<String, AttributeProto> a =
        OnnxAttrs.attrs(n, "epsilon", "momentum", "training_mode", "spatial");
    if (OnnxAttrs.i(a, "training_mode", 0) != 0 || n.getOutputCount() > 1) {
      throw unmappable(n, "attribute 'training_mode': only inference-mode batch norm maps");
    }
    String name = nextName("bn");
    List<float[]> t = new ArrayList<>();
    for (int k = 1; k <= 4; k++) {
      t.add(floats(n, k, new String[] {"", "scale", "B", "input_mean", "input_var"}[k]));
    }
    weights.put(name, t);
    double eps = OnnxAttrs.f(a, "epsilon", 1e-5f);
    double momentum = 1 - OnnxAttrs.f(a, "momentum", 0.9f); // ONNX keeps (1 - PyTorch's momentum)
    return in.rank() == 3
        ? new BatchNorm2d.Spec(name, in.c(), eps, momentum)
        : new BatchNorm1d.Spec(name, in.dim(0), eps, momentum);
  }

  OnnxTensors.Constant constant(NodeProto n, int input, String what) {
    String v = n.getInputCount() > input ? n.getInput(input) : "";
    OnnxTensors.Constant c = constants.get(v);
    if (c == null) {
      throw unmappable(n, "input " + what + " ('" + v + "') must be a constant initializer");
    }
    return c;
  }

  /** A constant input of FLOAT values. */
  OnnxTensors.Constant floatConstant(NodeProto n, int input, String what) {
    OnnxTensors.Constant c = constant(n, input, what);
    if (c.values() == null) {
      throw unmappable(n, "input " + what + " must be a FLOAT tensor");
    }
    return c;
  }

  float[] floats(NodeProto n, int input, String what) {
    return floatConstant(n, input, what).values();
  }

  /** The values of an INT64 constant input. */
  long[] longs(NodeProto n, int input, String what) {
    long[] v = constant(n, input, what).longs();
    if (v == null) {
      throw unmappable(n, "input " + what + " must be an INT64 tensor");
    }
    return v;
  }

  /** a: [rows, cols] row-major; returns [cols, rows]. */
  private static float[] transpose(float[] a, int rows, int cols) {
    float[] t = new float[a.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = a[r * cols + c];
      }
    }
    return t;
  }

  private static void scale(float[] v, float s) {
    if (s != 1f) {
      for (int i = 0; i < v.length; i++) {
        v[i] *= s;
      }
    }
  }

  /** A fresh layer name: base and a count (conv1, conv2...). */
  String nextName(String base) {
    return base + counters.merge(base, 1, Integer::sum);
  }
}

/*
 * The pooling layers of an ONNX export (OnnxExport): MaxPool; AveragePool with PyTorch's divisor
 * (the padding made explicit by a Pad where count_include_pad counts it), or a depthwise Conv for a
 * divisor_override; adaptive pooling as the global pool or a pool whose windows are PyTorch's; and
 * global average pooling with the Flatten that follows it in the engine.
 */
package org.sparkcnn.engine;

import static org.sparkcnn.engine.OnnxGraph.integer;
import static org.sparkcnn.engine.OnnxGraph.ints;
import static org.sparkcnn.engine.OnnxGraph.perAxis;

import java.util.Arrays;
import java.util.List;
import org.sparkcnn.engine.layers.AvgPool2d;
import org.sparkcnn.engine.layers.MaxPool2d;
import org.sparkcnn.engine.layers.PerAxis;

record OnnxPools(OnnxGraph graph) {
  String maxPool(MaxPool2d.Spec p, String x) {
    String n = p.name();
    long[] pad = perAxis(p.padding()::get, 2);
    return graph.node(
        "MaxPool",
        n,
        List.of(x),
        ints("kernel_shape", perAxis(p.kernel()::get, 2)),
        ints("strides", perAxis(p.stride()::get, 2)),
        ints("pads", pad[0], pad[1], pad[0], pad[1]),
        ints("dilations", perAxis(p.dilation()::get, 2)),
        integer("ceil_mode", p.ceilMode() ? 1 : 0));
  }

  String avgPool(AvgPool2d.Spec p, Shape in, String x) {
    if (p.divisorOverride() != null) {
      return dividedPool(p, in, x);
    }
    String n = p.name();
    // PyTorch's divisor with count_include_pad counts the padding but not what ceil_mode adds
    // past it, which ONNX Runtime's AveragePool does not do: the padding is made explicit
    // (Pad) and the pool divides by what lies inside the padded input.
    long[] pad = perAxis(p.padding()::get, 2);
    String padded = x;
    if (p.countIncludePad() && p.padding().max() > 0) {
      graph.add(OnnxTensors.longs(n + ".pads", 0, 0, pad[0], pad[1], 0, 0, pad[0], pad[1]));
      padded = graph.node("Pad", n + ".pad", List.of(x, n + ".pads"));
      pad = new long[2];
    }
    return graph.node(
        "AveragePool",
        n,
        List.of(padded),
        ints("kernel_shape", perAxis(p.kernel()::get, 2)),
        ints("strides", perAxis(p.stride()::get, 2)),
        ints("pads", pad[0], pad[1], pad[0], pad[1]),
        integer("ceil_mode", p.ceilMode() ? 1 : 0),
        integer("count_include_pad", 0));
  }

  /** GlobalAveragePool, then Flatten from axis 1, as the engine's global average pool. */
  String global(String n, String x) {
    return graph.node(
        "Flatten",
        n + ".flatten",
        List.of(graph.node("GlobalAveragePool", n, List.of(x))),
        integer("axis", 1));
  }

  /**
   * Adaptive pooling as the one ONNX operator of the same windows: output 1 the global pool, an
   * output that divides the input a pool of kernel = stride = input / output (PyTorch's windows are
   * then exactly those); other sizes have overlapping windows of two sizes, which no ONNX pooling
   * operator makes.
   */
  String adaptive(String op, PerAxis size, String n, Shape in, String x) {
    if (size.max() == 1) {
      return graph.node("Global" + op, n, List.of(x));
    }
    int oh = size.get(0);
    int ow = size.get(1);
    if (in.h() % oh != 0 || in.w() % ow != 0) {
      throw new IllegalArgumentException(
          "layer '"
              + n
              + "' (adaptive pooling to "
              + oh
              + "x"
              + ow
              + ") has no ONNX operator for input "
              + in
              + ": ONNX pools only where the output size"
              + " divides the input's height and width, or to 1");
    }
    long kh = in.h() / oh;
    long kw = in.w() / ow;
    return graph.node(op, n, List.of(x), ints("kernel_shape", kh, kw), ints("strides", kh, kw));
  }

  /**
   * Average pooling with divisor_override d, which AveragePool cannot divide by: a depthwise Conv
   * whose weights are all 1 / d over the zero-padded input, with the end padded further where
   * ceil_mode adds a window that sticks out (its sum is the sum of what lies inside).
   */
  private String dividedPool(AvgPool2d.Spec p, Shape in, String x) {
    String n = p.name();
    Shape out = p.outputShape(in);
    long[] k = perAxis(p.kernel()::get, 2);
    long[] pads = new long[4];
    for (int i = 0; i < 2; i++) {
      int pad = p.padding().get(i);
      int past = (out.dim(i + 1) - 1) * p.stride().get(i) + (int) k[i] - in.dim(i + 1) - 2 * pad;
      pads[i] = pad;
      pads[i + 2] = pad + Math.max(past, 0);
    }
    float[] w = new float[in.c() * (int) (k[0] * k[1])];
    Arrays.fill(w, 1f / p.divisorOverride());
    graph.add(OnnxTensors.floats(n + ".weight", w, in.c(), 1, k[0], k[1]));
    return graph.node(
        "Conv",
        n,
        List.of(x, n + ".weight"),
        ints("kernel_shape", k),
        ints("strides", perAxis(p.stride()::get, 2)),
        ints("pads", pads),
        integer("group", in.c()));
  }
}

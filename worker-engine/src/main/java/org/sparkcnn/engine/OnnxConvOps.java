/*
 * ONNX Conv and ConvTranspose nodes to convolution specs, for OnnxOps: Conv in 1D, 2D and 3D with
 * any strides, dilations and groups, its pads (or SAME_UPPER's split), and a Pad before it over the
 * spatial axes, whose mode reflect, edge or wrap is the padding_mode reflect, replicate or circular
 * and whose zeros add to the Conv's own pads; ConvTranspose in 2D. The weights go to OnnxOps's
 * table under the layer's name (weight, then bias).
 */
package org.sparkcnn.engine;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.sparkcnn.engine.layers.Conv1d;
import org.sparkcnn.engine.layers.Conv2d;
import org.sparkcnn.engine.layers.Conv3d;
import org.sparkcnn.engine.layers.ConvTranspose2d;
import org.sparkcnn.engine.layers.LayerSpec;
import org.sparkcnn.engine.layers.Padding;
import org.sparkcnn.engine.layers.PerAxis;

final class OnnxConvOps {
  /** The padding_mode of each mode of a Pad before a Conv. */
  private static final Map<String, String> PAD_MODES =
      Map.of("constant", "zeros", "reflect", "reflect", "edge", "replicate", "wrap", "circular");

  private final OnnxOps ops;

  OnnxConvOps(OnnxOps ops) {
    this.ops = ops;
  }

  /**
   * A Conv, or a Pad (over the spatial axes only; null if none) and the Conv it feeds as one
   * convolution: the Pad's padding is the convolution's, its mode the padding_mode (constant 0
   * zeros, reflect reflect, edge replicate, wrap circular); a Pad of zeros adds to the Conv's own
   * pads, another mode needs a Conv without pads.
   */
  LayerSpec conv(NodeProto n, Shape in, NodeProto pad) {
    Map<String, AttributeProto> a =
        OnnxAttrs.attrs(n, "kernel_shape", "strides", "pads", "dilations", "group", "auto_pad");
    OnnxTensors.Constant w = ops.floatConstant(n, 1, "W");
    int rank = w.dims().length - 2;
    if (rank < 1 || rank > 3 || in.rank() != rank + 1) {
      throw OnnxOps.unmappable(
          n,
          "weight "
              + Arrays.toString(w.dims())
              + " on input "
              + in
              + ": 1D, 2D or 3D convolutions map");
    }
    int[] k = OnnxAttrs.kernel(n, a, w.dims(), rank);
    PerAxis stride = OnnxAttrs.perAxis(a, "strides", rank, 1);
    PerAxis dilation = OnnxAttrs.perAxis(a, "dilations", rank, 1);
    Padding padding = OnnxAttrs.padding(n, a, rank, k, stride, dilation);
    String mode = "zeros";
    if (pad != null) {
      String onnxMode = padMode(pad);
      mode = PAD_MODES.get(onnxMode);
      int[] total = spatialPads(pad, rank);
      for (int i = 0; i < rank; i++) {
        int before = padding.before(i, k[i], dilation.get(i));
        int after = padding.after(i, k[i], dilation.get(i));
        if (!mode.equals("zeros") && (before > 0 || after > 0)) {
          throw OnnxOps.unmappable(
              n,
              "attribute 'pads' after a Pad in mode "
                  + onnxMode
                  + ": only the"
                  + " zeros of a constant Pad add to a Conv's pads");
        }
        total[i] += before;
        total[i + rank] += after;
      }
      padding =
          OnnxAttrs.pads(
              pad,
              "pads " + Arrays.toString(total) + " of the Pad and the Conv" + " after it",
              total,
              k,
              stride,
              dilation);
    }
    int groups = (int) OnnxAttrs.i(a, "group", 1);
    int out = (int) w.dims()[0];
    boolean bias = n.getInputCount() > 2 && !n.getInput(2).isEmpty();
    String name = ops.nextName("conv");
    List<float[]> t = new ArrayList<>(List.of(w.values()));
    if (bias) {
      t.add(ops.floats(n, 2, "B"));
    }
    ops.weights.put(name, t);
    PerAxis kernel = PerAxis.of(k);
    return switch (rank) {
      case 1 ->
          new Conv1d.Spec(name, in.c(), out, kernel, stride, padding, bias, dilation, groups, mode);
      case 2 ->
          new Conv2d.Spec(name, in.c(), out, kernel, stride, padding, bias, dilation, groups, mode);
      default ->
          new Conv3d.Spec(name, in.c(), out, kernel, stride, padding, bias, dilation, groups, mode);
    };
  }

  /** A Pad's mode (constant by default), one that PAD_MODES maps and, if constant, of zeros. */
  private String padMode(NodeProto pad) {
    Map<String, AttributeProto> a = OnnxAttrs.attrs(pad, "mode");
    String mode = a.containsKey("mode") ? a.get("mode").getS().toStringUtf8() : "constant";
    if (!PAD_MODES.containsKey(mode)) {
      throw OnnxOps.unmappable(
          pad, "attribute 'mode' " + mode + ": constant, reflect, edge and wrap" + " map");
    }
    boolean zeros =
        pad.getInputCount() < 3
            || pad.getInput(2).isEmpty()
            || ops.constant(pad, 2, "constant_value").values()[0] == 0f;
    if (!zeros) {
      throw OnnxOps.unmappable(pad, "a constant_value other than 0: a convolution pads with zeros");
    }
    if (pad.getInputCount() > 3 && !pad.getInput(3).isEmpty()) {
      throw OnnxOps.unmappable(pad, "input 'axes': only pads for every axis map");
    }
    return mode;
  }

  /** A Pad's pads of a [N, C, spatial...] input, [b.., e..] over the spatial axes alone. */
  private int[] spatialPads(NodeProto pad, int spatial) {
    long[] p = ops.constant(pad, 1, "pads").longs();
    int r = spatial + 2;
    boolean fits =
        p.length == 2 * r
            && p[0] == 0
            && p[1] == 0
            && p[r] == 0
            && p[r + 1] == 0
            && Arrays.stream(p).allMatch(x -> x >= 0);
    if (!fits) {
      throw OnnxOps.unmappable(
          pad,
          "pads "
              + Arrays.toString(p)
              + ": only padding of the "
              + spatial
              + " spatial axes, none negative, maps before a Conv");
    }
    int[] out = new int[2 * spatial];
    for (int i = 0; i < spatial; i++) {
      out[i] = (int) p[2 + i];
      out[spatial + i] = (int) p[r + 2 + i];
    }
    return out;
  }

  LayerSpec convTranspose(NodeProto n, Shape in) {
    Map<String, AttributeProto> a =
        OnnxAttrs.attrs(
            n,
            "kernel_shape",
            "strides",
            "pads",
            "dilations",
            "group",
            "output_padding",
            "auto_pad");
    OnnxTensors.Constant w = ops.floatConstant(n, 1, "W");
    if (w.dims().length != 4 || in.rank() != 3) {
      throw OnnxOps.unmappable(n, "weight " + Arrays.toString(w.dims()) + ": only 2D maps");
    }
    int[] k = OnnxAttrs.kernel(n, a, w.dims(), 2);
    PerAxis stride = OnnxAttrs.perAxis(a, "strides", 2, 1);
    PerAxis dilation = OnnxAttrs.perAxis(a, "dilations", 2, 1);
    Padding padding = OnnxAttrs.padding(n, a, 2, k, stride, dilation);
    if (padding.isSame()) {
      throw OnnxOps.unmappable(n, "attribute 'pads' must be the same on both sides of each axis");
    }
    int groups = (int) OnnxAttrs.i(a, "group", 1);
    boolean bias = n.getInputCount() > 2 && !n.getInput(2).isEmpty();
    String name = ops.nextName("deconv");
    List<float[]> t = new ArrayList<>(List.of(w.values()));
    if (bias) {
      t.add(ops.floats(n, 2, "B"));
    }
    ops.weights.put(name, t);
    PerAxis pad = PerAxis.of(padding.before(0, k[0], 1), padding.before(1, k[1], 1));
    return new ConvTranspose2d.Spec(
        name,
        in.c(),
        (int) w.dims()[1] * groups,
        PerAxis.of(k),
        stride,
        pad,
        OnnxAttrs.perAxis(a, "output_padding", 2, 0),
        groups,
        bias,
        dilation);
  }
}

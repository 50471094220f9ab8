/*
 * Reading the attributes of an ONNX node for OnnxOps: by name, with the defaults of the ONNX
 * operator specification, refusing any attribute a handler does not list (the error names the
 * node, the op and the attribute); kernel sizes, per-axis values and pads turned into the
 * engine's PerAxis and Padding.
 */
package org.sparkcnn.engine;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sparkcnn.engine.layers.Padding;
import org.sparkcnn.engine.layers.PerAxis;

final class OnnxAttrs {
  private OnnxAttrs() {}

  static int[] kernel(NodeProto n, Map<String, AttributeProto> a, long[] w, int rank) {
    if (a.containsKey("kernel_shape")) {
      List<Long> k = a.get("kernel_shape").getIntsList();
      if (k.size() != rank) {
        throw OnnxOps.unmappable(n, "attribute 'kernel_shape' " + k + " for " + rank + " axes");
      }
      return k.stream().mapToInt(Long::intValue).toArray();
    }
    if (w == null) {
      throw OnnxOps.unmappable(n, "attribute 'kernel_shape' is required");
    }
    return Arrays.stream(w, 2, w.length).mapToInt(x -> (int) x).toArray();
  }

  /** pads [b0, b1.., e0, e1..]: equal per axis maps; auto_pad VALID, SAME_UPPER at stride 1. */
  static Padding padding(
      NodeProto n,
      Map<String, AttributeProto> a,
      int rank,
      int[] k,
      PerAxis stride,
      PerAxis dilation) {
    String auto = a.containsKey("auto_pad") ? a.get("auto_pad").getS().toStringUtf8() : "NOTSET";
    switch (auto) {
      case "NOTSET" -> {}
      case "VALID" -> {
        return Padding.VALID;
      }
      case "SAME_UPPER" -> {
        if (stride.max() == 1) {
          return Padding.SAME;
        }
        throw OnnxOps.unmappable(n, "attribute 'auto_pad' SAME_UPPER with a stride above 1");
      }
      default ->
          throw OnnxOps.unmappable(
              n,
              "attribute 'auto_pad' "
                  + auto
                  + " (NOTSET, VALID or"
                  + " SAME_UPPER at stride 1 map)");
    }
    List<Long> p = a.containsKey("pads") ? a.get("pads").getIntsList() : null;
    if (p == null) {
      return Padding.of(0);
    }
    if (p.size() != 2 * rank) {
      throw OnnxOps.unmappable(n, "attribute 'pads' " + p + " for " + rank + " axes");
    }
    return pads(
        n,
        "attribute 'pads' " + p,
        p.stream().mapToInt(Long::intValue).toArray(),
        k,
        stride,
        dilation);
  }

  /**
   * Pads [b0, b1.., e0, e1..] per spatial axis (what names them in an error) as a Padding: the same
   * before and after each axis, or SAME's split at stride 1.
   */
  static Padding pads(
      NodeProto n, String what, int[] p, int[] k, PerAxis stride, PerAxis dilation) {
    int rank = p.length / 2;
    int[] before = Arrays.copyOf(p, rank);
    boolean same = stride.max() == 1;
    boolean symmetric = true;
    for (int i = 0; i < rank; i++) {
      int after = p[i + rank];
      int extent = dilation.get(i) * (k[i] - 1);
      symmetric &= after == before[i];
      same &= before[i] == extent / 2 && after == extent - extent / 2;
    }
    if (symmetric) {
      return Padding.of(before);
    }
    if (same) {
      return Padding.SAME;
    }
    throw OnnxOps.unmappable(
        n,
        what + ": different padding before and after an axis maps only" + " as SAME at stride 1");
  }

  static PerAxis perAxis(Map<String, AttributeProto> a, String key, int rank, int dflt) {
    if (!a.containsKey(key)) {
      return PerAxis.of(dflt);
    }
    int[] v = a.get(key).getIntsList().stream().mapToInt(Long::intValue).toArray();
    return v.length == rank ? PerAxis.of(v) : PerAxis.of(-1); // -1 is refused by the spec
  }

  /** The node's attributes by name; an attribute not in known is an error naming it. */
  static Map<String, AttributeProto> attrs(NodeProto n, String... known) {
    Set<String> k = Set.of(known);
    Map<String, AttributeProto> out = new HashMap<>();
    for (AttributeProto a : n.getAttributeList()) {
      if (!k.contains(a.getName())) {
        throw OnnxOps.unmappable(
            n,
            "attribute '"
                + a.getName()
                + "' is not supported (known: "
                + Arrays.toString(known)
                + ")");
      }
      out.put(a.getName(), a);
    }
    return out;
  }

  static long i(Map<String, AttributeProto> a, String key, long dflt) {
    return a.containsKey(key) ? a.get(key).getI() : dflt;
  }

  static float f(Map<String, AttributeProto> a, String key, float dflt) {
    return a.containsKey(key) ? a.get(key).getF() : dflt;
  }
}

/*
 * ONNX Softmax and Reshape nodes to layer specs, for OnnxOps: Softmax along one axis after the
 * batch (with the meaning of the model's opset), and a Reshape that keeps the batch and merges
 * consecutive axes of the sample, as a flatten.
 */
package org.sparkcnn.engine;

import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.Arrays;
import java.util.List;
import org.sparkcnn.engine.layers.Flatten;
import org.sparkcnn.engine.layers.LayerSpec;
import org.sparkcnn.engine.layers.Softmax;

final class OnnxShapeOps {
  private final OnnxOps ops;

  OnnxShapeOps(OnnxOps ops) {
    this.ops = ops;
  }

  /**
   * Softmax along one axis (opset 13 on; a negative axis counts from the end) as softmax with that
   * dim. Before opset 13 the input is seen as 2D, split before the axis (default 1), and each row
   * normalised over every axis from it on: that is one axis only where those after it are 1.
   */
  LayerSpec softmax(NodeProto n, Shape in) {
    long axis = OnnxAttrs.i(OnnxAttrs.attrs(n, "axis"), "axis", ops.opset < 13 ? 1 : -1);
    long a = axis < 0 ? axis + in.rank() + 1 : axis;
    if (a < 1 || a > in.rank()) {
      throw OnnxOps.unmappable(
          n,
          "attribute 'axis' "
              + axis
              + " on input "
              + in
              + ": only an axis after"
              + " the batch maps (1 to "
              + in.rank()
              + ", or -"
              + in.rank()
              + " to -1)");
    }
    for (int d = (int) a; ops.opset < 13 && d < in.rank(); d++) {
      if (in.dim(d) != 1) {
        throw OnnxOps.unmappable(
            n,
            "attribute 'axis' "
                + axis
                + " on input "
                + in
                + " in opset "
                + ops.opset
                + ": before opset 13 Softmax normalises over all the axes from 'axis' on, which"
                + " maps only where that is the last axis of size above 1");
      }
    }
    return new Softmax.Spec(ops.nextName("softmax"), (int) a);
  }

  /**
   * A Reshape that keeps the batch (0 or -1 first) and merges consecutive axes of the sample (0
   * copies an axis, one -1 takes the rest): a flatten from start_dim to end_dim, or nothing if the
   * shape stays.
   */
  List<LayerSpec> reshape(NodeProto n, Shape in) {
    OnnxAttrs.attrs(n, "allowzero");
    long[] shape = ops.longs(n, 1, "shape");
    boolean flat =
        shape.length == 2
            && (shape[0] == 0 || shape[0] == -1 || shape[0] == 1)
            && (shape[1] == -1 || shape[1] == in.size());
    if (flat) {
      return in.rank() == 1 ? List.of() : List.of(new Flatten.Spec(ops.nextName("flatten")));
    }
    Shape target = sampleShape(shape, in);
    if (target != null && target.equals(in)) {
      return List.of();
    }
    Flatten.Spec f = target == null ? null : Flatten.Spec.between("flatten", in, target);
    if (f == null) {
      throw OnnxOps.unmappable(
          n,
          "target shape "
              + Arrays.toString(shape)
              + " on input "
              + in
              + ": only"
              + " a flatten to [N, -1] or of consecutive axes after the batch maps");
    }
    return List.of(new Flatten.Spec(ops.nextName("flatten"), f.startDim(), f.endDim()));
  }

  /** The sample shape a Reshape to shape gives an input [N, in] if it keeps N, else null. */
  private static Shape sampleShape(long[] shape, Shape in) {
    if (shape.length < 2 || (shape[0] != 0 && shape[0] != -1)) {
      return null;
    }
    int[] dims = new int[shape.length - 1];
    int infer = shape[0] == -1 ? -2 : -1; // where the one -1 is; -2: the batch has it
    long known = 1;
    for (int i = 0; i < dims.length; i++) {
      long d = shape[i + 1];
      if (d == -1 && infer == -1) {
        infer = i;
      } else if (d == 0 && i < in.rank()) {
        dims[i] = in.dim(i);
      } else if (d > 0 && d <= Integer.MAX_VALUE) {
        dims[i] = (int) d;
      } else {
        return null;
      }
      known *= Math.max(dims[i], 1);
      if (known > in.size()) {
        return null;
      }
    }
    if (infer >= 0) {
      if (in.size() % known != 0) {
        return null;
      }
      dims[infer] = (int) (in.size() / known);
    }
    return known * (infer >= 0 ? dims[infer] : 1) == in.size() ? Shape.of(dims) : null;
  }
}

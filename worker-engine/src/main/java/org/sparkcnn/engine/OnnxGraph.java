/*
 * The graph an ONNX export writes (OnnxExport, OnnxPools): nodes, each output a fresh value named
 * after its node, float and int64 initializers, and the attribute values the operators take.
 */
package org.sparkcnn.engine;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.List;

final class OnnxGraph {
  final GraphProto.Builder g = GraphProto.newBuilder().setName("sparkcnn");
  private int values;

  /** An initializer (a weight or a constant input). */
  void add(TensorProto t) {
    g.addInitializer(t);
  }

  /** A float initializer; returns its name. */
  String initializer(String name, float[] values, long... dims) {
    add(OnnxTensors.floats(name, values, dims));
    return name;
  }

  /** A node of op on inputs; returns the name of its output. */
  String node(String op, String name, List<String> inputs, AttributeProto... attrs) {
    String out = name + ":" + values++;
    g.addNode(
        NodeProto.newBuilder()
            .setOpType(op)
            .setName(name)
            .addAllInput(inputs)
            .addOutput(out)
            .addAllAttribute(List.of(attrs)));
    return out;
  }

  static long[] perAxis(java.util.function.IntUnaryOperator get, int rank) {
    long[] v = new long[rank];
    for (int i = 0; i < rank; i++) {
      v[i] = get.applyAsInt(i);
    }
    return v;
  }

  static AttributeProto ints(String name, long... v) {
    AttributeProto.Builder a =
        AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long x : v) {
      a.addInts(x);
    }
    return a.build();
  }

  static AttributeProto integer(String name, long v) {
    return AttributeProto.newBuilder()
        .setName(name)
        .setType(AttributeProto.AttributeType.INT)
        .setI(v)
        .build();
  }

  static AttributeProto real(String name, double v) {
    return AttributeProto.newBuilder()
        .setName(name)
        .setType(AttributeProto.AttributeType.FLOAT)
        .setF((float) v)
        .build();
  }

  static AttributeProto string(String name, String v) {
    return AttributeProto.newBuilder()
        .setName(name)
        .setType(AttributeProto.AttributeType.STRING)
        .setS(com.google.protobuf.ByteString.copyFromUtf8(v))
        .build();
  }

  /** The graph input or output name: [batch, s...], float, the batch dimension symbolic. */
  static ValueInfoProto value(String name, Shape s) {
    TensorShapeProto.Builder shape =
        TensorShapeProto.newBuilder()
            .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
    for (int i = 0; i < s.rank(); i++) {
      shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(s.dim(i)));
    }
    return ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape)))
        .build();
  }
}

/*
 * ONNX import (OnnxImport, OnnxOps, OnnxTensors): every model of ../shared/models made by PyTorch's
 * exporter (LeNet-5, ResNet-20 with its Add joins, SqueezeNet 1.1 with Concat joins and
 * Identity-aliased weights, GoogLeNet with four-branch Concats and ceil-mode pooling) reproduces
 * PyTorch's outputs; graphs built here check BatchNormalization, Gemm without transB, MatMul plus
 * Add, Reshape, a Pad before a Conv (its mode as the padding_mode), Softmax along an axis (and
 * its meaning before opset 13), Flatten with a negative axis, a Reshape that merges consecutive
 * axes as a partial flatten, and the error paths: an
 * unmappable op or attribute names the node, the op and the attribute, a damaged file or
 * initializer is named, never a large allocation.
 */
package org.sparkcnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparkcnn.engine.OnnxGraph.integer;
import static org.sparkcnn.engine.OnnxGraph.ints;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.engine.layers.AdaptiveMaxPool2d;
import org.sparkcnn.engine.layers.Conv2d;
import org.sparkcnn.engine.layers.Flatten;
import org.sparkcnn.engine.layers.Padding;
import org.sparkcnn.engine.layers.ReLU;
import org.sparkcnn.engine.layers.Softmax;

class OnnxImportTest {
  @TempDir Path dir;

  @Test
  void everySharedOnnxModelReproducesPyTorch() throws IOException {
    Path models = SharedData.root().resolve("models");
    for (String name : List.of("lenet5", "resnet20", "squeezenet1_1", "googlenet")) {
      Conformance.Outcome o = ModelCases.onnx(models.resolve(name + ".onnx"), name);
      System.out.printf("%s max_rel_error=%.3g %s%n", o.name(), o.maxRelError(), o.problem());
      assertTrue(o.passed(), o.toString());
    }
  }

  static ValueInfoProto value(String name, long... dims) {
    TensorShapeProto.Builder s =
        TensorShapeProto.newBuilder()
            .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
    for (long d : dims) {
      s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(1).setShape(s)))
        .build();
  }

  static NodeProto node(
      String op, String name, List<String> in, String out, AttributeProto... attrs) {
    return NodeProto.newBuilder()
        .setOpType(op)
        .setName(name)
        .addAllInput(in)
        .addOutput(out)
        .addAllAttribute(List.of(attrs))
        .build();
  }

  static ModelProto model(GraphProto.Builder g) {
    return ModelProto.newBuilder().setIrVersion(7).setGraph(g).build();
  }

  /** x [2, 3, 3] -> BatchNormalization -> Flatten -> Gemm (B [18, 4]) -> MatMul + Add. */
  private static GraphProto.Builder dense() {
    float[] gemm = new float[18 * 4];
    for (int i = 0; i < gemm.length; i++) {
      gemm[i] = i * 0.01f;
    }
    return GraphProto.newBuilder()
        .addInput(value("x", 2, 3, 3))
        .addOutput(value("y", 2))
        .addInitializer(OnnxTensors.floats("g", new float[] {1, 2}, 2))
        .addInitializer(OnnxTensors.floats("b", new float[] {0.5f, -0.5f}, 2))
        .addInitializer(OnnxTensors.floats("m", new float[] {0.1f, 0.2f}, 2))
        .addInitializer(OnnxTensors.floats("v", new float[] {1, 4}, 2))
        .addInitializer(OnnxTensors.floats("W", gemm, 18, 4))
        .addInitializer(OnnxTensors.floats("M", new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2))
        .addInitializer(OnnxTensors.floats("c", new float[] {10, 20}, 2))
        .addNode(node("BatchNormalization", "bn", List.of("x", "g", "b", "m", "v"), "h"))
        .addNode(node("Flatten", "flat", List.of("h"), "f", integer("axis", 1)))
        .addNode(node("Gemm", "gemm", List.of("f", "W"), "z"))
        .addNode(node("MatMul", "mm", List.of("z", "M"), "p"))
        .addNode(node("Add", "add", List.of("p", "c"), "y"));
  }

  @Test
  void batchNormGemmAndMatMulMapWithTheirWeights() {
    OnnxImport.Result r = OnnxImport.map(model(dense()));
    Architecture a = r.architecture();
    assertEquals(
        List.of("bn1", "flatten1", "fc1", "fc2"), a.layers().stream().map(l -> l.name()).toList());
    assertEquals(Shape.of(2), a.output());
    assertArrayEquals(new float[] {0.1f, 0.2f, 1, 4}, r.vectors().buffers);
    int fc1 = a.paramOffset(2);
    assertEquals(0.04f, r.vectors().params[fc1 + 1], 1e-7); // W transposed: [4, 18]
    int fc2 = a.paramOffset(3);
    assertArrayEquals(
        new float[] {1, 3, 5, 7, 2, 4, 6, 8, 10, 20},
        java.util.Arrays.copyOfRange(r.vectors().params, fc2, fc2 + 10));
  }

  @Test
  void globalMaxPoolIsAdaptiveMaxPoolingToOne() {
    GraphProto.Builder g =
        GraphProto.newBuilder()
            .addInput(value("x", 2, 3, 3))
            .addOutput(value("y", 2))
            .addNode(node("GlobalMaxPool", "gmp", List.of("x"), "p"))
            .addNode(node("Flatten", "flat", List.of("p"), "y", integer("axis", 1)));
    Architecture a = OnnxImport.map(model(g)).architecture();
    assertEquals(
        List.of(AdaptiveMaxPool2d.Spec.of("pool1", 1), new Flatten.Spec("flatten1")), a.layers());
    assertEquals(Shape.of(2), a.output());
    float[] x = {1, 9, 3, 4, 5, 6, 7, 8, 2, -1, -2, -3, -4, -5, -6, -7, -8, -9};
    assertArrayEquals(
        new float[] {9, -1},
        java.util.Arrays.copyOf(new Model(a, new Vectors(0, 0)).forward(x, 1, false), 2));
  }

  private static String refused(GraphProto.Builder g) {
    return assertThrows(IllegalArgumentException.class, () -> OnnxImport.map(model(g)))
        .getMessage();
  }

  @Test
  void unmappableOpsAndAttributesNameNodeOpAndAttribute() {
    GraphProto.Builder g = dense();
    g.setNode(1, node("Flatten", "flat", List.of("h"), "f", integer("axis", 2)));
    assertEquals(
        "node 'flat' (Flatten): attribute 'axis' 2: only 1 maps (flatten to [N, -1])", refused(g));
    g = dense();
    g.setNode(2, node("Gemm", "gemm", List.of("f", "W"), "z", integer("transQ", 1)));
    String m = refused(g);
    assertTrue(m.startsWith("node 'gemm' (Gemm): attribute 'transQ' is not supported"), m);
    g = dense();
    g.setNode(3, node("Einsum", "e1", List.of("z", "M"), "p"));
    assertEquals("node 'e1' (Einsum): op Einsum has no sparkcnn layer", refused(g));
    g = dense();
    g.setNode(
        0,
        node(
            "BatchNormalization",
            "bn",
            List.of("x", "g", "b", "m", "v"),
            "h",
            integer("training_mode", 1)));
    assertTrue(refused(g).contains("node 'bn' (BatchNormalization): attribute 'training_mode'"));
    g = dense();
    g.setNode(2, node("Gemm", "gemm", List.of("f", "f"), "z"));
    assertTrue(refused(g).contains("node 'gemm' (Gemm)"));
  }

  /** x [1, 4, 5] -> Pad (mode, pads, value) -> Conv (W [2, 1, 3, 3], convAttrs) -> y. */
  private static GraphProto.Builder padConv(
      String mode, long[] pads, float value, AttributeProto... convAttrs) {
    GraphProto.Builder g =
        GraphProto.newBuilder()
            .addInput(value("x", 1, 4, 5))
            .addOutput(value("y", 2, 4, 5))
            .addInitializer(OnnxTensors.longs("pads", pads))
            .addInitializer(OnnxTensors.floats("value", new float[] {value}))
            .addInitializer(OnnxTensors.floats("W", new float[18], 2, 1, 3, 3))
            .addNode(node("Conv", "c", List.of("p", "W"), "y", convAttrs));
    NodeProto.Builder pad =
        NodeProto.newBuilder()
            .setOpType("Pad")
            .setName("p")
            .addAllInput(List.of("x", "pads", "value"))
            .addOutput("p");
    if (mode != null) {
      pad.addAttribute(
          AttributeProto.newBuilder()
              .setName("mode")
              .setType(AttributeProto.AttributeType.STRING)
              .setS(ByteString.copyFromUtf8(mode)));
    }
    return g.addNode(0, pad);
  }

  @Test
  void aPadBeforeAConvIsItsPaddingMode() {
    for (String[] m :
        new String[][] {{"reflect", "reflect"}, {"edge", "replicate"}, {"wrap", "circular"}}) {
      Conv2d.Spec c =
          (Conv2d.Spec)
              OnnxImport.map(model(padConv(m[0], new long[] {0, 0, 1, 1, 0, 0, 1, 1}, 0)))
                  .architecture()
                  .layers()
                  .get(0);
      assertEquals(m[1], c.paddingMode());
      assertEquals(Padding.of(1, 1), c.padding());
    }
    // an even kernel's SAME split: one more after than before
    GraphProto.Builder g =
        padConv("reflect", new long[] {0, 0, 1, 1, 0, 0, 2, 2}, 0)
            .setInitializer(2, OnnxTensors.floats("W", new float[32], 2, 1, 4, 4));
    Conv2d.Spec c = (Conv2d.Spec) OnnxImport.map(model(g)).architecture().layers().get(0);
    assertEquals(Padding.SAME, c.padding());
    assertEquals("reflect", c.paddingMode());
    // zeros: the Pad's and the Conv's own add up
    c =
        (Conv2d.Spec)
            OnnxImport.map(
                    model(
                        padConv(
                            null,
                            new long[] {0, 0, 1, 0, 0, 0, 1, 0},
                            0,
                            ints("pads", 0, 1, 0, 1))))
                .architecture()
                .layers()
                .get(0);
    assertEquals("zeros", c.paddingMode());
    assertEquals(Padding.of(1, 1), c.padding());
  }

  @Test
  void padsThatNoPaddingModeGivesAreRefused() {
    String m =
        refused(padConv("wrap", new long[] {0, 0, 1, 1, 0, 0, 1, 1}, 0, ints("pads", 1, 1, 1, 1)));
    assertTrue(m.startsWith("node 'c' (Conv): attribute 'pads' after a Pad in mode wrap"), m);
    m = refused(padConv("constant", new long[] {0, 0, 1, 1, 0, 0, 1, 1}, 1.5f));
    assertTrue(m.startsWith("node 'p' (Pad): a constant_value other than 0"), m);
    m = refused(padConv("symmetric", new long[] {0, 0, 1, 1, 0, 0, 1, 1}, 0));
    assertTrue(m.startsWith("node 'p' (Pad): attribute 'mode' symmetric"), m);
    m = refused(padConv("edge", new long[] {0, 1, 1, 1, 0, 0, 1, 1}, 0));
    assertTrue(
        m.startsWith(
            "node 'p' (Pad): pads [0, 1, 1, 1, 0, 0, 1, 1]: only padding of the 2"
                + " spatial axes"),
        m);
    m = refused(padConv("edge", new long[] {0, 0, 1, 1, 0, 0, 2, 2}, 0));
    assertTrue(
        m.startsWith(
            "node 'p' (Pad): pads [1, 1, 2, 2] of the Pad and the Conv after it:"
                + " different padding before and after"),
        m);
    m = refused(padConv("reflect", new long[] {0, 0, 4, 1, 0, 0, 4, 1}, 0));
    assertTrue(m.contains("padding_mode 'reflect'") && m.contains("size 4"), m);
  }

  /** x [2, 3, 3] -> the node -> y; the node's output is y. */
  private static GraphProto.Builder one(NodeProto n, long... out) {
    GraphProto.Builder g =
        GraphProto.newBuilder().addInput(value("x", 2, 3, 3)).addOutput(value("y", out)).addNode(n);
    return g;
  }

  @Test
  void softmaxTakesItsAxisAndFlattenANegativeOne() {
    GraphProto.Builder g =
        GraphProto.newBuilder()
            .addInput(value("x", 2, 3, 3))
            .addOutput(value("y", 18))
            .addNode(node("Softmax", "s1", List.of("x"), "a", integer("axis", 1)))
            .addNode(node("Softmax", "s2", List.of("a"), "b", integer("axis", -2)))
            .addNode(node("Softmax", "s3", List.of("b"), "c"))
            .addNode(node("Flatten", "f", List.of("c"), "y", integer("axis", -3)));
    assertEquals(
        List.of(
            new Softmax.Spec("softmax1", 1),
            new Softmax.Spec("softmax2", 2),
            new Softmax.Spec("softmax3", 3),
            new Flatten.Spec("flatten1")),
        OnnxImport.map(model(g)).architecture().layers());
    assertEquals(
        "node 's' (Softmax): attribute 'axis' 0 on input 2x3x3: only an axis after the"
            + " batch maps (1 to 3, or -3 to -1)",
        refused(one(node("Softmax", "s", List.of("x"), "y", integer("axis", 0)), 2, 3, 3)));
    assertTrue(
        refused(one(node("Softmax", "s", List.of("x"), "y", integer("axis", -4)), 2, 3, 3))
            .contains("attribute 'axis' -4 on input 2x3x3"));
    assertEquals(
        "node 'f' (Flatten): attribute 'axis' 0: only 1 maps (flatten to [N, -1])",
        refused(one(node("Flatten", "f", List.of("x"), "y", integer("axis", 0)), 18)));
  }

  @Test
  void beforeOpset13SoftmaxMapsOnlyAlongTheLastAxis() {
    GraphProto.Builder g =
        one(node("Softmax", "s", List.of("x"), "y", integer("axis", 3)), 2, 3, 3);
    ModelProto old =
        model(g).toBuilder().addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(11)).build();
    assertEquals(
        List.of(new Softmax.Spec("softmax1", 3)), OnnxImport.map(old).architecture().layers());
    ModelProto whole =
        model(one(node("Softmax", "s", List.of("x"), "y"), 2, 3, 3)).toBuilder()
            .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(11))
            .build();
    String m =
        assertThrows(IllegalArgumentException.class, () -> OnnxImport.map(whole)).getMessage();
    assertEquals(
        "node 's' (Softmax): attribute 'axis' 1 on input 2x3x3 in opset 11: before"
            + " opset 13 Softmax normalises over all the axes from 'axis' on, which maps only where"
            + " that is the last axis of size above 1",
        m);
  }

  @Test
  void aReshapeThatMergesConsecutiveAxesIsAPartialFlatten() {
    GraphProto.Builder g =
        one(node("Reshape", "r", List.of("x", "shape"), "y"), 2, 9)
            .addInitializer(OnnxTensors.longs("shape", 0, 2, 9));
    assertEquals(
        List.of(new Flatten.Spec("flatten1", 2, 3)),
        OnnxImport.map(model(g)).architecture().layers());
    g =
        one(node("Reshape", "r", List.of("x", "shape"), "y"), 6, 3)
            .addInitializer(OnnxTensors.longs("shape", -1, 6, 0));
    assertEquals(
        List.of(new Flatten.Spec("flatten1", 1, 2)),
        OnnxImport.map(model(g)).architecture().layers());
    g =
        one(node("Reshape", "r", List.of("x", "shape"), "r"), 2, 3, 3)
            .addInitializer(OnnxTensors.longs("shape", 0, 0, -1, 3))
            .addNode(node("Relu", "relu", List.of("r"), "y")); // the Reshape keeps the shape
    assertEquals(List.of(new ReLU.Spec("relu1")), OnnxImport.map(model(g)).architecture().layers());
    g =
        one(node("Reshape", "r", List.of("x", "shape"), "y"), 9, 2)
            .addInitializer(OnnxTensors.longs("shape", 0, 9, 2));
    assertEquals(
        "node 'r' (Reshape): target shape [0, 9, 2] on input 2x3x3: only a flatten to"
            + " [N, -1] or of consecutive axes after the batch maps",
        refused(g));
  }

  @Test
  void damagedTensorsAndFilesAreNamed() throws IOException {
    GraphProto.Builder g = dense();
    g.setInitializer(
        4,
        TensorProto.newBuilder()
            .setName("W")
            .setDataType(1)
            .addDims(1L << 40)
            .addDims(1L << 40)
            .setRawData(ByteString.copyFrom(new byte[16])));
    assertTrue(refused(g).startsWith("initializer 'W': dims [1099511627776, 1099511627776]"));
    g = dense();
    g.setInitializer(
        4,
        TensorProto.newBuilder()
            .setName("W")
            .setDataType(1)
            .addDims(18)
            .addDims(4)
            .setRawData(ByteString.copyFrom(new byte[16])));
    assertEquals("initializer 'W': dims [18, 4] need 288 bytes, the file holds 16", refused(g));
    g = dense();
    g.setInitializer(4, TensorProto.newBuilder().setName("W").setDataType(11).addDims(1));
    assertTrue(refused(g).contains("data type 11"));
    Path bad = dir.resolve("bad.onnx");
    Files.write(bad, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3});
    IOException e = assertThrows(IOException.class, () -> OnnxImport.read(bad));
    assertTrue(e.getMessage().startsWith(bad + ": not an ONNX model"), e.getMessage());
    Path empty = dir.resolve("empty.onnx");
    Files.write(empty, new byte[0]);
    e = assertThrows(IOException.class, () -> OnnxImport.read(empty));
    assertTrue(e.getMessage().contains("holds no graph"), e.getMessage());
  }
}

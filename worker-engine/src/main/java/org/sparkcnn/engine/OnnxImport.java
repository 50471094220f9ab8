/*
 * Builds a sparkcnn model (architecture and weights) from an ONNX file (model.file: PATH.onnx).
 * The graph is parsed with the ONNX protobuf classes; its one data input gives the input shape
 * (the batch dimension may be symbolic). The nodes are walked from the input: a node with one data
 * input becomes layers (OnnxOps); where a value feeds several nodes the branches are followed to
 * the node that joins them, an Add of two branches becoming a residual block (an input used
 * directly is the identity shortcut) and a Concat on the channel axis a concatenation (in the
 * Concat's input order); branches may nest. A Pad joins the Conv or AveragePool it feeds.
 * Constant inputs (initializers, Identity of one) are weights. Anything else is an error naming
 * the node, the op and the attribute, thrown before any Spark job: an unmappable op, a join of
 * branches that do not meet, a cycle, a weight whose size does not fit its layer, a file that is
 * not ONNX.
 */
package org.sparkcnn.engine;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sparkcnn.engine.layers.Concat;
import org.sparkcnn.engine.layers.LayerSpec;
import org.sparkcnn.engine.layers.Residual;

public final class OnnxImport {
  /** An ONNX file larger than this is refused (protobuf messages stop at 2 GiB anyway). */
  static final long MAX_BYTES = 2_000_000_000L;

  /** The imported model: architecture, weights, and the file's metadata_props. */
  public record Result(Architecture architecture, Vectors vectors, Map<String, String> meta) {}

  private final GraphProto graph;
  private final Map<String, List<NodeProto>> consumers = new HashMap<>();
  private final Set<NodeProto> visited = Collections.newSetFromMap(new IdentityHashMap<>());
  private final OnnxOps ops;

  private OnnxImport(GraphProto graph, Map<String, OnnxTensors.Constant> constants, long opset) {
    this.graph = graph;
    this.ops = new OnnxOps(constants, opset);
    for (NodeProto n : graph.getNodeList()) {
      for (String in : n.getInputList()) {
        if (!in.isEmpty() && !constants.containsKey(in)) {
          consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
        }
      }
    }
  }

  /** Reads and maps a file; every failure is an IOException whose message names the file. */
  public static Result read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException(file + ": no such file");
    }
    if (Files.size(file) > MAX_BYTES) {
      throw new IOException(
          file + ": " + Files.size(file) + " bytes, larger than an ONNX file" + " can be");
    }
    ModelProto model;
    try (InputStream in = Files.newInputStream(file)) {
      model = ModelProto.parseFrom(in);
    } catch (InvalidProtocolBufferException e) {
      throw new IOException(file + ": not an ONNX model (" + e.getMessage() + ")");
    }
    try {
      return map(model);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  static Result map(ModelProto model) {
    if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
      throw new IllegalArgumentException("not an ONNX model: it holds no graph");
    }
    GraphProto g = model.getGraph();
    for (NodeProto n : g.getNodeList()) {
      if (n.getOutputCount() == 0 || n.getOutput(0).isEmpty()) {
        throw OnnxOps.unmappable(n, "it has no output");
      }
    }
    Map<String, OnnxTensors.Constant> constants = new HashMap<>();
    for (TensorProto t : g.getInitializerList()) {
      constants.put(t.getName(), OnnxTensors.read(t));
    }
    for (NodeProto n : g.getNodeList()) { // Identity of a constant is that constant
      if (n.getOpType().equals("Identity")
          && n.getInputCount() > 0
          && constants.containsKey(n.getInput(0))) {
        constants.put(n.getOutput(0), constants.get(n.getInput(0)));
      }
    }
    List<ValueInfoProto> inputs =
        g.getInputList().stream().filter(v -> !constants.containsKey(v.getName())).toList();
    if (inputs.size() != 1 || g.getOutputCount() != 1) {
      throw new IllegalArgumentException(
          "the graph has "
              + inputs.size()
              + " data inputs and "
              + g.getOutputCount()
              + " outputs; one of each maps");
    }
    Shape input = inputShape(inputs.get(0));
    long opset =
        model.getOpsetImportList().stream() // of the default domain; none: current
            .filter(o -> o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx"))
            .mapToLong(o -> o.getVersion())
            .max()
            .orElse(OnnxExport.OPSET);
    OnnxImport walk = new OnnxImport(g, constants, opset);
    Segment s = walk.chain(inputs.get(0).getName(), input);
    if (s.stop() != null || !s.last().equals(g.getOutput(0).getName())) {
      throw new IllegalArgumentException(
          s.stop() == null
              ? "the walk from the input ends at '"
                  + s.last()
                  + "', not at the output '"
                  + g.getOutput(0).getName()
                  + "'"
              : OnnxOps.unmappable(s.stop(), "joins values that do not come from one fork")
                  .getMessage());
    }
    Architecture arch = new Architecture(input, s.specs());
    Vectors v = new Vectors(arch.paramCount(), arch.bufferCount());
    for (ModelTensors.Leaf leaf : ModelTensors.leaves(arch)) {
      List<float[]> w = walk.ops.weights.get(leaf.spec().name());
      List<ModelTensors.Tensor> tensors = ModelTensors.tensors(leaf);
      for (int i = 0; i < tensors.size(); i++) {
        ModelTensors.Tensor t = tensors.get(i);
        float[] values = w == null || i >= w.size() ? null : w.get(i);
        if (values == null || values.length != t.size()) {
          throw new IllegalArgumentException(
              "layer '"
                  + leaf.spec().name()
                  + "': its "
                  + t.suffix()
                  + " holds "
                  + (values == null ? 0 : values.length)
                  + " values, its"
                  + " shape "
                  + java.util.Arrays.toString(t.shape())
                  + " needs "
                  + t.size());
        }
        System.arraycopy(values, 0, t.buffer() ? v.buffers : v.params, t.offset(), t.size());
      }
    }
    Map<String, String> meta = new LinkedHashMap<>();
    for (StringStringEntryProto e : model.getMetadataPropsList()) {
      meta.put(e.getKey(), e.getValue());
    }
    return new Result(arch, v, meta);
  }

  /** [C, H, W] from the input's type: every dimension after the batch must be a number. */
  private static Shape inputShape(ValueInfoProto in) {
    List<TensorShapeProto.Dimension> d = in.getType().getTensorType().getShape().getDimList();
    int[] dims = new int[Math.max(0, d.size() - 1)];
    for (int i = 1; i < d.size(); i++) {
      if (!d.get(i).hasDimValue()
          || d.get(i).getDimValue() <= 0
          || d.get(i).getDimValue() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "input '"
                + in.getName()
                + "': dimension "
                + i
                + " is not a fixed size ("
                + d.get(i)
                + ")");
      }
      dims[i - 1] = (int) d.get(i).getDimValue();
    }
    if (dims.length == 0) {
      throw new IllegalArgumentException("input '" + in.getName() + "' has no shape");
    }
    return Shape.of(dims);
  }

  /** Specs from a value on, up to the node that joins it with another (stop) or the end. */
  private record Segment(List<LayerSpec> specs, NodeProto stop, String last, Shape out) {}

  private List<String> dataInputs(NodeProto n) {
    return n.getInputList().stream().filter(v -> !v.isEmpty() && !ops.isConstant(v)).toList();
  }

  private Segment chain(String value, Shape shape) {
    List<LayerSpec> specs = new ArrayList<>();
    while (true) {
      List<NodeProto> next = consumers.getOrDefault(value, List.of());
      if (next.isEmpty()) {
        return new Segment(specs, null, value, shape);
      }
      if (next.size() == 1 && dataInputs(next.get(0)).size() > 1) {
        return new Segment(specs, next.get(0), value, shape);
      }
      if (next.size() == 1) {
        NodeProto n = visit(next.get(0));
        List<LayerSpec> made;
        if (n.getOpType().equals("Pad")) {
          List<NodeProto> after = consumers.getOrDefault(n.getOutput(0), List.of());
          NodeProto then = after.size() == 1 ? visit(after.get(0)) : null;
          made =
              List.of(
                  then != null && then.getOpType().equals("Conv")
                      ? ops.paddedConv(n, then, shape)
                      : ops.paddedAveragePool(n, then, shape));
          n = then;
        } else if (n.getOpType().equals("MatMul")) {
          NodeProto add = biasAdd(n);
          made = List.of(ops.matMul(n, add == null ? null : visit(add), shape));
          n = add == null ? n : add;
        } else {
          made = ops.convert(n, shape);
        }
        for (LayerSpec s : made) {
          shape = s.outputShape(shape);
          specs.add(s);
        }
        value = n.getOutput(0);
        continue;
      }
      Joined j = fork(value, shape, next);
      visit(j.join());
      shape = j.spec().outputShape(shape);
      specs.add(j.spec());
      value = j.join().getOutput(0);
    }
  }

  /** n, once: a node reached a second time closes a cycle, which no network has. */
  private NodeProto visit(NodeProto n) {
    if (!visited.add(n)) {
      throw OnnxOps.unmappable(n, "the graph has a cycle through it");
    }
    return n;
  }

  /** A fork's branches as one spec, and the node that joined them. */
  private record Joined(LayerSpec spec, NodeProto join) {}

  /** The branches from value to the one node that joins them, as one residual or concat spec. */
  private Joined fork(String value, Shape shape, List<NodeProto> next) {
    List<Segment> branches = new ArrayList<>();
    for (NodeProto n : next) {
      if (dataInputs(n).size() > 1) {
        branches.add(new Segment(List.of(), n, value, shape)); // the value itself: the identity
      } else {
        String tmp = "\u0000branch" + branches.size() + "/" + value;
        consumers.put(tmp, List.of(n));
        branches.add(chain(tmp, shape));
      }
    }
    NodeProto join = branches.get(0).stop();
    for (Segment b : branches) {
      if (b.stop() == null || b.stop() != join) {
        throw OnnxOps.unmappable(
            next.get(0),
            "its input '" + value + "' feeds branches that" + " do not meet at one Add or Concat");
      }
    }
    List<String> joinInputs = dataInputs(join);
    if (joinInputs.size() != branches.size()) {
      throw OnnxOps.unmappable(
          join,
          joinInputs.size()
              + " inputs join "
              + branches.size()
              + " branches of the fork at '"
              + value
              + "'");
    }
    List<List<LayerSpec>> ordered = new ArrayList<>();
    boolean[] used = new boolean[branches.size()];
    for (String in : joinInputs) {
      int match = -1;
      for (int b = 0; b < branches.size() && match < 0; b++) {
        match = !used[b] && branches.get(b).last().equals(in) ? b : -1;
      }
      if (match < 0) {
        throw OnnxOps.unmappable(
            join, "input '" + in + "' does not come from the fork at '" + value + "'");
      }
      used[match] = true;
      ordered.add(branches.get(match).specs());
    }
    return new Joined(
        switch (join.getOpType()) {
          case "Add" -> {
            if (ordered.size() != 2 || join.getAttributeCount() > 0) {
              throw OnnxOps.unmappable(join, "an Add of " + ordered.size() + " branches");
            }
            boolean firstEmpty = ordered.get(0).isEmpty();
            yield new Residual.Spec(
                ops.nextName("res"),
                ordered.get(firstEmpty ? 1 : 0),
                ordered.get(firstEmpty ? 0 : 1));
          }
          case "Concat" -> {
            long axis =
                join.getAttributeList().stream()
                    .filter(a -> a.getName().equals("axis"))
                    .mapToLong(a -> a.getI())
                    .findFirst()
                    .orElse(0);
            if (axis != 1 || join.getAttributeCount() != 1) {
              throw OnnxOps.unmappable(
                  join, "attribute 'axis' " + axis + ": only the channel axis," + " 1, maps");
            }
            yield new Concat.Spec(ops.nextName("concat"), ordered);
          }
          default ->
              throw OnnxOps.unmappable(
                  join, "op " + join.getOpType() + " joins branches;" + " Add and Concat map");
        },
        join);
  }

  /** The Add that adds a constant to a MatMul's output (its bias), or null. */
  private NodeProto biasAdd(NodeProto matMul) {
    List<NodeProto> next = consumers.getOrDefault(matMul.getOutput(0), List.of());
    if (next.size() == 1
        && next.get(0).getOpType().equals("Add")
        && dataInputs(next.get(0)).size() == 1) {
      return next.get(0);
    }
    return null;
  }
}

/*
 * A model's weights as named tensors, the way PyTorch's state_dict sees them. The leaves of an
 * architecture (the layers that hold parameters or buffers, inside residual blocks and
 * concatenations included, in the order of the flat vectors) each own a few tensors: a convolution
 * its "weight" [Cout, Cin/groups, K...] and "bias" [Cout], a transposed one "weight"
 * [Cin, Cout/groups, KH, KW], a linear layer "weight" [out, in] and "bias" [out], a batch norm
 * "weight" and "bias" [C] (parameters, with affine) and "running_mean" and "running_var" [C]
 * (buffers, with track_running_stats; then, with momentum null, "num_batches_tracked" []). Each
 * tensor knows where it lives in the flat parameter or buffer vector (DESIGN.md contracts 1 and 4:
 * the layouts are PyTorch's, so a tensor is copied as it is). Used by weight import (safetensors,
 * ONNX) and export.
 */
package org.sparkcnn.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.sparkcnn.engine.layers.BatchNorm;
import org.sparkcnn.engine.layers.Concat;
import org.sparkcnn.engine.layers.ConvSpec;
import org.sparkcnn.engine.layers.ConvTranspose2d;
import org.sparkcnn.engine.layers.LayerSpec;
import org.sparkcnn.engine.layers.Linear;
import org.sparkcnn.engine.layers.Residual;

public final class ModelTensors {
  private ModelTensors() {}

  /** A layer with weights; top is the index of the top-level layer that holds it. */
  public record Leaf(LayerSpec spec, Shape in, int paramOffset, int bufferOffset, int top) {}

  /**
   * One tensor of a leaf: suffix is PyTorch's ("weight", "running_mean"...), buffer says which flat
   * vector holds it, offset where.
   */
  public record Tensor(Leaf leaf, String suffix, int[] shape, boolean buffer, int offset) {
    public int size() {
      return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    }

    public String shapeText() {
      return Arrays.toString(shape);
    }
  }

  /** The leaves of an architecture in the order of its flat vectors. */
  public static List<Leaf> leaves(Architecture arch) {
    List<Leaf> out = new ArrayList<>();
    for (int i = 0; i < arch.layers().size(); i++) {
      walk(
          arch.layers().get(i),
          arch.shapeBefore(i),
          arch.paramOffset(i),
          arch.bufferOffset(i),
          i,
          out);
    }
    return out;
  }

  private static void walk(LayerSpec s, Shape in, int p, int b, int top, List<Leaf> out) {
    if (s instanceof Residual.Spec r) {
      int[] at = chain(r.body(), in, p, b, top, out);
      chain(r.shortcut(), in, at[0], at[1], top, out);
    } else if (s instanceof Concat.Spec c) {
      int[] at = {p, b};
      for (List<LayerSpec> branch : c.branches()) {
        at = chain(branch, in, at[0], at[1], top, out);
      }
    } else if (s.paramCount(in) + s.bufferCount(in) > 0) {
      out.add(new Leaf(s, in, p, b, top));
    }
  }

  /** Walks a chain of specs from offsets (p, b); returns the offsets after it. */
  private static int[] chain(
      List<LayerSpec> specs, Shape in, int p, int b, int top, List<Leaf> out) {
    Shape shape = in;
    for (LayerSpec s : specs) {
      walk(s, shape, p, b, top, out);
      p += s.paramCount(shape);
      b += s.bufferCount(shape);
      shape = s.outputShape(shape);
    }
    return new int[] {p, b};
  }

  /** The tensors of one leaf, in the order of its slices; a layer with other weights is refused. */
  public static List<Tensor> tensors(Leaf l) {
    List<Tensor> t = new ArrayList<>();
    LayerSpec s = l.spec();
    Shape in = l.in();
    int p = l.paramOffset();
    if (s instanceof ConvSpec c) {
      int[] w = new int[c.rank() + 2];
      w[0] = c.out();
      w[1] = in.c() / c.groups();
      for (int i = 0; i < c.rank(); i++) {
        w[i + 2] = c.kernel().get(i);
      }
      p = add(t, l, "weight", w, false, p);
      if (c.bias()) {
        add(t, l, "bias", new int[] {c.out()}, false, p);
      }
    } else if (s instanceof ConvTranspose2d.Spec c) {
      p =
          add(
              t,
              l,
              "weight",
              new int[] {in.c(), c.out() / c.groups(), c.kernel().get(0), c.kernel().get(1)},
              false,
              p);
      if (c.bias()) {
        add(t, l, "bias", new int[] {c.out()}, false, p);
      }
    } else if (s instanceof Linear.Spec f) {
      p = add(t, l, "weight", new int[] {f.out(), in.size()}, false, p);
      if (f.bias()) {
        add(t, l, "bias", new int[] {f.out()}, false, p);
      }
    } else if (s instanceof BatchNorm.Spec bn) {
      int[] c = {in.dim(0)};
      if (bn.affine()) {
        p = add(t, l, "weight", c, false, p);
        add(t, l, "bias", c, false, p);
      }
      if (bn.trackRunningStats()) {
        int b = add(t, l, "running_mean", c, true, l.bufferOffset());
        b = add(t, l, "running_var", c, true, b);
        if (bn.cumulative()) {
          add(t, l, "num_batches_tracked", new int[0], true, b);
        }
      }
    } else {
      throw new IllegalArgumentException(
          "layer '"
              + s.name()
              + "' ("
              + s.getClass().getEnclosingClass().getSimpleName()
              + ") has weights that have no"
              + " PyTorch name");
    }
    int params = t.stream().filter(x -> !x.buffer()).mapToInt(Tensor::size).sum();
    int buffers = t.stream().filter(Tensor::buffer).mapToInt(Tensor::size).sum();
    if (params != s.paramCount(in) || buffers != s.bufferCount(in)) {
      throw new IllegalStateException(
          "layer '"
              + s.name()
              + "': its tensors hold "
              + params
              + " parameters and "
              + buffers
              + " buffer values, the layer "
              + s.paramCount(in)
              + " and "
              + s.bufferCount(in));
    }
    return t;
  }

  /**
   * Copies the weights of src into dst leaf by leaf, in order (an imported ONNX model into the same
   * network), skipping the leaves whose top-level layer index skip accepts; every leaf whose
   * tensors differ in shape is named in one IllegalArgumentException before anything is copied.
   * dstV null only checks. Returns the number of leaves copied.
   */
  public static int copyByPosition(
      Architecture src,
      Vectors srcV,
      Architecture dst,
      Vectors dstV,
      java.util.function.IntPredicate skip) {
    List<Leaf> from = leaves(src);
    List<Leaf> to = leaves(dst);
    List<String> problems = new ArrayList<>();
    if (from.size() != to.size()) {
      problems.add("it has " + from.size() + " layers with weights, the model " + to.size());
    }
    for (int i = 0; i < Math.min(from.size(), to.size()); i++) {
      List<Tensor> a = tensors(from.get(i));
      List<Tensor> b = tensors(to.get(i));
      boolean same = a.size() == b.size();
      for (int k = 0; same && k < a.size(); k++) {
        same = Arrays.equals(a.get(k).shape(), b.get(k).shape());
      }
      if (!same && !skip.test(to.get(i).top())) {
        problems.add(
            from.get(i).spec().name()
                + " "
                + a.stream().map(Tensor::shapeText).toList()
                + " does not fit layer "
                + to.get(i).spec().name()
                + " "
                + b.stream().map(Tensor::shapeText).toList());
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    int copied = 0;
    for (int i = 0; dstV != null && i < to.size(); i++) {
      if (skip.test(to.get(i).top())) {
        continue;
      }
      List<Tensor> a = tensors(from.get(i));
      List<Tensor> b = tensors(to.get(i));
      for (int k = 0; k < a.size(); k++) {
        Tensor x = a.get(k);
        Tensor y = b.get(k);
        System.arraycopy(
            x.buffer() ? srcV.buffers : srcV.params,
            x.offset(),
            y.buffer() ? dstV.buffers : dstV.params,
            y.offset(),
            x.size());
      }
      copied++;
    }
    return copied;
  }

  private static int add(
      List<Tensor> t, Leaf l, String suffix, int[] shape, boolean buffer, int offset) {
    Tensor x = new Tensor(l, suffix, shape, buffer, offset);
    t.add(x);
    return offset + x.size();
  }
}

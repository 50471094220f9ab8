/*
 * Loads a PyTorch state_dict saved as safetensors into a model's flat vectors, by name: every
 * tensor of every leaf (ModelTensors) is looked up as MODULE.SUFFIX, MODULE from PyTorchNames,
 * checked for its shape and copied into its slice of the parameter or buffer vector (BatchNorm
 * running statistics included; num_batches_tracked, an I64, is read only for a batch norm with
 * momentum null, which counts with it, and is ignored otherwise).
 * Layers the caller skips (a new classifier head) keep their values. Every missing or mis-shaped
 * tensor is collected and reported together, naming the tensor, the layer and both shapes,
 * before any value is copied, so a failed load leaves the vectors as they were.
 */
package org.sparkcnn.engine;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;

public final class PyTorchWeights {
  private PyTorchWeights() {}

  /** What a load did: the top-level layers loaded and skipped, the file's tensors left unused. */
  public record Report(List<String> loaded, List<String> skipped, List<String> unused) {}

  /** The tensors to copy, by their names in the file; names every misfit together. */
  private record Plan(
      List<ModelTensors.Tensor> tensors,
      List<String> names,
      List<String> loaded,
      List<String> skipped) {}

  /**
   * Checks, without reading any tensor, that st holds every tensor of every leaf whose top-level
   * layer index skip rejects, with the leaf's shape; throws naming each misfit otherwise.
   */
  public static void check(
      SafeTensors st, Architecture arch, List<String> modules, IntPredicate skip) {
    plan(st, arch, modules, skip);
  }

  /**
   * Copies the tensors of st into v for every leaf whose top-level layer index skip rejects.
   * modules: one PyTorch module name per leaf (PyTorchNames.modules).
   */
  public static Report load(
      SafeTensors st, Architecture arch, List<String> modules, IntPredicate skip, Vectors v)
      throws IOException {
    Plan plan = plan(st, arch, modules, skip);
    List<ModelTensors.Tensor> tensors = plan.tensors();
    List<String> names = plan.names();
    for (int i = 0; i < tensors.size(); i++) {
      ModelTensors.Tensor t = tensors.get(i);
      boolean count = st.entries().get(names.get(i)).dtype().equals("I64");
      float[] values = count ? st.counts(names.get(i)) : st.floats(names.get(i));
      System.arraycopy(values, 0, t.buffer() ? v.buffers : v.params, t.offset(), values.length);
    }
    List<String> unused = new ArrayList<>();
    Set<String> used = new LinkedHashSet<>(names);
    for (String name : st.entries().keySet()) {
      if (!used.contains(name) && !name.endsWith("num_batches_tracked")) {
        unused.add(name);
      }
    }
    return new Report(plan.loaded(), plan.skipped(), unused);
  }

  private static Plan plan(
      SafeTensors st, Architecture arch, List<String> modules, IntPredicate skip) {
    List<ModelTensors.Leaf> leaves = ModelTensors.leaves(arch);
    if (modules.size() != leaves.size()) {
      throw new IllegalArgumentException(
          modules.size() + " module names for " + leaves.size() + " layers with weights");
    }
    List<String> problems = new ArrayList<>();
    List<ModelTensors.Tensor> plan = new ArrayList<>();
    List<String> names = new ArrayList<>();
    Set<String> loaded = new LinkedHashSet<>();
    Set<String> skipped = new LinkedHashSet<>();
    for (int i = 0; i < leaves.size(); i++) {
      ModelTensors.Leaf leaf = leaves.get(i);
      String top = arch.layers().get(leaf.top()).name();
      if (skip.test(leaf.top())) {
        skipped.add(top);
        continue;
      }
      loaded.add(top);
      for (ModelTensors.Tensor t : ModelTensors.tensors(leaf)) {
        String name = modules.get(i) + "." + t.suffix();
        SafeTensors.Entry e = st.entries().get(name);
        String layer = "layer " + leaf.spec().name();
        if (e == null) {
          problems.add("missing " + name + " (" + layer + " needs " + t.shapeText() + ")");
        } else if (!SafeTensors.isFloat(e.dtype())
            && !(t.suffix().equals("num_batches_tracked") && e.dtype().equals("I64"))) {
          problems.add(name + " is " + e.dtype() + ", " + layer + " needs floating-point values");
        } else if (!Arrays.equals(e.shape(), t.shape())) {
          problems.add(name + " is " + e.shapeText() + ", " + layer + " needs " + t.shapeText());
        } else {
          plan.add(t);
          names.add(name);
        }
      }
    }
    if (!problems.isEmpty()) {
      int shown = Math.min(problems.size(), 12);
      throw new IllegalArgumentException(
          st.file()
              + ": "
              + problems.size()
              + " tensor"
              + (problems.size() == 1 ? " does" : "s do")
              + " not fit the model: "
              + String.join("; ", problems.subList(0, shown))
              + (shown < problems.size() ? "; and " + (problems.size() - shown) + " more" : ""));
    }
    return new Plan(plan, names, List.copyOf(loaded), List.copyOf(skipped));
  }
}

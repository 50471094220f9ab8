/*
 * Fine-tuning (the course slides' last section): start from a trained model file, copy its
 * weights into the new model layer by layer where the name and parameter count match (buffers
 * too), leave the layers named in finetune.reinit (a new classifier head) freshly initialised, and
 * freeze the layers named in finetune.freeze: the optimiser skips their parameters, so they stay
 * bit-identical. Names are top-level layer names; a trailing '*' matches a prefix (conv*).
 * A PyTorch state_dict saved as safetensors (finetune.from: PATH.safetensors) loads by PyTorch's
 * names instead (PyTorchNames: torchvision's for the shipped torchvision models, sparkcnn's own
 * layer names for a model file), strictly: a missing or mis-shaped tensor of a layer that is not
 * re-initialised is an error, reported before Spark starts. An ONNX file (finetune.from, or
 * model.file itself, whose weights are the start) loads layer by layer in order, each layer's
 * tensors checked for their shapes. Every kind of file is read and checked when the plan is made,
 * so a damaged or truncated one is a config error before Spark starts.
 */
package org.sparkcnn.driver.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.sparkcnn.engine.Architecture;
import org.sparkcnn.engine.ModelFile;
import org.sparkcnn.engine.ModelTensors;
import org.sparkcnn.engine.OnnxImport;
import org.sparkcnn.engine.PyTorchNames;
import org.sparkcnn.engine.PyTorchWeights;
import org.sparkcnn.engine.SafeTensors;
import org.sparkcnn.engine.Vectors;

/** model: the shipped model whose PyTorch names a safetensors file uses, "" for sparkcnn's. */
public record FineTuning(Path from, List<String> freeze, List<String> reinit, String model) {

  /** The fine-tuning of a config, or null when finetune.from is empty; names checked. */
  static FineTuning of(JobConfig c, Architecture arch) {
    String modelFile = c.get(Keys.MODEL_FILE);
    String from =
        c.get(Keys.FINETUNE_FROM).isEmpty() && modelFile.endsWith(".onnx")
            ? modelFile
            : c.get(Keys.FINETUNE_FROM);
    List<String> freeze = names(c.get(Keys.FINETUNE_FREEZE));
    List<String> reinit = names(c.get(Keys.FINETUNE_REINIT));
    if (from.isEmpty()) {
      if (!freeze.isEmpty() || !reinit.isEmpty()) {
        throw new JobConfig.ConfigException(
            "keys 'finetune.freeze' and 'finetune.reinit' need"
                + " 'finetune.from', the model file to start from");
      }
      return null;
    }
    if (!Files.isRegularFile(Path.of(from))) {
      throw new JobConfig.ConfigException(
          "key 'finetune.from': model file " + from + " does not exist");
    }
    for (String n : concat(freeze, reinit)) {
      if (matching(arch, n).isEmpty()) {
        throw new JobConfig.ConfigException(
            "finetune: no layer of the model is named '"
                + n
                + "' (layers: "
                + arch.layers().stream().map(l -> l.name()).toList()
                + ")");
      }
    }
    String model = modelFile.isEmpty() ? c.get(Keys.MODEL_NAME) : "";
    FineTuning f = new FineTuning(Path.of(from), freeze, reinit, model);
    List<Integer> skip = indices(arch, reinit);
    try {
      if (f.isSafeTensors()) {
        PyTorchWeights.check(
            SafeTensors.open(f.from), arch, PyTorchNames.modules(model, arch), skip::contains);
      } else if (f.isOnnx()) {
        OnnxImport.Result r = OnnxImport.read(f.from);
        ModelTensors.copyByPosition(r.architecture(), r.vectors(), arch, null, skip::contains);
      } else {
        try (InputStream in = Files.newInputStream(f.from)) {
          ModelFile.read(in, from); // a damaged file is named now, before Spark starts
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new JobConfig.ConfigException(
          "key 'finetune.from': "
              + e.getMessage()
              + (reinit.isEmpty() ? " (a new classifier head is named in finetune.reinit)" : ""));
    }
    return f;
  }

  private boolean isSafeTensors() {
    return from.getFileName().toString().endsWith(".safetensors");
  }

  private boolean isOnnx() {
    return from.getFileName().toString().endsWith(".onnx");
  }

  /** Copies the source model's matching layers into v; returns one log line. */
  public String load(Architecture arch, Vectors v) throws IOException {
    if (isSafeTensors()) {
      List<Integer> skip = indices(arch, reinit);
      PyTorchWeights.Report r =
          PyTorchWeights.load(
              SafeTensors.open(from), arch, PyTorchNames.modules(model, arch), skip::contains, v);
      return "fine-tuning from "
          + from
          + " by the PyTorch names of "
          + (model.isEmpty() ? "sparkcnn's layers" : model)
          + ": loaded "
          + r.loaded()
          + ", initialised "
          + r.skipped()
          + ", frozen "
          + freeze
          + (r.unused().isEmpty() ? "" : ", unused tensors " + r.unused());
    }
    if (isOnnx()) {
      List<Integer> skip = indices(arch, reinit);
      OnnxImport.Result r = OnnxImport.read(from);
      int n = ModelTensors.copyByPosition(r.architecture(), r.vectors(), arch, v, skip::contains);
      return "weights from "
          + from
          + ": "
          + n
          + " layers loaded in order, initialised "
          + reinit
          + ", frozen "
          + freeze;
    }
    ModelFile.Contents src;
    try (InputStream in = Files.newInputStream(from)) {
      src = ModelFile.read(in, from.toString());
    }
    Architecture old = src.architecture();
    List<String> loaded = new ArrayList<>();
    List<String> fresh = new ArrayList<>();
    List<Integer> reinitIdx = indices(arch, reinit);
    for (int i = 0; i < arch.layers().size(); i++) {
      String name = arch.layers().get(i).name();
      int j = old.indexOf(name);
      int count = arch.paramOffset(i + 1) - arch.paramOffset(i);
      int buffers = arch.bufferOffset(i + 1) - arch.bufferOffset(i);
      boolean fits =
          j >= 0
              && old.paramOffset(j + 1) - old.paramOffset(j) == count
              && old.bufferOffset(j + 1) - old.bufferOffset(j) == buffers;
      if (!fits || reinitIdx.contains(i)) {
        if (count + buffers > 0) {
          fresh.add(name);
        }
        continue;
      }
      System.arraycopy(src.params(), old.paramOffset(j), v.params, arch.paramOffset(i), count);
      System.arraycopy(
          src.buffers(), old.bufferOffset(j), v.buffers, arch.bufferOffset(i), buffers);
      if (count + buffers > 0) {
        loaded.add(name);
      }
    }
    return "fine-tuning from "
        + from
        + ": loaded "
        + loaded
        + ", initialised "
        + fresh
        + ", frozen "
        + freeze;
  }

  /** The parameter ranges the optimiser updates: everything but the frozen layers. */
  public int[] trainableRanges(Architecture arch) {
    List<Integer> frozen = indices(arch, freeze);
    List<Integer> ranges = new ArrayList<>();
    for (int i = 0; i < arch.layers().size(); i++) {
      int from = arch.paramOffset(i);
      int to = arch.paramOffset(i + 1);
      if (frozen.contains(i) || from == to) {
        continue;
      }
      if (!ranges.isEmpty() && ranges.get(ranges.size() - 1) == from) {
        ranges.set(ranges.size() - 1, to);
      } else {
        ranges.add(from);
        ranges.add(to);
      }
    }
    return ranges.stream().mapToInt(Integer::intValue).toArray();
  }

  private static List<Integer> indices(Architecture arch, List<String> names) {
    List<Integer> out = new ArrayList<>();
    for (String n : names) {
      out.addAll(matching(arch, n));
    }
    return out;
  }

  private static List<Integer> matching(Architecture arch, String pattern) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < arch.layers().size(); i++) {
      String name = arch.layers().get(i).name();
      if (pattern.endsWith("*")
          ? name.startsWith(pattern.substring(0, pattern.length() - 1))
          : name.equals(pattern)) {
        out.add(i);
      }
    }
    return out;
  }

  private static List<String> names(String csv) {
    return csv.isBlank()
        ? List.of()
        : Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}

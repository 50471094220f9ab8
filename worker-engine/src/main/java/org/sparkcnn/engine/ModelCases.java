/*
 * Conformance over a folder of models made elsewhere (../shared/models/README.md), each with
 * NAME.input.f32 and NAME.output.f32 beside it: every NAME.onnx is imported (OnnxImport, the input
 * shape from the graph), and every NAME.safetensors named after a shipped model loads by PyTorch's
 * names (PyTorchNames) into the shipped definition; the input is run in evaluation mode and the
 * output compared to the reference, relative to its largest value (TOLERANCE). For safetensors
 * the input's shape comes from the weights and the files' sizes: the channels from the first
 * convolution, the classes from the head, the batch from the output's size and a square image
 * from the input's. Any error becomes a failed outcome naming it.
 */
package org.sparkcnn.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

public final class ModelCases {
  public static final double TOLERANCE = 1e-4;

  /** A reference file larger than this is refused rather than read. */
  private static final long MAX_F32 = 1L << 30;

  private ModelCases() {}

  /**
   * Every model case of dir, by file name. catalog gives a shipped model's definition by name (the
   * parsed YAML of conf/models/NAME.yaml), or null for a name that is not shipped.
   */
  public static List<Conformance.Outcome> runFolder(
      Path dir, Function<String, Map<String, Object>> catalog) throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.{onnx,safetensors}")) {
      ds.forEach(files::add);
    }
    files.sort(null);
    List<Conformance.Outcome> out = new ArrayList<>();
    for (Path f : files) {
      String file = f.getFileName().toString();
      String name = file.replaceFirst("\\.(onnx|safetensors)$", "");
      if (file.endsWith(".onnx")) {
        out.add(onnx(f, name));
      } else if (catalog.apply(name) != null) {
        out.add(safetensors(f, name, catalog.apply(name)));
      }
    }
    return out;
  }

  /** One ONNX case; any error becomes a failed outcome. */
  public static Conformance.Outcome onnx(Path file, String name) {
    String caseName = name + ".onnx";
    try {
      OnnxImport.Result r = OnnxImport.read(file);
      float[] input = f32(file.resolveSibling(name + ".input.f32"));
      float[] expected = f32(file.resolveSibling(name + ".output.f32"));
      Architecture arch = r.architecture();
      int n = input.length / arch.input().size();
      if (n * arch.input().size() != input.length || n * arch.output().size() != expected.length) {
        throw new IllegalArgumentException(
            input.length
                + " input and "
                + expected.length
                + " output values are no batch of "
                + arch.input()
                + " -> "
                + arch.output());
      }
      float[] y = new Model(arch, r.vectors()).forward(input, n, false);
      return compare(caseName, expected, y);
    } catch (IOException | RuntimeException e) {
      return new Conformance.Outcome(
          caseName,
          false,
          "",
          Double.NaN,
          e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()));
    }
  }

  /** One safetensors case; any error becomes a failed outcome. */
  public static Conformance.Outcome safetensors(Path file, String name, Map<String, Object> doc) {
    String caseName = name + ".safetensors";
    try {
      SafeTensors st = SafeTensors.open(file);
      float[] input = f32(file.resolveSibling(name + ".input.f32"));
      float[] expected = f32(file.resolveSibling(name + ".output.f32"));
      Architecture arch = build(doc, name, st, input.length, expected.length);
      Vectors v = new Vectors(arch.paramCount(), arch.bufferCount());
      PyTorchWeights.load(st, arch, PyTorchNames.modules(name, arch), top -> false, v);
      int n = expected.length / arch.output().size();
      float[] y = new Model(arch, v).forward(input, n, false);
      return compare(caseName, expected, y);
    } catch (IOException | RuntimeException e) {
      return new Conformance.Outcome(
          caseName,
          false,
          "",
          Double.NaN,
          e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()));
    }
  }

  /** The architecture of doc for the input the weights and the reference files imply. */
  static Architecture build(
      Map<String, Object> doc, String name, SafeTensors st, int inputLen, int outputLen) {
    Shape probe =
        doc.get("input") instanceof List<?> l
            ? Shape.of(l.stream().mapToInt(o -> ((Number) o).intValue()).toArray())
            : Shape.of(3, 224, 224);
    Architecture first = ModelDefinition.parse(doc, probe, 10);
    List<String> modules = PyTorchNames.modules(name, first);
    int channels = dim(st, modules.get(0) + ".weight", 1);
    int classes = dim(st, modules.get(modules.size() - 1) + ".weight", 0);
    int batch = outputLen / classes;
    long pixels = batch == 0 ? 0 : (long) inputLen / ((long) batch * channels);
    int side = (int) Math.round(Math.sqrt(pixels));
    if (batch * classes != outputLen || (long) batch * channels * side * side != inputLen) {
      throw new IllegalArgumentException(
          name
              + ": "
              + outputLen
              + " output values and "
              + inputLen
              + " input values are no batch of "
              + channels
              + "-channel square images"
              + " and "
              + classes
              + " classes");
    }
    return ModelDefinition.parse(doc, Shape.of(channels, side, side), classes);
  }

  private static int dim(SafeTensors st, String tensor, int axis) {
    SafeTensors.Entry e = st.entries().get(tensor);
    if (e == null || e.shape().length <= axis) {
      throw new IllegalArgumentException(
          st.file()
              + ": no tensor "
              + tensor
              + " to take the input's channels and the classes from");
    }
    return e.shape()[axis];
  }

  /** |actual - expected| <= TOLERANCE * max |expected|, over the whole batch. */
  static Conformance.Outcome compare(String caseName, float[] expected, float[] actual) {
    double scale = 0;
    double err = 0;
    for (int i = 0; i < expected.length; i++) {
      scale = Math.max(scale, Math.abs(expected[i]));
      double d = Math.abs(actual[i] - expected[i]);
      err = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(err, d);
    }
    double rel = err / Math.max(scale, Float.MIN_NORMAL);
    boolean ok = rel <= TOLERANCE;
    return new Conformance.Outcome(caseName, ok, "output", rel, ok ? "" : "exceeds tolerance");
  }

  /** A little-endian float32 file, its size checked before it is read. */
  public static float[] f32(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException(file + ": no such file");
    }
    long size = Files.size(file);
    if (size % 4 != 0 || size > MAX_F32) {
      throw new IOException(
          file
              + ": "
              + size
              + " bytes is no float32 array"
              + (size > MAX_F32 ? " this reader takes (at most 1 GiB)" : ""));
    }
    float[] v = new float[(int) (size / 4)];
    ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
    return v;
  }

  private static String firstLine(String s) {
    int nl = s == null ? -1 : s.indexOf('\n');
    return nl < 0 ? String.valueOf(s) : s.substring(0, nl);
  }
}

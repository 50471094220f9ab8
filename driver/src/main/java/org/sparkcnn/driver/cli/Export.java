/*
 * `sparkcnn export MODEL --out FILE.onnx`: writes a model sparkcnn can load (a model.scnn of any
 * architecture, or an ONNX file it imports) as standard ONNX (OnnxExport: opset 13, the batch
 * dimension symbolic) for serving elsewhere, e.g. in ONNX Runtime. The model file's metadata goes
 * into metadata_props: normalize_mean and normalize_std (the normalisation its inputs need),
 * class_names, input_shape [C, H, W], and every other entry as JSON text. Reads and checks
 * everything before it writes; the output is written to a temporary name and renamed, so a
 * failed export leaves no file. Exit status 2, with one message, for a bad model file.
 */
package org.sparkcnn.driver.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sparkcnn.driver.Main;
import org.sparkcnn.engine.Architecture;
import org.sparkcnn.engine.ModelFile;
import org.sparkcnn.engine.OnnxExport;
import org.sparkcnn.engine.OnnxImport;
import org.sparkcnn.engine.Vectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description =
        "Write a model (model.scnn, or an ONNX file) as standard ONNX (opset 13, dynamic"
            + " batch) with its normalisation, class names and input shape as metadata.")
public final class Export implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "A model.scnn or a .onnx file.")
  Path model;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "FILE.onnx",
      description = "Where to write the ONNX model.")
  Path out;

  @Override
  public Integer call() {
    try {
      write(model, out);
      Reporter.out("wrote " + out);
      return 0;
    } catch (IOException | IllegalArgumentException e) {
      Reporter.error(e.getMessage());
      return Main.EXIT_BAD_INPUT;
    }
  }

  /** Exports model to out (written under a temporary name, then renamed). */
  static void write(Path model, Path out) throws IOException {
    if (!out.getFileName().toString().endsWith(".onnx")) {
      throw new IllegalArgumentException("--out " + out + ": expected a FILE.onnx");
    }
    Architecture arch;
    Vectors v;
    Map<String, String> meta = new LinkedHashMap<>();
    if (model.getFileName().toString().endsWith(".onnx")) {
      OnnxImport.Result r = OnnxImport.read(model);
      arch = r.architecture();
      v = r.vectors();
      meta.putAll(r.meta());
    } else {
      if (!Files.isRegularFile(model)) {
        throw new IOException(model + ": no such file");
      }
      ModelFile.Contents c;
      try (InputStream in = Files.newInputStream(model)) {
        c = ModelFile.read(in, model.toString());
      }
      arch = c.architecture();
      v = new Vectors(arch.paramCount(), arch.bufferCount());
      v.params = c.params();
      System.arraycopy(c.buffers(), 0, v.buffers, 0, v.buffers.length);
      if (c.meta() != null) {
        for (Map.Entry<String, Object> e : c.meta().entrySet()) {
          meta.put(e.getKey(), text(e.getValue()));
        }
      }
    }
    meta.put("input_shape", text(arch.input().dims()));
    meta.putIfAbsent("producer", "sparkcnn");
    byte[] bytes = OnnxExport.model(arch, v, meta).toByteArray();
    Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
    try (OutputStream o = Files.newOutputStream(tmp)) {
      o.write(bytes);
    }
    Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static String text(Object value) throws JsonProcessingException {
    return value instanceof String s ? s : ModelFile.JSON.writeValueAsString(value);
  }
}

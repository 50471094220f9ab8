/*
 * The metadata file of a folder of Parquet shards written by `deploy/sparkcnn prepare`:
 * DIR/_sparkcnn.json beside DIR/train/ and DIR/test/. It says what the shards hold (format
 * version, decoded pixels or encoded files, the shape of decoded samples, the classes and their
 * names, where the data came from) and lists every shard file of each split with its row count
 * and byte size, so that a reader on the driver can tell, without Spark, that the folder is whole:
 * prepare writes this file last (under a temporary name, then renamed), so a prepare that failed
 * leaves a folder without it, which is refused. read() names the file and the field of anything
 * missing or malformed. Example:
 *   {"format_version": 1, "format": "decoded", "source": {"name": "shapes", "seed": 42},
 *    "classes": 10, "class_names": ["circle", ...], "channels": 3, "height": 32, "width": 32,
 *    "splits": {"train": {"samples": 600, "shards": [{"file": "part-00000-...parquet",
 *    "rows": 300, "bytes": 912345}, ...]}, "test": {...}}}
 */
package org.sparkcnn.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sparkcnn.engine.Shape;

public record ParquetMeta(
    Format format,
    Map<String, Object> source, // "name" (a data.source), and what else defines the data
    int classes,
    List<String> classNames, // empty where the source does not know them
    Shape shape, // [C, H, W] of decoded samples; null for encoded files
    Map<Split, SplitInfo> splits) {

  public static final String FILE = "_sparkcnn.json";
  public static final int VERSION = 1;
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** What a row carries: the decoded pixels, or the original image file. */
  public enum Format {
    DECODED,
    ENCODED;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** "decoded" or "encoded"; what names the value in a message (e.g. "--format"). */
    public static Format parse(String s, String what) {
      for (Format f : values()) {
        if (f.id().equals(s)) {
          return f;
        }
      }
      throw new IllegalArgumentException(what + " '" + s + "': expected decoded or encoded");
    }
  }

  /** One shard file of a split, by name inside the split's folder. */
  public record Shard(String file, long rows, long bytes) {}

  /** A split's sample count (ids 0..samples-1) and its shard files. */
  public record SplitInfo(long samples, List<Shard> shards) {}

  public ParquetMeta {
    if ((format == Format.DECODED) != (shape != null)) {
      throw new IllegalArgumentException("decoded shards need a sample shape, encoded none");
    }
    classNames = List.copyOf(classNames);
    splits = Map.copyOf(splits);
  }

  /** The folder of a split inside the prepared folder: train/ or test/. */
  public static String folder(Split s) {
    return s.name().toLowerCase(Locale.ROOT);
  }

  /** Writes DIR/_sparkcnn.json through a temporary file and a rename. */
  public void write(Path dir) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("format_version", VERSION);
    root.put("format", format.id());
    root.set("source", JSON.valueToTree(source));
    root.put("classes", classes);
    ArrayNode names = root.putArray("class_names");
    classNames.forEach(names::add);
    if (shape != null) {
      root.put("channels", shape.c());
      root.put("height", shape.h());
      root.put("width", shape.w());
    }
    ObjectNode out = root.putObject("splits");
    for (Split s : Split.values()) {
      ObjectNode split = out.putObject(folder(s));
      split.put("samples", splits.get(s).samples());
      ArrayNode files = split.putArray("shards");
      for (Shard f : splits.get(s).shards()) {
        files.addObject().put("file", f.file()).put("rows", f.rows()).put("bytes", f.bytes());
      }
    }
    Path tmp = dir.resolve("." + FILE + ".tmp");
    Files.writeString(tmp, JSON.writeValueAsString(root) + "\n");
    Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
  }

  /** Reads DIR/_sparkcnn.json; a missing folder or file, or a bad field, is named. */
  public static ParquetMeta read(Path dir) {
    Path file = dir.resolve(FILE);
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(
          "no Parquet folder "
              + dir
              + " (for data.source parquet,"
              + " data.dir is a folder written by deploy/sparkcnn prepare)");
    }
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          file
              + " does not exist: "
              + dir
              + " is not a finished"
              + " deploy/sparkcnn prepare (one that failed leaves no "
              + FILE
              + "); prepare again"
              + " into a new folder");
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    JsonNode root;
    try {
      root =
          JSON.readTree(
              StandardCharsets.UTF_8
                  .newDecoder()
                  .onMalformedInput(CodingErrorAction.REPORT)
                  .decode(ByteBuffer.wrap(bytes))
                  .toString());
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(file + ": not UTF-8 text", e);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
    }
    Fields f = new Fields(file);
    long version = f.number(root, "format_version", 1);
    if (version != VERSION) {
      throw new IllegalArgumentException(
          file
              + ": format_version "
              + version
              + ", but this"
              + " sparkcnn reads version "
              + VERSION
              + "; prepare the data again with this version");
    }
    Format format = Format.parse(f.text(root, "format"), file + ": format");
    JsonNode source = f.node(root, "source");
    f.text(source, "name");
    int classes = f.integer(root, "classes", 1);
    List<String> names = new ArrayList<>();
    JsonNode n = f.node(root, "class_names");
    if (!n.isArray() || (n.size() != 0 && n.size() != classes)) {
      throw new IllegalArgumentException(
          file
              + ": 'class_names' must be a list of "
              + classes
              + " names (one per class) or empty, got "
              + n);
    }
    n.forEach(x -> names.add(x.asText()));
    Shape shape = null;
    if (format == Format.DECODED) {
      int c = f.integer(root, "channels", 1);
      int h = f.integer(root, "height", 1);
      int w = f.integer(root, "width", 1);
      if ((long) c * h > Integer.MAX_VALUE || (long) c * h * w > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            file
                + ": samples of "
                + c
                + "x"
                + h
                + "x"
                + w
                + " are more values than one array holds");
      }
      shape = Shape.of(c, h, w);
    }
    Map<Split, SplitInfo> splits = new EnumMap<>(Split.class);
    JsonNode all = f.node(root, "splits");
    for (Split s : Split.values()) {
      JsonNode split = f.node(all, folder(s));
      JsonNode shards = f.node(split, "shards");
      if (!shards.isArray()) {
        throw new IllegalArgumentException(
            file
                + ": 'splits."
                + folder(s)
                + ".shards' must be a"
                + " list of {file, rows, bytes}, got "
                + shards);
      }
      List<Shard> list = new ArrayList<>();
      for (JsonNode x : shards) {
        list.add(new Shard(f.text(x, "file"), f.number(x, "rows", 0), f.number(x, "bytes", 0)));
      }
      splits.put(s, new SplitInfo(f.number(split, "samples", 0), list));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> origin = JSON.convertValue(source, LinkedHashMap.class);
    return new ParquetMeta(format, origin, classes, names, shape, splits);
  }

  /** Field access that names the file and the field of a missing or mistyped value. */
  private record Fields(Path file) {
    JsonNode node(JsonNode parent, String name) {
      JsonNode v = parent.get(name);
      if (v == null || v.isNull()) {
        throw new IllegalArgumentException(file + ": the field '" + name + "' is missing");
      }
      return v;
    }

    long number(JsonNode parent, String name, long min) {
      JsonNode v = node(parent, name);
      if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min) {
        throw new IllegalArgumentException(
            file + ": '" + name + "' must be a whole number >= " + min + ", got " + v);
      }
      return v.asLong();
    }

    int integer(JsonNode parent, String name, int min) {
      long v = number(parent, name, min);
      if (v > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            file + ": '" + name + "' must be at most " + Integer.MAX_VALUE + ", got " + v);
      }
      return (int) v;
    }

    String text(JsonNode parent, String name) {
      JsonNode v = node(parent, name);
      if (!v.isTextual() || v.asText().isEmpty()) {
        throw new IllegalArgumentException(
            file + ": '" + name + "' must be a non-empty string," + " got " + v);
      }
      return v.asText();
    }
  }
}

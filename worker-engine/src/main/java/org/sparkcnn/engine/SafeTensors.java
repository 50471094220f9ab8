/*
 * A reader of safetensors files, the format in which PyTorch and Hugging Face publish weights
 * without Python pickles: an 8-byte little-endian header length n, n bytes of UTF-8 JSON
 * ({"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}},
 * offsets relative to the end of the header), then the raw little-endian tensors. The file comes
 * from outside, so open() checks everything against the file's size before it allocates: the
 * header length, each tensor's offsets (inside the data, not overlapping), its byte count against
 * its shape times its dtype's size (with overflow checks), and the dtype. Every failure is a
 * SafeTensors.FormatException naming the file and the tensor. Tensors are read one at a time,
 * converted to float32, so a 100 MB file never needs more than one tensor in memory.
 */
package org.sparkcnn.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public final class SafeTensors {
  /** A header longer than this is refused: real headers are kilobytes. */
  static final long MAX_HEADER = 100L << 20;

  /** Bytes per element of the dtypes the format defines. */
  private static final Map<String, Integer> DTYPES =
      Map.ofEntries(
          Map.entry("F64", 8),
          Map.entry("F32", 4),
          Map.entry("F16", 2),
          Map.entry("BF16", 2),
          Map.entry("I64", 8),
          Map.entry("I32", 4),
          Map.entry("I16", 2),
          Map.entry("I8", 1),
          Map.entry("U8", 1),
          Map.entry("BOOL", 1),
          Map.entry("U16", 2),
          Map.entry("U32", 4),
          Map.entry("U64", 8),
          Map.entry("F8_E4M3", 1),
          Map.entry("F8_E5M2", 1));

  /** What is wrong with a file: the message names the file and, where at fault, the tensor. */
  public static final class FormatException extends IOException {
    public FormatException(String message) {
      super(message);
    }
  }

  /** One tensor's entry in the header: begin and end are absolute positions in the file. */
  public record Entry(String name, String dtype, int[] shape, long begin, long end) {
    public long elements() {
      return (end - begin) / DTYPES.get(dtype);
    }

    /** "[64, 3, 7, 7]". */
    public String shapeText() {
      return Arrays.toString(shape);
    }
  }

  private final Path file;
  private final Map<String, Entry> entries;
  private final Map<String, String> metadata;

  private SafeTensors(Path file, Map<String, Entry> entries, Map<String, String> metadata) {
    this.file = file;
    this.entries = entries;
    this.metadata = metadata;
  }

  /** Reads and checks the header of a file; the tensors stay on disk until asked for. */
  public static SafeTensors open(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new FormatException(file + ": no such file");
    }
    long size = Files.size(file);
    if (size < 8) {
      throw new FormatException(
          file
              + ": not a safetensors file ("
              + size
              + " bytes, shorter than the 8-byte header length)");
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long n = read(ch, 0, 8, file).getLong();
      if (n < 2 || n > size - 8 || n > MAX_HEADER) {
        throw new FormatException(
            file
                + ": not a safetensors file (header length "
                + n
                + " does not fit a file of "
                + size
                + " bytes)");
      }
      ByteBuffer json = read(ch, 8, (int) n, file);
      JsonNode header;
      try {
        header = new ObjectMapper().readTree(json.array());
      } catch (IOException e) {
        throw new FormatException(
            file + ": the header is not valid JSON: " + firstLine(e.getMessage()));
      }
      if (header == null || !header.isObject()) {
        throw new FormatException(file + ": the header is not a JSON object");
      }
      return parse(file, header, 8 + n, size);
    }
  }

  private static SafeTensors parse(Path file, JsonNode header, long dataStart, long size)
      throws FormatException {
    Map<String, Entry> entries = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if (f.getKey().equals("__metadata__")) {
        if (!f.getValue().isObject()) {
          throw new FormatException(file + ": __metadata__ is not an object of strings");
        }
        f.getValue()
            .fields()
            .forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
        continue;
      }
      entries.put(f.getKey(), entry(file, f.getKey(), f.getValue(), dataStart, size));
    }
    List<Entry> byBegin = new ArrayList<>(entries.values());
    byBegin.removeIf(e -> e.begin() == e.end()); // an empty tensor overlaps nothing
    byBegin.sort(Comparator.comparingLong(Entry::begin));
    for (int i = 1; i < byBegin.size(); i++) {
      if (byBegin.get(i).begin() < byBegin.get(i - 1).end()) {
        throw new FormatException(
            file
                + ": tensors '"
                + byBegin.get(i - 1).name()
                + "' and '"
                + byBegin.get(i).name()
                + "' overlap");
      }
    }
    return new SafeTensors(
        file, Collections.unmodifiableMap(entries), Collections.unmodifiableMap(metadata));
  }

  private static Entry entry(Path file, String name, JsonNode e, long dataStart, long size)
      throws FormatException {
    String at = file + ": tensor '" + name + "': ";
    JsonNode dtype = e.get("dtype");
    JsonNode shape = e.get("shape");
    JsonNode offsets = e.get("data_offsets");
    if (dtype == null
        || !dtype.isTextual()
        || shape == null
        || !shape.isArray()
        || offsets == null
        || !offsets.isArray()
        || offsets.size() != 2) {
      throw new FormatException(
          at
              + "expected {\"dtype\": \"F32\", \"shape\": [...],"
              + " \"data_offsets\": [begin, end]}, got "
              + e);
    }
    Integer width = DTYPES.get(dtype.asText());
    if (width == null) {
      throw new FormatException(
          at
              + "unknown dtype '"
              + dtype.asText()
              + "' (known: "
              + DTYPES.keySet().stream().sorted().toList()
              + ")");
    }
    int[] dims = new int[shape.size()];
    long elements = 1;
    for (int i = 0; i < dims.length; i++) {
      JsonNode d = shape.get(i);
      if (!d.canConvertToInt() || !d.isIntegralNumber() || d.asInt() < 0) {
        throw new FormatException(at + "shape " + shape + " holds a value that is not a size");
      }
      dims[i] = d.asInt();
      long cap = Long.MAX_VALUE / 16; // saturates there, never wraps: such a shape never fits
      elements = dims[i] == 0 ? 0 : elements > cap / dims[i] ? cap : elements * dims[i];
    }
    long data = size - dataStart;
    JsonNode b = offsets.get(0);
    JsonNode en = offsets.get(1);
    if (!b.isIntegralNumber()
        || !en.isIntegralNumber()
        || !b.canConvertToLong()
        || !en.canConvertToLong()
        || b.asLong() < 0
        || en.asLong() < b.asLong()
        || en.asLong() > data) {
      throw new FormatException(
          at + "data_offsets " + offsets + " lie outside the " + data + " bytes of data");
    }
    long bytes = en.asLong() - b.asLong();
    if (elements * width != bytes) {
      throw new FormatException(
          at
              + "shape "
              + shape
              + " of "
              + dtype.asText()
              + " needs "
              + elements * width
              + " bytes, its data_offsets give "
              + bytes);
    }
    return new Entry(name, dtype.asText(), dims, dataStart + b.asLong(), dataStart + en.asLong());
  }

  public Path file() {
    return file;
  }

  /** Every tensor's entry, in the header's order. */
  public Map<String, Entry> entries() {
    return entries;
  }

  /** The header's __metadata__ (empty when it has none). */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** Whether floats() reads this dtype. */
  public static boolean isFloat(String dtype) {
    return List.of("F32", "F64", "F16", "BF16").contains(dtype);
  }

  /** A floating-point tensor's values as float32, row-major; names a missing tensor or dtype. */
  public float[] floats(String name) throws IOException {
    Entry e = entries.get(name);
    if (e == null) {
      throw new FormatException(file + ": no tensor '" + name + "'");
    }
    if (e.elements() > Integer.MAX_VALUE - 8) {
      throw new FormatException(
          file
              + ": tensor '"
              + name
              + "' has "
              + e.elements()
              + " elements, more than one float array holds");
    }
    float[] out = new float[(int) e.elements()];
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long pos = e.begin();
      int done = 0;
      int chunk = 1 << 20; // elements per read
      while (done < out.length) {
        int count = Math.min(chunk, out.length - done);
        ByteBuffer buf = read(ch, pos, count * DTYPES.get(e.dtype()), file);
        convert(e, buf, out, done, count);
        pos += (long) count * DTYPES.get(e.dtype());
        done += count;
      }
    }
    return out;
  }

  /**
   * An I64 tensor of a few values as float32, such as BatchNorm's num_batches_tracked (a count,
   * exact to 2^24); names a missing tensor or another dtype.
   */
  public float[] counts(String name) throws IOException {
    Entry e = entries.get(name);
    if (e == null || !e.dtype().equals("I64") || e.elements() > 1 << 20) {
      throw new FormatException(
          file
              + ": tensor '"
              + name
              + "' is "
              + (e == null ? "missing" : e.dtype() + " of " + e.elements() + " values")
              + ", expected a few I64 counts");
    }
    float[] out = new float[(int) e.elements()];
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf = read(ch, e.begin(), 8 * out.length, file);
      for (int i = 0; i < out.length; i++) {
        out[i] = buf.getLong();
      }
    }
    return out;
  }

  private void convert(Entry e, ByteBuffer buf, float[] out, int at, int count)
      throws FormatException {
    switch (e.dtype()) {
      case "F32" -> buf.asFloatBuffer().get(out, at, count);
      case "F64" -> {
        for (int i = 0; i < count; i++) {
          out[at + i] = (float) buf.getDouble();
        }
      }
      case "BF16" -> {
        for (int i = 0; i < count; i++) {
          out[at + i] = Float.intBitsToFloat((buf.getShort() & 0xffff) << 16);
        }
      }
      case "F16" -> {
        for (int i = 0; i < count; i++) {
          out[at + i] = halfToFloat(buf.getShort());
        }
      }
      default ->
          throw new FormatException(
              file
                  + ": tensor '"
                  + e.name()
                  + "' is "
                  + e.dtype()
                  + ", expected a floating-point dtype (F32, F64, F16 or BF16)");
    }
  }

  /** IEEE 754 binary16 to float32, subnormals, infinities and NaN included. */
  static float halfToFloat(short h) {
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      float v = mant * 0x1p-24f; // subnormal: mant * 2^-24, exact in float32
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  private static ByteBuffer read(FileChannel ch, long pos, int len, Path file) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
    while (buf.hasRemaining()) {
      if (ch.read(buf, pos + buf.position()) < 0) {
        throw new FormatException(file + ": ends early, at byte " + (pos + buf.position()));
      }
    }
    return buf.flip();
  }

  private static String firstLine(String s) {
    int nl = s == null ? -1 : s.indexOf('\n');
    return nl < 0 ? String.valueOf(s) : s.substring(0, nl);
  }
}

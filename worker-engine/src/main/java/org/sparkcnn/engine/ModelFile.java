/*
 * The model file format (DESIGN.md contract 6), version 1. All integers little-endian.
 *
 *   magic     4 bytes  "SCNN"
 *   version   u32      1
 *   jsonLen   u32      length of the header JSON in bytes
 *   json      UTF-8    {"format":1, "architecture":{"input":[..],"layers":[..]}, "meta":{..}}
 *   nParams   u64      then nParams float32 values: the flat parameter vector
 *   nBuffers  u64      then nBuffers float32 values: the flat buffer vector
 *   crc32     u32      CRC-32 of every byte before it
 *
 * Reading checks the magic, the version (before the checksum: a file of another format version is
 * reported as such, not as damaged), the checksum and the vector sizes against the architecture,
 * and says which one failed: every failure is an IOException that names the file, and no length
 * in the file is trusted before it is checked against the bytes left. Writing refuses vectors
 * that do not fit the architecture, so a file that reads back wrong is never written. No Java
 * serialization anywhere.
 */
package org.sparkcnn.engine;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.CRC32;

public final class ModelFile {
  public static final int VERSION = 1;
  private static final byte[] MAGIC = {'S', 'C', 'N', 'N'};
  public static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** What a model file holds. meta is free-form (epoch, metrics, normalisation...). */
  public record Contents(
      Architecture architecture, float[] params, float[] buffers, Map<String, Object> meta) {}

  private ModelFile() {}

  public static void write(OutputStream out, Contents c) throws IOException {
    Architecture arch = c.architecture();
    if (c.params().length != arch.paramCount() || c.buffers().length != arch.bufferCount()) {
      throw new IllegalArgumentException(
          "cannot write a model file: "
              + c.params().length
              + " parameters and "
              + c.buffers().length
              + " buffers do not fit an architecture of "
              + arch.paramCount()
              + " and "
              + arch.bufferCount());
    }
    ObjectNode header = JSON.createObjectNode();
    header.put("format", VERSION);
    header.set("architecture", JSON.valueToTree(c.architecture()));
    header.set("meta", JSON.valueToTree(c.meta() == null ? Map.of() : c.meta()));
    byte[] json = JSON.writeValueAsBytes(header);
    ByteArrayOutputStream buf =
        new ByteArrayOutputStream(
            16 + json.length + 16 + 4 * (c.params().length + c.buffers().length) + 4);
    buf.write(MAGIC);
    buf.write(le(4).putInt(VERSION).array());
    buf.write(le(4).putInt(json.length).array());
    buf.write(json);
    writeVector(buf, c.params());
    writeVector(buf, c.buffers());
    CRC32 crc = new CRC32();
    byte[] body = buf.toByteArray();
    crc.update(body);
    out.write(body);
    out.write(le(4).putInt((int) crc.getValue()).array());
    out.flush();
  }

  public static Contents read(InputStream in, String source) throws IOException {
    byte[] all = in.readAllBytes();
    if (all.length < 16 || !java.util.Arrays.equals(java.util.Arrays.copyOf(all, 4), MAGIC)) {
      throw new IOException(source + ": not a sparkcnn model file (expected the magic 'SCNN')");
    }
    ByteBuffer b = ByteBuffer.wrap(all, 4, all.length - 8).order(ByteOrder.LITTLE_ENDIAN);
    int version = b.getInt();
    if (version != VERSION) {
      throw new IOException(
          source + ": model file format " + version + ", this build reads " + VERSION);
    }
    CRC32 crc = new CRC32();
    crc.update(all, 0, all.length - 4);
    int stored = ByteBuffer.wrap(all, all.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    if (stored != (int) crc.getValue()) {
      throw new IOException(source + ": checksum mismatch, the file is damaged or truncated");
    }
    int jsonLen = b.getInt();
    if (jsonLen < 0 || jsonLen > b.remaining()) {
      throw new IOException(
          source
              + ": header length "
              + Integer.toUnsignedLong(jsonLen)
              + " does not fit a file of "
              + all.length
              + " bytes");
    }
    byte[] json = new byte[jsonLen];
    b.get(json);
    Architecture arch;
    Map<String, Object> meta;
    try {
      JsonNode header = JSON.readTree(new String(json, StandardCharsets.UTF_8));
      if (header == null || header.get("architecture") == null) {
        throw new IOException("the header JSON has no architecture");
      }
      arch = JSON.treeToValue(header.get("architecture"), Architecture.class);
      @SuppressWarnings("unchecked")
      Map<String, Object> m =
          header.get("meta") == null || header.get("meta").isNull()
              ? Map.of()
              : JSON.treeToValue(header.get("meta"), Map.class);
      meta = m;
    } catch (IOException | RuntimeException e) { // a malformed header behind a valid checksum
      throw new IOException(source + ": malformed header: " + firstLine(e.getMessage()), e);
    }
    float[] params = readVector(b, source, "parameters", arch.paramCount());
    float[] buffers = readVector(b, source, "buffers", arch.bufferCount());
    return new Contents(arch, params, buffers, meta);
  }

  /** Jackson's messages go on with the location on a second line. */
  private static String firstLine(String s) {
    int nl = s == null ? -1 : s.indexOf('\n');
    return nl < 0 ? String.valueOf(s) : s.substring(0, nl);
  }

  private static void writeVector(ByteArrayOutputStream out, float[] v) {
    ByteBuffer b = le(8 + 4 * v.length);
    b.putLong(v.length);
    b.asFloatBuffer().put(v);
    out.write(b.array(), 0, b.capacity());
  }

  private static float[] readVector(ByteBuffer b, String source, String what, int expected)
      throws IOException {
    if (b.remaining() < 8) {
      throw new IOException(source + ": ends before its " + what);
    }
    long n = b.getLong();
    if (n != expected) {
      throw new IOException(
          source + ": holds " + n + " " + what + ", its architecture needs " + expected);
    }
    if (4L * expected > b.remaining()) {
      throw new IOException(
          source
              + ": ends within its "
              + expected
              + " "
              + what
              + " ("
              + b.remaining()
              + " bytes left)");
    }
    float[] v = new float[expected];
    b.asFloatBuffer().get(v);
    b.position(b.position() + 4 * expected);
    return v;
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }
}

/*
 * The safetensors reader (SafeTensors) on files written here byte by byte: a good file reads back
 * with its shapes, dtypes, metadata and values (F32, F64, F16 and BF16 converted to float32), and
 * every damaged or hostile file (a header length past the end or absurdly large, offsets past the
 * data, a shape that does not multiply out to the bytes, overlapping tensors, an unknown dtype,
 * a header that is not JSON) is a FormatException naming the file and the tensor, without a large
 * allocation.
 */
package org.sparkcnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
  @TempDir Path dir;

  /** A file of header length, header and data; headerLength null writes the header's own. */
  static Path write(Path file, Long headerLength, String header, byte[] data) throws IOException {
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b =
        ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(headerLength == null ? json.length : headerLength).put(json).put(data);
    Files.write(file, b.array());
    return file;
  }

  static byte[] floats(float... v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b.array();
  }

  private Path good() throws IOException {
    ByteBuffer data = ByteBuffer.allocate(24 + 16 + 4 + 4 + 8).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : new float[] {1, -2, 3.5f, 0, 5, 6}) {
      data.putFloat(f);
    }
    data.putDouble(0.25).putDouble(-1e10);
    data.putShort((short) 0x3c00).putShort((short) 0xc000); // F16 1.0, -2.0
    data.putShort((short) 0x3f80).putShort((short) 0x4040); // BF16 1.0, 3.0
    data.putLong(7);
    String header =
        "{\"__metadata__\": {\"format\": \"pt\"},"
            + "\"w\": {\"dtype\": \"F32\", \"shape\": [2, 3], \"data_offsets\": [0, 24]},"
            + "\"d\": {\"dtype\": \"F64\", \"shape\": [2], \"data_offsets\": [24, 40]},"
            + "\"h\": {\"dtype\": \"F16\", \"shape\": [2], \"data_offsets\": [40, 44]},"
            + "\"b\": {\"dtype\": \"BF16\", \"shape\": [2], \"data_offsets\": [44, 48]},"
            + "\"n\": {\"dtype\": \"I64\", \"shape\": [], \"data_offsets\": [48, 56]}}";
    return write(dir.resolve("good.safetensors"), null, header, data.array());
  }

  @Test
  void readsShapesDtypesMetadataAndValues() throws IOException {
    SafeTensors st = SafeTensors.open(good());
    assertEquals(Map.of("format", "pt"), st.metadata());
    assertEquals(5, st.entries().size());
    assertArrayEquals(new int[] {2, 3}, st.entries().get("w").shape());
    assertEquals(0, st.entries().get("n").shape().length);
    assertArrayEquals(new float[] {1, -2, 3.5f, 0, 5, 6}, st.floats("w"));
    assertArrayEquals(new float[] {0.25f, -1e10f}, st.floats("d"));
    assertArrayEquals(new float[] {1, -2}, st.floats("h"));
    assertArrayEquals(new float[] {1, 3}, st.floats("b"));
    IOException e = assertThrows(IOException.class, () -> st.floats("n"));
    assertTrue(e.getMessage().contains("'n' is I64"), e.getMessage());
    e = assertThrows(IOException.class, () -> st.floats("nope"));
    assertTrue(e.getMessage().contains("no tensor 'nope'"), e.getMessage());
  }

  @Test
  void halfPrecisionCoversSubnormalsAndSpecials() {
    assertEquals(0x1p-24f, SafeTensors.halfToFloat((short) 0x0001));
    assertEquals(65504f, SafeTensors.halfToFloat((short) 0x7bff));
    assertEquals(Float.NEGATIVE_INFINITY, SafeTensors.halfToFloat((short) 0xfc00));
    assertTrue(Float.isNaN(SafeTensors.halfToFloat((short) 0x7e00)));
    assertEquals(-0f, SafeTensors.halfToFloat((short) 0x8000));
  }

  private String refused(Long headerLength, String header, byte[] data) throws IOException {
    Path f = write(dir.resolve("bad.safetensors"), headerLength, header, data);
    IOException e = assertThrows(SafeTensors.FormatException.class, () -> SafeTensors.open(f));
    assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    return e.getMessage();
  }

  private static String one(String dtype, String shape, String offsets) {
    return "{\"t\": {\"dtype\": \""
        + dtype
        + "\", \"shape\": "
        + shape
        + ", \"data_offsets\": "
        + offsets
        + "}}";
  }

  @Test
  void hostileHeadersAreNamedErrors() throws IOException {
    byte[] data = floats(1, 2, 3, 4);
    String ok = one("F32", "[4]", "[0, 16]");
    assertTrue(refused(Long.MAX_VALUE, ok, data).contains("header length"));
    assertTrue(refused(1L << 40, ok, data).contains("header length"));
    assertTrue(refused(-5L, ok, data).contains("header length"));
    assertTrue(refused(1000L, ok, data).contains("does not fit a file of"));
    assertTrue(refused(null, "{\"t\": [1, 2", data).contains("not valid JSON"));
    assertTrue(refused(null, "[1, 2]", data).contains("not a JSON object"));
    assertTrue(refused(null, one("F32", "[4]", "[0, 20]"), data).contains("lie outside"));
    assertTrue(refused(null, one("F32", "[4]", "[8, 4]"), data).contains("lie outside"));
    assertTrue(refused(null, one("F32", "[4]", "[-4, 12]"), data).contains("lie outside"));
    assertTrue(
        refused(null, one("F32", "[4]", "[0, 9223372036854775807]"), data).contains("lie outside"));
    String m = refused(null, one("F32", "[3, 2]", "[0, 16]"), data);
    assertTrue(m.contains("tensor 't'") && m.contains("needs 24 bytes"), m);
    m = refused(null, one("F32", "[2147483647, 2147483647, 2147483647]", "[0, 16]"), data);
    assertTrue(m.contains("bytes, its data_offsets give 16"), m);
    assertTrue(refused(null, one("F32", "[-4]", "[0, 16]"), data).contains("not a size"));
    assertTrue(refused(null, one("F32", "[2.5]", "[0, 16]"), data).contains("not a size"));
    assertTrue(refused(null, one("Q7", "[4]", "[0, 16]"), data).contains("unknown dtype 'Q7'"));
    assertTrue(refused(null, "{\"t\": {\"shape\": [4]}}", data).contains("expected {"));
    m =
        refused(
            null,
            "{\"a\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 12]},"
                + "\"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [8, 16]}}",
            data);
    assertTrue(m.contains("overlap"), m);
  }

  @Test
  void shortOrMissingFilesAreNamed() throws IOException {
    Path tiny = dir.resolve("tiny.safetensors");
    Files.write(tiny, new byte[] {1, 2, 3});
    IOException e = assertThrows(IOException.class, () -> SafeTensors.open(tiny));
    assertTrue(e.getMessage().contains("tiny.safetensors") && e.getMessage().contains("3 bytes"));
    Path none = dir.resolve("none.safetensors");
    e = assertThrows(IOException.class, () -> SafeTensors.open(none));
    assertTrue(e.getMessage().contains("none.safetensors: no such file"), e.getMessage());
  }
}

/*
 * What the fuzz tests of every module (ParserFuzzTest) check of a reader's outcome: a failure's
 * message names the file, and an architecture read from outside counts its parameters and
 * buffers exactly, as the products (in long arithmetic) of its weight tensors' shapes, so that no
 * int overflow in a layer's counts goes unnoticed. Also the checksum that takes a fuzzer's bytes
 * past the CRC-32 of the model and checkpoint formats.
 */
package org.sparkcnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32;

public final class FuzzChecks {
  private FuzzChecks() {}

  /** The documented failure: a message that names the file. */
  public static void assertNames(Exception e, String file) {
    String m = e.getMessage();
    assertTrue(m != null && m.contains(file), () -> "the message does not name " + file + ": " + e);
  }

  /** paramCount() + bufferCount() equal the sizes of the weight tensors, counted in long. */
  public static void assertExactCounts(Architecture a) {
    long total = 0;
    for (ModelTensors.Leaf leaf : ModelTensors.leaves(a)) {
      for (ModelTensors.Tensor t : ModelTensors.tensors(leaf)) {
        long n = 1;
        for (int d : t.shape()) {
          n = Math.multiplyExact(n, (long) d);
        }
        total = Math.addExact(total, n);
      }
    }
    assertEquals(
        total, (long) a.paramCount() + a.bufferCount(), "parameters and buffers of " + a.layers());
  }

  /** data with its last 4 bytes replaced by the little-endian CRC-32 of the bytes before. */
  public static byte[] withCrc(byte[] data) {
    if (data.length < 4) {
      return data;
    }
    byte[] out = data.clone();
    CRC32 crc = new CRC32();
    crc.update(out, 0, out.length - 4);
    ByteBuffer.wrap(out, out.length - 4, 4)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putInt((int) crc.getValue());
    return out;
  }
}

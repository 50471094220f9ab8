/*
 * The bytes of StepHub's messages between executors and the driver. Spark's RPC deserialises
 * a message on a network thread, whose class loader does not see the application's jar, so
 * messages that leave a JVM are plain byte arrays: a tag, the fixed fields, then the vectors as
 * little-endian floats (a null vector has length -1). In local mode the records are handed over
 * as they are.
 */
package org.sparkcnn.driver;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

final class HubCodec {
  private static final byte JOIN = 1;
  private static final byte SUM = 2;
  private static final byte WEIGHTS = 3;

  private HubCodec() {}

  static byte[] encode(Object message) {
    if (message instanceof StepHub.Join j) {
      return ByteBuffer.allocate(13).order(ByteOrder.LITTLE_ENDIAN).put(JOIN)
          .putInt(j.partition()).putLong(j.attempt()).array();
    }
    if (message instanceof StepHub.Sum s) {
      StepResult r = s.result();
      ByteBuffer b = buffer(1 + 4 + 8 + 4 + 8 + 8 + 8 + 8 + 4, r.gradSum, r.bufferSum).put(SUM)
          .putInt(s.partition()).putLong(s.attempt()).putInt(s.step()).putDouble(r.lossSum)
          .putLong(r.correct).putLong(r.count).putLong(r.computeNanos).putInt(r.partitions);
      return vectors(b, r.gradSum, r.bufferSum);
    }
    StepHub.Weights w = (StepHub.Weights) message;
    return vectors(buffer(1 + 4, w.params(), w.buffers()).put(WEIGHTS).putInt(w.step()),
        w.params(), w.buffers());
  }

  static Object decode(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    byte tag = b.get();
    switch (tag) {
      case JOIN:
        return new StepHub.Join(b.getInt(), b.getLong());
      case SUM: {
        int partition = b.getInt();
        long attempt = b.getLong();
        int step = b.getInt();
        double loss = b.getDouble();
        long correct = b.getLong();
        long count = b.getLong();
        long nanos = b.getLong();
        int partitions = b.getInt();
        float[] grad = floats(b);
        float[] buffers = floats(b);
        return new StepHub.Sum(partition, attempt, step, new StepResult(grad, loss, correct,
            count, nanos, buffers, partitions));
      }
      case WEIGHTS: {
        int step = b.getInt();
        float[] params = floats(b);
        return new StepHub.Weights(step, params, floats(b));
      }
      default:
        throw new IllegalArgumentException("a step message with tag " + tag
            + "; expected 1 (join), 2 (sum) or 3 (weights)");
    }
  }

  private static ByteBuffer buffer(int fixed, float[] a, float[] b) {
    long size = fixed + 8L + 4L * (length(a) + length(b));
    if (size > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("a step message of " + size + " bytes; at most 2 GiB");
    }
    return ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static int length(float[] v) {
    return v == null ? 0 : v.length;
  }

  private static byte[] vectors(ByteBuffer b, float[] first, float[] second) {
    for (float[] v : new float[][] {first, second}) {
      b.putInt(v == null ? -1 : v.length);
      if (v != null) {
        b.asFloatBuffer().put(v);
        b.position(b.position() + 4 * v.length);
      }
    }
    return b.array();
  }

  private static float[] floats(ByteBuffer b) {
    int n = b.getInt();
    if (n < 0) {
      return null;
    }
    if (n > b.remaining() / 4) {
      throw new IllegalArgumentException("a step message announces " + n + " floats but holds "
          + b.remaining() / 4);
    }
    float[] v = new float[n];
    b.asFloatBuffer().get(v);
    b.position(b.position() + 4 * n);
    return v;
  }
}

/*
 * The bytes of StepHub's messages between executors and the driver. Spark's RPC deserialises
 * a message on a network thread, whose class loader does not see the application's jar, so
 * messages that leave a JVM are plain byte arrays: a tag, the fixed fields, then the vectors as
 * little-endian floats (a null vector has length -1). A report carries the sum's scalars and,
 * when it has one, a state: weights with their momentum. In local mode the records are handed
 * over as they are.
 */
package org.sparkcnn.driver.sync;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

final class HubCodec {
  private static final byte JOIN = 1;
  private static final byte SUM = 2;
  private static final byte WEIGHTS = 3;
  private static final byte REPORT = 4;

  private HubCodec() {}

  static byte[] encode(Object message) {
    if (message instanceof StepHub.Join j) {
      return ByteBuffer.allocate(13)
          .order(ByteOrder.LITTLE_ENDIAN)
          .put(JOIN)
          .putInt(j.partition())
          .putLong(j.attempt())
          .array();
    }
    if (message instanceof StepHub.Sum s) {
      StepResult r = s.result();
      ByteBuffer b =
          buffer(1 + 4 + 8 + 4 + 8 + 8 + 8 + 8 + 4, r.gradSum, r.bufferSum)
              .put(SUM)
              .putInt(s.partition())
              .putLong(s.attempt())
              .putInt(s.step())
              .putDouble(r.lossSum)
              .putLong(r.correct)
              .putLong(r.count)
              .putLong(r.computeNanos)
              .putInt(r.partitions);
      return vectors(b, r.gradSum, r.bufferSum);
    }
    if (message instanceof StepHub.Report r) {
      StepHub.Weights w = r.state();
      StepResult t = r.total();
      ByteBuffer b =
          w == null
              ? buffer(1 + 8 + 4 + 1 + 8 + 8 + 8 + 8 + 4 + 1)
              : buffer(
                  1 + 8 + 4 + 1 + 8 + 8 + 8 + 8 + 4 + 1 + 4 + 8,
                  w.params(),
                  w.buffers(),
                  w.momentum());
      b.put(REPORT)
          .putLong(r.attempt())
          .putInt(r.step())
          .put((byte) (r.finite() ? 1 : 0))
          .putDouble(t.lossSum)
          .putLong(t.correct)
          .putLong(t.count)
          .putLong(t.computeNanos)
          .putInt(t.partitions)
          .put((byte) (w == null ? 0 : 1));
      return w == null ? b.array() : weights(b, w);
    }
    StepHub.Weights w = (StepHub.Weights) message;
    return weights(buffer(1 + 4 + 8, w.params(), w.buffers(), w.momentum()).put(WEIGHTS), w);
  }

  private static byte[] weights(ByteBuffer b, StepHub.Weights w) {
    b.putInt(w.step()).putLong(w.optimizerSteps());
    return vectors(b, w.params(), w.buffers(), w.momentum());
  }

  private static StepHub.Weights weights(ByteBuffer b) {
    int step = b.getInt();
    long optimizerSteps = b.getLong();
    return new StepHub.Weights(step, floats(b), floats(b), floats(b), optimizerSteps);
  }

  static Object decode(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    byte tag = b.get();
    switch (tag) {
      case JOIN:
        return new StepHub.Join(b.getInt(), b.getLong());
      case SUM:
        {
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
          return new StepHub.Sum(
              partition,
              attempt,
              step,
              new StepResult(grad, loss, correct, count, nanos, buffers, partitions));
        }
      case WEIGHTS:
        return weights(b);
      case REPORT:
        {
          long attempt = b.getLong();
          int step = b.getInt();
          boolean finite = b.get() != 0;
          StepResult total =
              new StepResult(
                  null, b.getDouble(), b.getLong(), b.getLong(), b.getLong(), null, b.getInt());
          return new StepHub.Report(attempt, step, total, finite, b.get() == 0 ? null : weights(b));
        }
      default:
        throw new IllegalArgumentException(
            "a step message with tag "
                + tag
                + "; expected 1 (join), 2 (sum), 3 (weights) or 4 (report)");
    }
  }

  private static ByteBuffer buffer(int fixed, float[]... vectors) {
    long size = fixed;
    for (float[] v : vectors) {
      size += 4L + 4L * length(v);
    }
    if (size > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("a step message of " + size + " bytes; at most 2 GiB");
    }
    return ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static int length(float[] v) {
    return v == null ? 0 : v.length;
  }

  private static byte[] vectors(ByteBuffer b, float[]... vectors) {
    for (float[] v : vectors) {
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
      throw new IllegalArgumentException(
          "a step message announces " + n + " floats but holds " + b.remaining() / 4);
    }
    float[] v = new float[n];
    b.asFloatBuffer().get(v);
    b.position(b.position() + 4 * n);
    return v;
  }
}

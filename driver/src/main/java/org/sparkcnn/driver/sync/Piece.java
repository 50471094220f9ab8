/*
 * What the tasks of an all-reduce send each other (TaskMesh): a slice of a partition's summed
 * gradient and buffers for the slice's owner (PART), the owner's updated weights or mean buffers
 * of that slice for every other task (WEIGHTS), a partition's loss, counts and compute time
 * (STATS), an owner's verdict on whether its slices are finite (VERDICT: chunk is 1 or 0), or an
 * owner's momentum of a slice for partition 0 (MOMENTUM). The floats are a view,
 * data[offset, offset + length): in one JVM the sender's own array, over the network a fresh one.
 * On the wire: a tag, step, sender and chunk, then the stats or the floats, little-endian.
 */
package org.sparkcnn.driver.sync;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

record Piece(
    byte kind,
    int step,
    int from,
    int chunk,
    float[] data,
    int offset,
    int length,
    StepResult stats) {
  static final byte PART = 1;
  static final byte WEIGHTS = 2;
  static final byte STATS = 3;
  static final byte VERDICT = 4;
  static final byte MOMENTUM = 5;
  private static final int HEADER = 1 + 4 + 4 + 4;
  private static final int STATS_BYTES = 8 + 8 + 8 + 8 + 4;

  static Piece floats(
      byte kind, int step, int from, int chunk, float[] data, int offset, int length) {
    return new Piece(kind, step, from, chunk, data, offset, length, null);
  }

  /** A partition's scalars of a step (its gradient and buffers travel as PART pieces). */
  static Piece stats(int step, int from, StepResult r) {
    return new Piece(
        STATS,
        step,
        from,
        -1,
        null,
        0,
        0,
        new StepResult(null, r.lossSum, r.correct, r.count, r.computeNanos, null, r.partitions));
  }

  /** An owner's verdict on its slices of step: all finite or not. */
  static Piece verdict(int step, int from, boolean finite) {
    return new Piece(VERDICT, step, from, finite ? 1 : 0, null, 0, 0, null);
  }

  ByteBuffer encode() {
    int payload = kind == STATS ? STATS_BYTES : kind == VERDICT ? 0 : 4 + 4 * length;
    ByteBuffer b =
        ByteBuffer.allocate(HEADER + payload)
            .order(ByteOrder.LITTLE_ENDIAN)
            .put(kind)
            .putInt(step)
            .putInt(from)
            .putInt(chunk);
    if (kind == VERDICT) {
      return b.flip();
    }
    if (kind == STATS) {
      b.putDouble(stats.lossSum)
          .putLong(stats.correct)
          .putLong(stats.count)
          .putLong(stats.computeNanos)
          .putInt(stats.partitions);
    } else {
      b.putInt(length);
      b.asFloatBuffer().put(data, offset, length);
      b.position(b.position() + 4 * length);
    }
    return b.flip();
  }

  static Piece decode(ByteBuffer in) {
    ByteBuffer b = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (b.remaining() < HEADER) {
      throw new IllegalArgumentException(
          "an all-reduce message of " + b.remaining() + " bytes; expected at least " + HEADER);
    }
    byte kind = b.get();
    int step = b.getInt();
    int from = b.getInt();
    int chunk = b.getInt();
    if (kind == STATS) {
      if (b.remaining() < STATS_BYTES) {
        throw new IllegalArgumentException(
            "an all-reduce stats message of "
                + in.remaining()
                + " bytes; expected "
                + (HEADER + STATS_BYTES));
      }
      return new Piece(
          kind,
          step,
          from,
          chunk,
          null,
          0,
          0,
          new StepResult(
              null, b.getDouble(), b.getLong(), b.getLong(), b.getLong(), null, b.getInt()));
    }
    if (kind == VERDICT) {
      return verdict(step, from, chunk == 1);
    }
    if (kind != PART && kind != WEIGHTS && kind != MOMENTUM) {
      throw new IllegalArgumentException(
          "an all-reduce message with tag "
              + kind
              + "; expected 1 (part), 2 (weights), 3 (stats), 4 (verdict) or 5 (momentum)");
    }
    int length = b.getInt();
    if (length < 0 || length > b.remaining() / 4) {
      throw new IllegalArgumentException(
          "an all-reduce message announces " + length + " floats but holds " + b.remaining() / 4);
    }
    float[] data = new float[length];
    b.asFloatBuffer().get(data);
    return floats(kind, step, from, chunk, data, 0, length);
  }
}

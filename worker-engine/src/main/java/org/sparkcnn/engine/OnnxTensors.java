/*
 * The constant tensors of an ONNX graph (its initializers, and Identity nodes that only rename
 * one), read defensively: only FLOAT and INT64 tensors stored in the file (raw_data or the typed
 * field) are taken, and each tensor's byte count is checked against its dims (overflow-safe)
 * before its values are copied, so a hostile file is an error naming the tensor, never a large
 * allocation. Also the reverse for export: a float tensor as a TensorProto in raw little-endian.
 */
package org.sparkcnn.engine;

import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

final class OnnxTensors {
  private OnnxTensors() {}

  /** A constant: FLOAT tensors fill values, INT64 tensors longs (the other one is null). */
  record Constant(String name, long[] dims, float[] values, long[] longs) {}

  /** One initializer; what is wrong with it is an IllegalArgumentException naming it. */
  static Constant read(TensorProto t) {
    String at = "initializer '" + t.getName() + "': ";
    if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
      throw new IllegalArgumentException(
          at
              + "its data is in an external file, which is not"
              + " read; save the model with its weights inside the .onnx file");
    }
    long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
    long count = 1;
    for (long d : dims) {
      if (d < 0 || (d > 0 && count > (Integer.MAX_VALUE - 8) / d)) {
        throw new IllegalArgumentException(
            at
                + "dims "
                + Arrays.toString(dims)
                + " are negative or hold more values than one array takes");
      }
      count *= d;
    }
    int n = (int) count;
    boolean raw = !t.getRawData().isEmpty();
    switch (t.getDataType()) {
      case 1 -> { // FLOAT
        int stored = raw ? t.getRawData().size() : 4 * t.getFloatDataCount();
        check(at, dims, (long) n * 4, stored);
        float[] v = new float[n];
        if (raw) {
          t.getRawData()
              .asReadOnlyByteBuffer()
              .order(ByteOrder.LITTLE_ENDIAN)
              .asFloatBuffer()
              .get(v);
        } else {
          for (int i = 0; i < n; i++) {
            v[i] = t.getFloatData(i);
          }
        }
        return new Constant(t.getName(), dims, v, null);
      }
      case 7 -> { // INT64
        int stored = raw ? t.getRawData().size() : 8 * t.getInt64DataCount();
        check(at, dims, (long) n * 8, stored);
        long[] v = new long[n];
        if (raw) {
          t.getRawData()
              .asReadOnlyByteBuffer()
              .order(ByteOrder.LITTLE_ENDIAN)
              .asLongBuffer()
              .get(v);
        } else {
          for (int i = 0; i < n; i++) {
            v[i] = t.getInt64Data(i);
          }
        }
        return new Constant(t.getName(), dims, null, v);
      }
      default ->
          throw new IllegalArgumentException(
              at + "data type " + t.getDataType() + " (only FLOAT, 1, and INT64, 7, are read)");
    }
  }

  private static void check(String at, long[] dims, long needed, int stored) {
    if (needed != stored) {
      throw new IllegalArgumentException(
          at
              + "dims "
              + Arrays.toString(dims)
              + " need "
              + needed
              + " bytes, the file holds "
              + stored);
    }
  }

  /** values: row-major with the given dims, as a FLOAT initializer named name. */
  static TensorProto floats(String name, float[] values, long... dims) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    TensorProto.Builder t =
        TensorProto.newBuilder()
            .setName(name)
            .setDataType(1)
            .setRawData(ByteString.copyFrom(b.array()));
    for (long d : dims) {
      t.addDims(d);
    }
    return t.build();
  }

  /** An INT64 initializer. */
  static TensorProto longs(String name, long... values) {
    ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(values);
    return TensorProto.newBuilder()
        .setName(name)
        .setDataType(7)
        .addDims(values.length)
        .setRawData(ByteString.copyFrom(b.array()))
        .build();
  }
}

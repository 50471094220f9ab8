/*
 * The one Kryo registrator of sparkcnn (spark.kryo.registrator). Registration is required, so
 * every class that crosses the wire or the disk through Kryo is named here; the hot ones (step
 * results, samples, blocks, decoded or encoded, the broadcast partition assignment) get explicit
 * serializers that write their arrays in bulk. float[] (the broadcast weights, gradients) is
 * written as little-endian bytes converted in chunks through a FloatBuffer view, instead of Kryo's
 * one call per float: a few times faster for the 47 MB of ResNet-18's vector, which every step
 * serialises three times.
 */
package org.sparkcnn.driver;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.spark.serializer.KryoRegistrator;
import org.sparkcnn.data.Assignment;
import org.sparkcnn.data.Block;
import org.sparkcnn.data.EncodedSample;
import org.sparkcnn.data.Sample;
import org.sparkcnn.driver.sync.StepResult;
import org.sparkcnn.engine.Shape;

public final class KryoSetup implements KryoRegistrator {
  @Override
  public void registerClasses(Kryo kryo) {
    kryo.register(float[].class, new FloatArraySerializer());
    kryo.register(double[].class);
    kryo.register(int[].class);
    kryo.register(long[].class);
    kryo.register(byte[].class);
    kryo.register(Object[].class);
    kryo.register(Integer[].class);
    kryo.register(StepResult.class, new StepResultSerializer());
    kryo.register(StepResult[].class);
    kryo.register(Shape.class, new ShapeSerializer());
    kryo.register(Sample.class, new SampleSerializer());
    kryo.register(EncodedSample.class, new EncodedSampleSerializer());
    kryo.register(Block.class, new BlockSerializer());
    kryo.register(Block[].class);
    kryo.register(Assignment.class, new AssignmentSerializer());
  }

  private static final int CHUNK = 1 << 14; // floats converted per round (64 KiB of bytes)

  /** x as little-endian float32 bytes, CHUNK floats at a time. */
  static void writeFloats(Output out, float[] x) {
    byte[] bytes = new byte[Math.min(x.length, CHUNK) * Float.BYTES];
    ByteBuffer view = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (int at = 0; at < x.length; at += CHUNK) {
      int n = Math.min(CHUNK, x.length - at);
      view.clear();
      view.asFloatBuffer().put(x, at, n);
      out.writeBytes(bytes, 0, n * Float.BYTES);
    }
  }

  /** n floats written by writeFloats. */
  static float[] readFloats(Input in, int n) {
    float[] x = new float[n];
    byte[] bytes = new byte[Math.min(n, CHUNK) * Float.BYTES];
    ByteBuffer view = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (int at = 0; at < n; at += CHUNK) {
      int m = Math.min(CHUNK, n - at);
      in.readBytes(bytes, 0, m * Float.BYTES);
      view.clear();
      view.asFloatBuffer().get(x, at, m);
    }
    return x;
  }

  static final class FloatArraySerializer extends Serializer<float[]> {
    @Override
    public void write(Kryo kryo, Output out, float[] x) {
      out.writeInt(x.length, true);
      writeFloats(out, x);
    }

    @Override
    public float[] read(Kryo kryo, Input in, Class<float[]> type) {
      return readFloats(in, in.readInt(true));
    }
  }

  static final class StepResultSerializer extends Serializer<StepResult> {
    @Override
    public void write(Kryo kryo, Output out, StepResult r) {
      out.writeDouble(r.lossSum);
      out.writeLong(r.correct);
      out.writeLong(r.count);
      out.writeLong(r.computeNanos);
      out.writeInt(r.gradSum == null ? -1 : r.gradSum.length);
      if (r.gradSum != null) {
        writeFloats(out, r.gradSum);
      }
      out.writeString(r.gradBlock);
      out.writeInt(r.partitions);
      out.writeInt(r.bufferSum == null ? -1 : r.bufferSum.length);
      if (r.bufferSum != null) {
        writeFloats(out, r.bufferSum);
      }
    }

    @Override
    public StepResult read(Kryo kryo, Input in, Class<StepResult> type) {
      double loss = in.readDouble();
      long correct = in.readLong();
      long count = in.readLong();
      long nanos = in.readLong();
      int n = in.readInt();
      float[] grads = n < 0 ? null : readFloats(in, n);
      String block = in.readString();
      int partitions = in.readInt();
      int b = in.readInt();
      float[] buffers = b < 0 ? null : readFloats(in, b);
      StepResult r = new StepResult(grads, loss, correct, count, nanos, buffers, partitions);
      r.gradBlock = block;
      return r;
    }
  }

  static final class ShapeSerializer extends Serializer<Shape> {
    @Override
    public void write(Kryo kryo, Output out, Shape s) {
      int[] dims = s.dims();
      out.writeInt(dims.length, true);
      out.writeInts(dims);
    }

    @Override
    public Shape read(Kryo kryo, Input in, Class<Shape> type) {
      return Shape.of(in.readInts(in.readInt(true)));
    }
  }

  static final class SampleSerializer extends Serializer<Sample> {
    @Override
    public void write(Kryo kryo, Output out, Sample s) {
      out.writeLong(s.id());
      out.writeInt(s.label());
      out.writeInt(s.pixels().length, true);
      out.writeBytes(s.pixels());
    }

    @Override
    public Sample read(Kryo kryo, Input in, Class<Sample> type) {
      long id = in.readLong();
      int label = in.readInt();
      return new Sample(id, label, in.readBytes(in.readInt(true)));
    }
  }

  static final class AssignmentSerializer extends Serializer<Assignment> {
    @Override
    public void write(Kryo kryo, Output out, Assignment a) {
      out.writeInt(a.partitions(), true);
      out.writeInt(a.samples(), true);
      for (int i = 0; i < a.samples(); i++) {
        out.writeLong(a.id(i));
        out.writeInt(a.partitionAt(i), true);
      }
    }

    @Override
    public Assignment read(Kryo kryo, Input in, Class<Assignment> type) {
      int partitions = in.readInt(true);
      int n = in.readInt(true);
      long[] ids = new long[n];
      int[] partitionOf = new int[n];
      for (int i = 0; i < n; i++) {
        ids[i] = in.readLong();
        partitionOf[i] = in.readInt(true);
      }
      return new Assignment(ids, partitionOf, partitions);
    }
  }

  static final class EncodedSampleSerializer extends Serializer<EncodedSample> {
    @Override
    public void write(Kryo kryo, Output out, EncodedSample s) {
      out.writeLong(s.id());
      out.writeInt(s.label());
      out.writeString(s.path());
      out.writeInt(s.bytes().length, true);
      out.writeBytes(s.bytes());
    }

    @Override
    public EncodedSample read(Kryo kryo, Input in, Class<EncodedSample> type) {
      long id = in.readLong();
      int label = in.readInt();
      String path = in.readString();
      return new EncodedSample(id, label, in.readBytes(in.readInt(true)), path);
    }
  }

  /** A block: its form (0 decoded, 1 encoded), ids and labels, then pixels or files. */
  static final class BlockSerializer extends Serializer<Block> {
    @Override
    public void write(Kryo kryo, Output out, Block b) {
      out.writeByte(b.isEncoded() ? 1 : 0);
      out.writeInt(b.partition());
      kryo.writeObject(out, b.shape());
      out.writeInt(b.size());
      for (int i = 0; i < b.size(); i++) {
        out.writeLong(b.id(i));
        out.writeInt(b.label(i));
      }
      if (!b.isEncoded()) {
        out.writeBytes(b.pixels());
        return;
      }
      for (int i = 0; i < b.size(); i++) {
        out.writeString(b.path(i));
      }
      out.writeInts(b.offsets());
      out.writeInt(b.files().length);
      out.writeBytes(b.files());
    }

    @Override
    public Block read(Kryo kryo, Input in, Class<Block> type) {
      boolean encoded = in.readByte() == 1;
      int partition = in.readInt();
      Shape shape = kryo.readObject(in, Shape.class);
      int n = in.readInt();
      long[] ids = new long[n];
      int[] labels = new int[n];
      for (int i = 0; i < n; i++) {
        ids[i] = in.readLong();
        labels[i] = in.readInt();
      }
      if (!encoded) {
        return new Block(partition, shape, ids, labels, in.readBytes(n * shape.size()));
      }
      String[] paths = new String[n];
      for (int i = 0; i < n; i++) {
        paths[i] = in.readString();
      }
      int[] offsets = in.readInts(n + 1);
      byte[] files = in.readBytes(in.readInt());
      return Block.encoded(partition, shape, ids, labels, files, offsets, paths);
    }
  }
}

/*
 * The one Kryo registrator of sparkcnn (spark.kryo.registrator). Registration is required, so
 * every class that crosses the wire or the disk through Kryo is named here; the hot ones (step
 * results, samples, blocks) get explicit serializers that write their arrays in bulk.
 */
package org.sparkcnn.driver;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.apache.spark.serializer.KryoRegistrator;
import org.sparkcnn.data.Block;
import org.sparkcnn.data.Sample;
import org.sparkcnn.engine.Shape;

public final class KryoSetup implements KryoRegistrator {
  @Override
  public void registerClasses(Kryo kryo) {
    kryo.register(float[].class);
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
    kryo.register(Block.class, new BlockSerializer());
    kryo.register(Block[].class);
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
        out.writeFloats(r.gradSum);
      }
      out.writeInt(r.partitions);
      out.writeInt(r.bufferSum == null ? -1 : r.bufferSum.length);
      if (r.bufferSum != null) {
        out.writeFloats(r.bufferSum);
      }
    }

    @Override
    public StepResult read(Kryo kryo, Input in, Class<StepResult> type) {
      double loss = in.readDouble();
      long correct = in.readLong();
      long count = in.readLong();
      long nanos = in.readLong();
      int n = in.readInt();
      float[] grads = n < 0 ? null : in.readFloats(n);
      int partitions = in.readInt();
      int b = in.readInt();
      float[] buffers = b < 0 ? null : in.readFloats(b);
      return new StepResult(grads, loss, correct, count, nanos, buffers, partitions);
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

  static final class BlockSerializer extends Serializer<Block> {
    @Override
    public void write(Kryo kryo, Output out, Block b) {
      out.writeInt(b.partition());
      kryo.writeObject(out, b.shape());
      out.writeInt(b.size());
      for (int i = 0; i < b.size(); i++) {
        out.writeLong(b.id(i));
        out.writeInt(b.label(i));
      }
      out.writeBytes(b.pixels());
    }

    @Override
    public Block read(Kryo kryo, Input in, Class<Block> type) {
      int partition = in.readInt();
      Shape shape = kryo.readObject(in, Shape.class);
      int n = in.readInt();
      long[] ids = new long[n];
      int[] labels = new int[n];
      for (int i = 0; i < n; i++) {
        ids[i] = in.readLong();
        labels[i] = in.readInt();
      }
      return new Block(partition, shape, ids, labels, in.readBytes(n * shape.size()));
    }
  }
}

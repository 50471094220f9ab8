/*
 * One partition's samples cached as one compact block: ids, labels and all pixels in one byte
 * array, samples in id order. A training step reads its minibatch by index (gather), never scanning
 * the partition, and each epoch visits the block in a fresh order drawn from (seed, epoch,
 * partition).
 */
package org.sparkcnn.data;

import java.io.Serializable;
import java.util.List;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;

public final class Block implements Serializable {
  /** Tags the shuffling stream among the job's random streams. */
  private static final long SHUFFLE_STREAM = 0x5348_5546L;
  private final int partition;
  private final Shape shape;
  private final long[] ids; // [n]
  private final int[] labels; // [n]
  private final byte[] pixels; // [n, C, H, W]

  public Block(int partition, Shape shape, long[] ids, int[] labels, byte[] pixels) {
    if (labels.length != ids.length || pixels.length != (long) ids.length * shape.size()) {
      throw new IllegalArgumentException("block of " + ids.length + " samples of " + shape
          + " needs as many labels and " + ids.length * (long) shape.size() + " pixel bytes");
    }
    this.partition = partition;
    this.shape = shape;
    this.ids = ids;
    this.labels = labels;
    this.pixels = pixels;
  }

  /** Packs samples (already sorted by id) whose pixels all have the given shape. */
  public static Block of(int partition, Shape shape, List<Sample> samples) {
    int n = samples.size();
    int size = shape.size();
    long[] ids = new long[n];
    int[] labels = new int[n];
    byte[] pixels = new byte[n * size];
    for (int i = 0; i < n; i++) {
      Sample s = samples.get(i);
      if (s.pixels().length != size) {
        throw new IllegalArgumentException("sample " + s.id() + " has " + s.pixels().length
            + " pixel bytes, expected " + size + " for shape " + shape);
      }
      ids[i] = s.id();
      labels[i] = s.label();
      System.arraycopy(s.pixels(), 0, pixels, i * size, size);
    }
    return new Block(partition, shape, ids, labels, pixels);
  }

  public int partition() {
    return partition;
  }

  public int size() {
    return ids.length;
  }

  public Shape shape() {
    return shape;
  }

  public long id(int i) {
    return ids[i];
  }

  public int label(int i) {
    return labels[i];
  }

  /** Raw pixels of the whole block, [n, C, H, W] (read only). */
  public byte[] pixels() {
    return pixels;
  }

  /** The order in which an epoch visits this block. */
  public int[] epochOrder(long seed, int epoch) {
    return Rng.of(seed, SHUFFLE_STREAM, epoch, partition).permutation(ids.length);
  }

  /**
   * x: [count, C, H, W] and y: [count] receive the samples order[from .. from + count), normalised.
   * order == null means the identity order.
   */
  public void gather(int[] order, int from, int count, Normalizer norm, float[] x, int[] y) {
    int size = shape.size();
    int plane = size / shape.dim(0);
    for (int i = 0; i < count; i++) {
      int s = order == null ? from + i : order[from + i];
      norm.apply(pixels, s * size, plane, x, i * size);
      y[i] = labels[s];
    }
  }
}

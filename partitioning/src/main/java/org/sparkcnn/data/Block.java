/*
 * One partition's samples cached as one compact block: ids, labels and all pixels in one byte
 * array, samples in id order. A training step reads its minibatch by index (gather), never scanning
 * the partition, and each epoch visits the block in a fresh order drawn from (seed, epoch,
 * partition).
 *
 * A block holds its samples in one of two forms. Decoded: all pixels, [n, C, H, W] unsigned bytes,
 * read in place by gather. Encoded (data.cache: encoded, for datasets whose pixels would not fit
 * in the executors' memory): the n files one after the other in one byte array, with offsets and
 * the paths they came from; a step decodes just its minibatch (decode) with the source's own
 * decoder, into a small decoded block it reuses, and gathers from that. Both forms give the same
 * pixels, so the same model.
 */
package org.sparkcnn.data;

import java.io.Serializable;
import java.util.Arrays;
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
  private final byte[] pixels; // decoded: [n, C, H, W]; null when encoded
  private final byte[] files; // encoded: the n files one after the other; null when decoded
  private final int[] offsets; // encoded: [n + 1], file i is files[offsets[i] .. offsets[i + 1])
  private final String[] paths; // encoded: [n], where file i was read, for error messages

  public Block(int partition, Shape shape, long[] ids, int[] labels, byte[] pixels) {
    this(partition, shape, ids, labels, pixels, null, null, null);
    if (labels.length != ids.length || pixels.length != (long) ids.length * shape.size()) {
      throw new IllegalArgumentException(
          "block of "
              + ids.length
              + " samples of "
              + shape
              + " needs as many labels and "
              + ids.length * (long) shape.size()
              + " pixel bytes");
    }
  }

  private Block(
      int partition,
      Shape shape,
      long[] ids,
      int[] labels,
      byte[] pixels,
      byte[] files,
      int[] offsets,
      String[] paths) {
    this.partition = partition;
    this.shape = shape;
    this.ids = ids;
    this.labels = labels;
    this.pixels = pixels;
    this.files = files;
    this.offsets = offsets;
    this.paths = paths;
  }

  /** An encoded block: samples [n] whose files are files[offsets[i] .. offsets[i + 1]). */
  public static Block encoded(
      int partition,
      Shape shape,
      long[] ids,
      int[] labels,
      byte[] files,
      int[] offsets,
      String[] paths) {
    int n = ids.length;
    if (labels.length != n || offsets.length != n + 1 || paths.length != n) {
      throw new IllegalArgumentException(
          "encoded block of "
              + n
              + " samples needs "
              + n
              + " labels, "
              + (n + 1)
              + " offsets and "
              + n
              + " paths, got "
              + labels.length
              + ", "
              + offsets.length
              + " and "
              + paths.length);
    }
    for (int i = 0; i < n; i++) {
      if (offsets[i] < 0 || offsets[i] > offsets[i + 1]) {
        throw new IllegalArgumentException(
            "encoded block: offsets must increase from 0, got "
                + offsets[i]
                + " then "
                + offsets[i + 1]
                + " at sample "
                + i);
      }
    }
    if (offsets[0] != 0 || offsets[n] != files.length) {
      throw new IllegalArgumentException(
          "encoded block: offsets span "
              + offsets[0]
              + ".."
              + offsets[n]
              + ", expected 0.."
              + files.length
              + " (the length of the files)");
    }
    return new Block(partition, shape, ids, labels, null, files, offsets, paths);
  }

  /** Packs encoded samples (already sorted by id) into one encoded block. */
  public static Block ofEncoded(int partition, Shape shape, List<EncodedSample> samples) {
    int n = samples.size();
    long total = 0;
    for (EncodedSample s : samples) {
      total += s.bytes().length;
    }
    if (total > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException(
          "partition "
              + partition
              + " holds "
              + total
              + " bytes of encoded files; a block holds at most 2 GiB: use more train.partitions");
    }
    long[] ids = new long[n];
    int[] labels = new int[n];
    byte[] files = new byte[(int) total];
    int[] offsets = new int[n + 1];
    String[] paths = new String[n];
    for (int i = 0; i < n; i++) {
      EncodedSample s = samples.get(i);
      ids[i] = s.id();
      labels[i] = s.label();
      paths[i] = s.path();
      System.arraycopy(s.bytes(), 0, files, offsets[i], s.bytes().length);
      offsets[i + 1] = offsets[i] + s.bytes().length;
    }
    return encoded(partition, shape, ids, labels, files, offsets, paths);
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
        throw new IllegalArgumentException(
            "sample "
                + s.id()
                + " has "
                + s.pixels().length
                + " pixel bytes, expected "
                + size
                + " for shape "
                + shape);
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

  /** Whether the samples are kept as encoded files (decode them to read pixels). */
  public boolean isEncoded() {
    return pixels == null;
  }

  /** Raw pixels of the whole block, [n, C, H, W] (read only); a decoded block only. */
  public byte[] pixels() {
    if (pixels == null) {
      throw new IllegalStateException(
          "partition "
              + partition
              + " is cached as encoded files"
              + " (data.cache: encoded): decode() its samples to read their pixels");
    }
    return pixels;
  }

  /** The encoded files one after the other (read only); an encoded block only. */
  public byte[] files() {
    return files;
  }

  /** [n + 1]: file i is files()[offsets()[i] .. offsets()[i + 1]) (read only). */
  public int[] offsets() {
    return offsets;
  }

  /** Where sample i's file was read (encoded blocks). */
  public String path(int i) {
    return paths[i];
  }

  /**
   * The samples order[from .. from + count) of this encoded block (order == null: the identity),
   * decoded by decoder into a decoded block of count samples in that order, ids and labels
   * included. reuse, a block an earlier call returned (or null), is overwritten and returned when
   * it has the same size and shape, so that steady steps allocate no new batch block.
   */
  public Block decode(int[] order, int from, int count, Source.Encoded decoder, Block reuse) {
    if (!isEncoded()) {
      throw new IllegalStateException("partition " + partition + " is already decoded");
    }
    if (decoder == null) {
      throw new IllegalArgumentException(
          "partition " + partition + " is cached as encoded files" + " but no decoder was given");
    }
    int size = shape.size();
    Block out =
        reuse != null && !reuse.isEncoded() && reuse.size() == count && reuse.shape.equals(shape)
            ? reuse
            : new Block(partition, shape, new long[count], new int[count], new byte[count * size]);
    for (int i = 0; i < count; i++) {
      int s = order == null ? from + i : order[from + i];
      byte[] px =
          decoder.decodeFile(Arrays.copyOfRange(files, offsets[s], offsets[s + 1]), paths[s]);
      if (px.length != size) {
        throw new IllegalArgumentException(
            "the image "
                + paths[s]
                + " decoded to "
                + px.length
                + " bytes, expected "
                + size
                + " for shape "
                + shape);
      }
      System.arraycopy(px, 0, out.pixels, i * size, size);
      out.ids[i] = ids[s];
      out.labels[i] = labels[s];
    }
    return out;
  }

  /** The order in which an epoch visits this block. */
  public int[] epochOrder(long seed, int epoch) {
    return Rng.of(seed, SHUFFLE_STREAM, epoch, partition).permutation(ids.length);
  }

  /**
   * x: [count, C, H, W] and y: [count] receive the samples order[from .. from + count), normalised.
   * order == null means the identity order. A decoded block only.
   */
  public void gather(int[] order, int from, int count, Normalizer norm, float[] x, int[] y) {
    byte[] pixels = pixels();
    int size = shape.size();
    int plane = size / shape.dim(0);
    for (int i = 0; i < count; i++) {
      int s = order == null ? from + i : order[from + i];
      norm.apply(pixels, s * size, plane, x, i * size);
      y[i] = labels[s];
    }
  }
}

/*
 * Per-channel mean and standard deviation of a dataset's pixels (scaled to [0, 1]), computed
 * distributedly over the cached blocks: each partition sums x and x^2 per channel in double, the
 * driver adds the partitions' sums in partition order (a fixed order, so that the same data always
 * gives the same normaliser to the last bit). The result is the dataset-specific normaliser.
 * Encoded blocks are decoded a chunk of samples at a time; the sums come from per-value counts, so
 * both forms of the same data give the same bits.
 */
package org.sparkcnn.data;

import org.apache.spark.api.java.JavaRDD;

public final class ChannelStats {
  private ChannelStats() {}

  /** The statistics of a dataset and the number of samples they cover. */
  public record Result(Normalizer normalizer, long samples) {}

  /** Samples decoded at a time from an encoded block. */
  private static final int CHUNK = 64;

  public static Normalizer compute(JavaRDD<Block> blocks, int channels) {
    return compute(blocks, channels, null);
  }

  /** decoder: the source's, for encoded blocks (null when the blocks are decoded). */
  public static Normalizer compute(JavaRDD<Block> blocks, int channels, Source.Encoded decoder) {
    double[] sums = new double[2 * channels + 1];
    for (double[] p : blocks.map(b -> partial(b, channels, decoder)).collect()) {
      for (int i = 0; i < sums.length; i++) {
        sums[i] += p[i];
      }
    }
    double count = sums[2 * channels];
    if (count == 0) {
      throw new IllegalArgumentException("cannot normalise an empty dataset");
    }
    float[] mean = new float[channels];
    float[] std = new float[channels];
    for (int c = 0; c < channels; c++) {
      double m = sums[c] / count;
      mean[c] = (float) m;
      std[c] = (float) Math.max(Math.sqrt(Math.max(sums[channels + c] / count - m * m, 0)), 1e-3);
    }
    return new Normalizer(mean, std);
  }

  /** [sum per channel, sum of squares per channel, pixels per channel]. */
  static double[] partial(Block b, int channels, Source.Encoded decoder) {
    double[] s = new double[2 * channels + 1];
    int size = b.shape().size();
    int plane = size / channels;
    long[] hist = new long[channels * 256];
    Block chunk = null;
    for (int from = 0; from < b.size(); from += CHUNK) {
      int n = Math.min(CHUNK, b.size() - from);
      Block d = b;
      int first = from;
      if (b.isEncoded()) {
        d = chunk = b.decode(null, from, n, decoder, chunk);
        first = 0;
      }
      byte[] px = d.pixels();
      for (int i = first; i < first + n; i++) {
        for (int c = 0; c < channels; c++) {
          int off = i * size + c * plane;
          for (int j = 0; j < plane; j++) {
            hist[c * 256 + (px[off + j] & 0xFF)]++;
          }
        }
      }
    }
    for (int c = 0; c < channels; c++) {
      for (int v = 0; v < 256; v++) {
        double x = v / 255.0;
        s[c] += hist[c * 256 + v] * x;
        s[channels + c] += hist[c * 256 + v] * x * x;
      }
    }
    s[2 * channels] = (double) b.size() * plane;
    return s;
  }
}

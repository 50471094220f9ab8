/*
 * Per-channel normalisation x = (p / 255 - mean[c]) / std[c] of unsigned-byte pixels, done through
 * a 256-entry table per channel so that batch assembly is one lookup per pixel.
 */
package org.sparkcnn.data;

import java.io.Serializable;
import java.util.Arrays;

public final class Normalizer implements Serializable {
  private final float[] mean;
  private final float[] std;
  private final float[] table; // [C, 256]

  public Normalizer(float[] mean, float[] std) {
    if (mean.length != std.length || mean.length == 0) {
      throw new IllegalArgumentException(
          "normalisation needs one mean and one std per channel, got "
              + mean.length
              + " means and "
              + std.length
              + " stds");
    }
    this.mean = mean.clone();
    this.std = std.clone();
    this.table = new float[mean.length * 256];
    for (int c = 0; c < mean.length; c++) {
      if (!(std[c] > 0) || !Float.isFinite(mean[c])) {
        throw new IllegalArgumentException(
            "channel "
                + c
                + ": std must be positive and mean finite,"
                + " got mean "
                + mean[c]
                + " std "
                + std[c]);
      }
      for (int p = 0; p < 256; p++) {
        table[c * 256 + p] = (p / 255f - mean[c]) / std[c];
      }
    }
  }

  /** Pixels scaled to [0, 1] only. */
  public static Normalizer identity(int channels) {
    float[] zero = new float[channels];
    float[] one = new float[channels];
    Arrays.fill(one, 1f);
    return new Normalizer(zero, one);
  }

  public int channels() {
    return mean.length;
  }

  public float[] mean() {
    return mean.clone();
  }

  public float[] std() {
    return std.clone();
  }

  /** x[off, off + C*plane) = (x - mean[c]) / std[c] in place, for pixels already in [0, 1]. */
  public void apply(float[] x, int off, int plane) {
    for (int c = 0; c < mean.length; c++) {
      float m = mean[c];
      float s = std[c];
      for (int i = off + c * plane; i < off + (c + 1) * plane; i++) {
        x[i] = (x[i] - m) / s;
      }
    }
  }

  /** dst[dOff, dOff + C*plane) = normalised src[sOff, ...), CHW with plane = H*W pixels. */
  public void apply(byte[] src, int sOff, int plane, float[] dst, int dOff) {
    for (int c = 0; c < mean.length; c++) {
      int t = c * 256;
      int s = sOff + c * plane;
      int d = dOff + c * plane;
      for (int i = 0; i < plane; i++) {
        dst[d + i] = table[t + (src[s + i] & 0xFF)];
      }
    }
  }
}

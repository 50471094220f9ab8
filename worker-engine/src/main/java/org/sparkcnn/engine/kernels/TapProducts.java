/*
 * A grid convolution's weight gradient as outer products, the forward's register block turned
 * around: dW^T[(c, tap), o] = sum over the chunk's output positions q of x(q + tap) * dY^T[q, o].
 * dY is transposed once per chunk (transpose), so that a step of q loads output channels as
 * vectors, and the taps of the padded input are broadcast straight from their grid: no copy of
 * col, and, unlike the dot products of DotGemm, no sums across lanes and no loads of shifted,
 * misaligned vectors. The positions run over the real outputs only (Walk), row after row and
 * sample after sample, so the columns a wide grid adds past each row cost nothing either.
 * The vector kernel (TapKernel) takes groups whose output channels fill whole tiles (two vectors:
 * 32 channels with AVX-512); other layers, and the scalar build, keep DotGemm. reference() is
 * the plain loop it is tested against.
 */
package org.sparkcnn.engine.kernels;

public final class TapProducts {
  private static final boolean VECTOR = Gemm.IMPL == Gemm.Impl.VECTOR;

  private TapProducts() {}

  /**
   * The output positions of a chunk: samples x rows x cols, where output (s, r, col) reads the
   * input grid at s * sampleStep + r * rowStep + col, plus its tap's offset.
   */
  public record Walk(int samples, int rows, int cols, int rowStep, int sampleStep) {
    public Walk {
      if (samples < 0 || rows < 1 || cols < 1 || rowStep < cols || sampleStep < rows * rowStep) {
        throw new IllegalArgumentException(
            "a walk needs rows of cols >= 1 floats within rowStep"
                + " and samples within sampleStep, got "
                + samples
                + " x "
                + rows
                + " x "
                + cols
                + " with steps "
                + rowStep
                + " and "
                + sampleStep);
      }
    }

    /** Output positions: the k of the product. */
    public int positions() {
      return samples * rows * cols;
    }
  }

  /** Whether a group of n output channels takes this path: the vector build, whole tiles. */
  public static boolean handles(int n) {
    return VECTOR && n > 0 && n % TapKernel.NR == 0;
  }

  /**
   * dyt[(s * plane + q) * channels + o] = dy[off + s * sampleStride + o * plane + q] for s <
   * samples, o < channels and q < plane: each sample's [channels, plane] block transposed.
   */
  public static void transpose(
      float[] dy, int off, int samples, int channels, int plane, int sampleStride, float[] dyt) {
    for (int s = 0; s < samples; s++) {
      int to = s * plane * channels;
      for (int o = 0; o < channels; o++) {
        for (int q = 0, from = off + s * sampleStride + o * plane, d = to + o;
            q < plane;
            q++, d += channels) {
          dyt[d] = dy[from + q];
        }
      }
    }
  }

  /**
   * c[cOff + i * n + j] = sum over the walk's positions q of x[xOff + at(q) + taps[i]] * dyt[dOff +
   * q * ldd + j] for i < m and j < n (overwritten), where at(q) is where position q lies on the
   * grid; with the vector kernel, on Parallel's threads. n must be handled.
   */
  public static void weightGrad(
      int m,
      int n,
      float[] x,
      int xOff,
      int[] taps,
      Walk walk,
      float[] dyt,
      int dOff,
      int ldd,
      float[] c,
      int cOff) {
    if (!handles(n) || m < 1 || taps.length < m || ldd < n) {
      throw new IllegalArgumentException(
          "the tap products take "
              + m
              + " taps of "
              + taps.length
              + " and "
              + n
              + " channels of "
              + ldd
              + " per position, in whole tiles of "
              + (VECTOR ? TapKernel.NR : 0)
              + " channels");
    }
    TapKernel.multiply(m, n, x, xOff, taps, walk, dyt, dOff, ldd, c, cOff);
  }

  /** The plain loop of weightGrad, for any n: what the kernel is tested against. */
  public static void reference(
      int m,
      int n,
      float[] x,
      int xOff,
      int[] taps,
      Walk walk,
      float[] dyt,
      int dOff,
      int ldd,
      float[] c,
      int cOff) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float sum = 0f;
        int q = 0;
        for (int s = 0; s < walk.samples(); s++) {
          for (int r = 0; r < walk.rows(); r++) {
            for (int col = 0; col < walk.cols(); col++, q++) {
              int at = s * walk.sampleStep() + r * walk.rowStep() + col;
              sum += x[xOff + at + taps[i]] * dyt[dOff + q * ldd + j];
            }
          }
        }
        c[cOff + i * n + j] = sum;
      }
    }
  }
}

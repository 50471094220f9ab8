/*
 * A factor of a matrix product as the packed GEMM sees it: a logical matrix that can copy any block
 * of itself into the panel layouts of Goto and van de Geijn (ACM TOMS 34(3), 2008). packRows lays
 * rows out as the left factor's panels (k-major, MR rows side by side), packCols columns as the
 * right factor's panels (k-major, NR columns side by side). Where the matrix comes from is the
 * operand's business, which is what lets a convolution skip its column matrix:
 *   dense(a, off, ld)             a plain row-major matrix;
 *   batched(a, off, ld, len, st)  columns grouped per sample: (r, s*len + q) at off + s*st + r*ld + q,
 *                                 e.g. the channels-by-positions view of a whole [n, C, P] batch;
 *   lowered(low, x, ...)          the im2col matrix of a batch of images, generated while packing;
 *   shifted(a, off, taps, len, st) row r of each sample's block a run of a from taps[r]: the
 *                                 column matrix of a stride-1 convolution over PaddedGrid images;
 *   transpose()                   the transposed view of any of them, for free.
 */
package org.sparkcnn.engine.kernels;

import java.util.Arrays;

public abstract class Operand {
  /**
   * dst[dOff + (p - p0) * mr + (i - i0)] = this[i, p] for i in [i0, i0 + rows), p in [p0, p0 + kc);
   * the slots of rows past rows (up to mr) are zeroed.
   */
  abstract void packRows(int i0, int rows, int mr, int p0, int kc, float[] dst, int dOff);

  /**
   * dst[dOff + (p - p0) * nr + (j - j0)] = this[p, j] for p in [p0, p0 + kc), j in [j0, j0 + cols);
   * the slots of columns past cols (up to nr) are zeroed.
   */
  abstract void packCols(int p0, int kc, int j0, int cols, int nr, float[] dst, int dOff);

  /**
   * dst[dOff + (i - i0) * ld + (p - p0)] = this[i, p] for i in [i0, i0 + rows), p in [p0, p0 + kc):
   * whole rows side by side, the layout of DotGemm, which multiplies along rows.
   */
  abstract void copyRows(int i0, int rows, int p0, int kc, float[] dst, int dOff, int ld);

  /** Checks that the operand holds a rows x cols matrix; names it in the message if not. */
  abstract void check(String name, int rows, int cols);

  public Operand transpose() {
    Operand x = this;
    return new Operand() {
      @Override
      void packRows(int i0, int rows, int mr, int p0, int kc, float[] dst, int dOff) {
        x.packCols(p0, kc, i0, rows, mr, dst, dOff);
      }

      @Override
      void packCols(int p0, int kc, int j0, int cols, int nr, float[] dst, int dOff) {
        x.packRows(j0, cols, nr, p0, kc, dst, dOff);
      }

      @Override
      void copyRows(int i0, int rows, int p0, int kc, float[] dst, int dOff, int ld) {
        for (int i = 0; i < rows; i++) { // row i of the transpose is column i of x
          x.packCols(p0, kc, i0 + i, 1, 1, dst, dOff + i * ld);
        }
      }

      @Override
      void check(String name, int rows, int cols) {
        x.check(name, cols, rows);
      }

      @Override
      public Operand transpose() {
        return x;
      }
    };
  }

  public static Operand dense(float[] a, int off, int ld) {
    return new Batched(a, off, ld, Integer.MAX_VALUE, 0);
  }

  public static Operand batched(float[] a, int off, int ld, int segLen, int segStride) {
    return new Batched(a, off, ld, segLen, segStride);
  }

  /**
   * The column matrix of low over samples of sampleSize floats from x[xOff], starting at row rowOff
   * (a group's first row): [rows, n * colCols].
   */
  public static Operand lowered(Lowering low, float[] x, int xOff, int sampleSize, int rowOff) {
    return new Lowered(low, x, xOff, sampleSize, rowOff);
  }

  /**
   * The matrix (r, s * segLen + q) at a[off + s * segStride + taps[r] + q]: per sample, each row a
   * contiguous run of a that starts at its tap's offset (PaddedGrid.taps).
   */
  public static Operand shifted(float[] a, int off, int[] taps, int segLen, int segStride) {
    return new Shifted(a, off, taps, segLen, segStride);
  }

  /** Zeroes the slots of rows [rows, mr) of kc packed rows of stride mr. */
  static void zeroTail(float[] dst, int dOff, int rows, int mr, int kc) {
    if (rows < mr) {
      for (int p = 0; p < kc; p++) {
        int d = dOff + p * mr;
        Arrays.fill(dst, d + rows, d + mr, 0f);
      }
    }
  }

  /**
   * A matrix whose rows are runs of consecutive floats of a, per sample: (r, s * segLen + q) at
   * a[off + s * segStride + rowStart(r) + q]. Packing it is copying runs.
   */
  abstract static class Runs extends Operand {
    final float[] a;
    final int off;
    final int segLen;
    final int segStride;

    Runs(float[] a, int off, int segLen, int segStride) {
      this.a = a;
      this.off = off;
      this.segLen = segLen;
      this.segStride = segStride;
    }

    /** Where row r starts in each sample's block. */
    abstract int rowStart(int r);

    @Override
    void packRows(int i0, int rows, int mr, int p0, int kc, float[] dst, int dOff) {
      for (int p = p0, end = p0 + kc; p < end; ) {
        int s = p / segLen;
        int q = p - s * segLen;
        int w = Math.min(end - p, segLen - q);
        int base = off + s * segStride + q;
        int d = dOff + (p - p0) * mr;
        for (int i = 0; i < rows; i++) {
          int src = base + rowStart(i0 + i);
          for (int t = 0; t < w; t++) {
            dst[d + t * mr + i] = a[src + t];
          }
        }
        p += w;
      }
      zeroTail(dst, dOff, rows, mr, kc);
    }

    @Override
    void packCols(int p0, int kc, int j0, int cols, int nr, float[] dst, int dOff) {
      for (int j = j0, end = j0 + cols; j < end; ) {
        int s = j / segLen;
        int q = j - s * segLen;
        int w = Math.min(end - j, segLen - q);
        int base = off + s * segStride + q;
        int d = dOff + (j - j0);
        for (int p = 0; p < kc; p++) {
          Copy.copy(a, base + rowStart(p0 + p), dst, d + p * nr, w);
        }
        j += w;
      }
      if (cols < nr) {
        for (int p = 0; p < kc; p++) {
          Arrays.fill(dst, dOff + p * nr + cols, dOff + (p + 1) * nr, 0f);
        }
      }
    }

    @Override
    void copyRows(int i0, int rows, int p0, int kc, float[] dst, int dOff, int ld) {
      for (int p = p0, end = p0 + kc; p < end; ) {
        int s = p / segLen;
        int q = p - s * segLen;
        int w = Math.min(end - p, segLen - q);
        int base = off + s * segStride + q;
        for (int i = 0; i < rows; i++) {
          Copy.copy(a, base + rowStart(i0 + i), dst, dOff + i * ld + (p - p0), w);
        }
        p += w;
      }
    }
  }

  /** (r, s * segLen + q) at off + s * segStride + r * ld + q. */
  private static final class Batched extends Runs {
    private final int ld;

    Batched(float[] a, int off, int ld, int segLen, int segStride) {
      super(a, off, segLen, segStride);
      this.ld = ld;
    }

    @Override
    int rowStart(int r) {
      return r * ld;
    }

    @Override
    void check(String name, int rows, int cols) {
      if (rows == 0 || cols == 0) {
        return;
      }
      int segs = segLen == Integer.MAX_VALUE ? 1 : (cols + segLen - 1) / segLen;
      int lastCols = cols - (segs - 1) * Math.min(segLen, cols);
      long last = (long) off + (long) (segs - 1) * segStride + (long) (rows - 1) * ld + lastCols;
      if (ld < Math.min(segLen, cols) || off < 0 || last > a.length) {
        throw new IllegalArgumentException(
            name
                + ": a "
                + rows
                + "x"
                + cols
                + " matrix at offset "
                + off
                + " with leading dimension "
                + ld
                + " does not fit an array of "
                + a.length);
      }
    }
  }

  /** col[r, s * P + q] of the lowering, one sample of sampleSize floats per s. */
  private static final class Lowered extends Operand {
    private final Lowering low;
    private final float[] x;
    private final int xOff;
    private final int sampleSize;
    private final int rowOff;
    private final int pos;

    Lowered(Lowering low, float[] x, int xOff, int sampleSize, int rowOff) {
      this.low = low;
      this.x = x;
      this.xOff = xOff;
      this.sampleSize = sampleSize;
      this.rowOff = rowOff;
      this.pos = low.colCols();
    }

    @Override
    void packRows(int i0, int rows, int mr, int p0, int kc, float[] dst, int dOff) {
      for (int p = p0, end = p0 + kc; p < end; ) {
        int s = p / pos;
        int q = p - s * pos;
        int w = Math.min(end - p, pos - q);
        low.lowerBlock(
            x, xOff + s * sampleSize, rowOff + i0, rows, q, w, dst, dOff + (p - p0) * mr, 1, mr);
        p += w;
      }
      zeroTail(dst, dOff, rows, mr, kc);
    }

    @Override
    void packCols(int p0, int kc, int j0, int cols, int nr, float[] dst, int dOff) {
      for (int j = j0, end = j0 + cols; j < end; ) {
        int s = j / pos;
        int q = j - s * pos;
        int w = Math.min(end - j, pos - q);
        low.lowerBlock(
            x, xOff + s * sampleSize, rowOff + p0, kc, q, w, dst, dOff + (j - j0), nr, 1);
        j += w;
      }
      if (cols < nr) {
        for (int p = 0; p < kc; p++) {
          Arrays.fill(dst, dOff + p * nr + cols, dOff + (p + 1) * nr, 0f);
        }
      }
    }

    @Override
    void copyRows(int i0, int rows, int p0, int kc, float[] dst, int dOff, int ld) {
      for (int p = p0, end = p0 + kc; p < end; ) {
        int s = p / pos;
        int q = p - s * pos;
        int w = Math.min(end - p, pos - q);
        low.lowerBlock(
            x, xOff + s * sampleSize, rowOff + i0, rows, q, w, dst, dOff + (p - p0), ld, 1);
        p += w;
      }
    }

    @Override
    void check(String name, int rows, int cols) {
      int samples = (cols + pos - 1) / Math.max(1, pos);
      if (rowOff + rows > low.colRows()
          || cols % Math.max(1, pos) != 0
          || (long) xOff + (long) samples * sampleSize > x.length) {
        throw new IllegalArgumentException(
            name
                + ": "
                + rows
                + " rows from row "
                + rowOff
                + " of "
                + cols / Math.max(1, pos)
                + " lowered samples do not fit a lowering of "
                + low.colRows()
                + " rows and "
                + pos
                + " columns over an array of "
                + x.length);
      }
    }
  }

  /** (r, s * segLen + q) at a[off + s * segStride + taps[r] + q]. */
  static final class Shifted extends Runs {
    final int[] taps;

    Shifted(float[] a, int off, int[] taps, int segLen, int segStride) {
      super(a, off, segLen, segStride);
      this.taps = taps;
    }

    @Override
    int rowStart(int r) {
      return taps[r];
    }

    /**
     * Where columns [j0, j0 + cols) lie in a, from row r at a[start + taps[r]]: the start, or -1
     * when they are not one run in every row (they straddle two samples).
     */
    int runStart(int j0, int cols) {
      int s = j0 / segLen;
      int q = j0 - s * segLen;
      return q + cols <= segLen ? off + s * segStride + q : -1;
    }

    @Override
    void check(String name, int rows, int cols) {
      if (rows == 0 || cols == 0) {
        return;
      }
      int maxTap = 0;
      for (int r = 0; r < Math.min(rows, taps.length); r++) {
        maxTap = Math.max(maxTap, taps[r]);
      }
      int segs = (cols + segLen - 1) / segLen;
      int lastCols = cols - (segs - 1) * segLen;
      long last = (long) off + (long) (segs - 1) * segStride + maxTap + lastCols;
      if (rows > taps.length || off < 0 || last > a.length) {
        throw new IllegalArgumentException(
            name
                + ": a "
                + rows
                + "x"
                + cols
                + " matrix of "
                + taps.length
                + " shifted rows at offset "
                + off
                + " does not fit an array of "
                + a.length);
      }
    }
  }
}

/*
 * The packed, cache-blocked matrix product C = [C +] A x B of Goto and van de Geijn ("Anatomy of
 * high-performance matrix multiplication", ACM TOMS 34(3), 2008) over Operands: a KC x NC block of
 * B is packed into NR-wide panels (kept in L2), an MC x KC block of A into MR-tall panels, and the
 * micro-kernel adds an MR x NR tile of C per call. A shifted operand (a stride-1 convolution's
 * padded images) is not packed: its rows are already contiguous runs, and the kernel reads a
 * whole panel where it lies. C may be batched like an Operand (columns in segments of segLen at
 * segStride apart), so a convolution writes each sample's [Cout, P] output in place; a tile that
 * straddles two segments, or the ragged edge, goes through a small buffer.
 *
 * Threads split C into blocks of whole tiles, along whichever of m and n has more tiles; every
 * element of C is computed with the same sums in the same order whatever the split, so the result
 * does not depend on the thread count.
 */
package org.sparkcnn.engine.kernels;

import java.util.Arrays;

final class PackedGemm {
  private static final int KC = 256;
  private static final int MC_TILES = 12; // MC = 12 * MR rows of A per block: stay in L2
  private static final int NC = 1024; // KC x NC floats of B: 1 MiB
  private static final long SERIAL_BELOW = 1L << 20; // multiply-adds: not worth a second thread
  private static final int A_ONCE = 1 << 18; // floats of packed A: up to 1 MiB is packed once

  /** Where C lives: (i, s * segLen + q) at off + s * segStride + i * ld + q. */
  record Out(float[] c, int off, int ld, int segLen, int segStride) {
    static Out dense(float[] c, int off, int ld) {
      return new Out(c, off, ld, Integer.MAX_VALUE, 0);
    }

    int at(int i, int j) {
      int s = j / segLen;
      return off + s * segStride + i * ld + (j - s * segLen);
    }

    void check(int rows, int cols) {
      if (rows == 0 || cols == 0) {
        return;
      }
      int last = at(rows - 1, cols - 1) + 1;
      if (ld < Math.min(segLen, cols) || off < 0 || last > c.length || last < 0) {
        throw new IllegalArgumentException(
            "C: a "
                + rows
                + "x"
                + cols
                + " matrix at offset "
                + off
                + " with leading dimension "
                + ld
                + " does not fit an array of "
                + c.length);
      }
    }
  }

  /** Per-thread packing buffers and the tile for edges, sized for one kernel shape. */
  private static final class Scratch {
    final float[] a;
    final float[] b;
    final float[] tile;
    float[] aAll = new float[0]; // all of a small A, packed once

    Scratch(MicroKernel k) {
      a = new float[MC_TILES * k.mr * KC];
      b = new float[KC * NC];
      tile = new float[k.mr * k.nr];
    }
  }

  private static final ThreadLocal<Scratch> SCRATCH = new ThreadLocal<>();

  private PackedGemm() {}

  /** C[m, n] = (accumulate ? C : 0) + A[m, k] x B[k, n], on Parallel's threads. */
  static void multiply(
      MicroKernel kern, int m, int n, int k, Operand a, Operand b, Out c, boolean accumulate) {
    int rowTiles = (m + kern.mr - 1) / kern.mr;
    int colTiles = (n + kern.nr - 1) / kern.nr;
    boolean byCols = colTiles >= rowTiles;
    int parts =
        (long) m * n * k < SERIAL_BELOW
            ? 1
            : Math.min(Parallel.parts(), byCols ? colTiles : rowTiles);
    Parallel.forEach(
        parts,
        t -> {
          int i0 = byCols ? 0 : Parallel.split(m, parts, kern.mr, t);
          int i1 = byCols ? m : Parallel.split(m, parts, kern.mr, t + 1);
          int j0 = byCols ? Parallel.split(n, parts, kern.nr, t) : 0;
          int j1 = byCols ? Parallel.split(n, parts, kern.nr, t + 1) : n;
          if (k == 0 && !accumulate) {
            clear(c, i0, i1, j0, j1);
          }
          block(kern, i0, i1, j0, j1, k, a, b, c, accumulate);
        });
  }

  /** C[i0..i1, j0..j1) = 0, row by row in each segment. */
  static void clear(Out c, int i0, int i1, int j0, int j1) {
    for (int j = j0; j < j1; ) {
      int s = j / c.segLen;
      int q = j - s * c.segLen;
      int w = Math.min(j1 - j, c.segLen - q);
      for (int i = i0; i < i1; i++) {
        int at = c.at(i, j);
        Arrays.fill(c.c, at, at + w, 0f);
      }
      j += w;
    }
  }

  /** C[i0..i1, j0..j1) (+)= A[i0..i1, :] x B[:, j0..j1): the first k block stores unless adding. */
  private static void block(
      MicroKernel kern,
      int i0,
      int i1,
      int j0,
      int j1,
      int k,
      Operand a,
      Operand b,
      Out c,
      boolean accumulate) {
    Scratch s = SCRATCH.get();
    if (s == null || s.tile.length != kern.mr * kern.nr) {
      s = new Scratch(kern);
      SCRATCH.set(s);
    }
    int mr = kern.mr;
    int nr = kern.nr;
    int mcMax = MC_TILES * mr;
    Operand.Shifted shifted = b instanceof Operand.Shifted sh ? sh : null;
    // a small A (a convolution's weights) is packed once for all column blocks: k blocks of
    // mPad rows, the ic blocks one after the other in each
    int mPad = (i1 - i0 + mr - 1) / mr * mr;
    boolean aOnce = (long) mPad * k <= A_ONCE;
    float[] ap = s.a;
    if (aOnce) {
      if (s.aAll.length < mPad * k) {
        s.aAll = new float[mPad * k];
      }
      ap = s.aAll;
      for (int pc = 0; pc < k; pc += KC) {
        int kc = Math.min(KC, k - pc);
        for (int ir = 0; ir < i1 - i0; ir += mr) {
          a.packRows(i0 + ir, Math.min(mr, i1 - i0 - ir), mr, pc, kc, ap, pc * mPad + ir * kc);
        }
      }
    }
    for (int jc = j0; jc < j1; jc += NC) {
      int nc = Math.min(NC, j1 - jc);
      for (int pc = 0; pc < k; pc += KC) {
        int kc = Math.min(KC, k - pc);
        boolean store = pc == 0 && !accumulate;
        for (int jr = 0; jr < nc; jr += nr) {
          int cols = Math.min(nr, nc - jr);
          if (shifted == null || cols < nr || shifted.runStart(jc + jr, cols) < 0) {
            b.packCols(pc, kc, jc + jr, cols, nr, s.b, jr * kc);
          }
        }
        for (int ic = i0; ic < i1; ic += mcMax) {
          int mc = Math.min(mcMax, i1 - ic);
          int aOff = aOnce ? pc * mPad + (ic - i0) * kc : 0;
          for (int ir = 0; !aOnce && ir < mc; ir += mr) {
            a.packRows(ic + ir, Math.min(mr, mc - ir), mr, pc, kc, ap, ir * kc);
          }
          for (int jr = 0; jr < nc; jr += nr) {
            int cols = Math.min(nr, nc - jr);
            int j = jc + jr;
            int seg = j / c.segLen;
            boolean inOneSegment = j - seg * c.segLen + cols <= c.segLen;
            // B's panel where it lies (a whole panel of a shifted operand), or as packed
            int start = shifted == null || cols < nr ? -1 : shifted.runStart(j, cols);
            float[] bp = start < 0 ? s.b : shifted.a;
            int bOff = start < 0 ? jr * kc : start;
            int[] bRows = start < 0 ? null : shifted.taps;
            int r0 = start < 0 ? 0 : pc;
            for (int ir = 0; ir < mc; ir += mr) {
              int rows = Math.min(mr, mc - ir);
              if (rows == mr && cols == nr && inOneSegment) {
                kern.run(
                    kc,
                    ap,
                    aOff + ir * kc,
                    bp,
                    bOff,
                    bRows,
                    r0,
                    c.c,
                    c.at(ic + ir, j),
                    c.ld,
                    store);
              } else {
                kern.run(kc, ap, aOff + ir * kc, bp, bOff, bRows, r0, s.tile, 0, nr, true);
                scatter(s.tile, nr, rows, cols, c, ic + ir, j, store);
              }
            }
          }
        }
      }
    }
  }

  /** C[i.., j..] (+)= tile[rows, cols] (row stride nr), column by column through the segments. */
  private static void scatter(
      float[] tile, int nr, int rows, int cols, Out c, int i, int j, boolean store) {
    int seg = j / c.segLen;
    if (j - seg * c.segLen + cols <= c.segLen) { // one segment: rows of C are contiguous
      int at = c.at(i, j);
      for (int ii = 0; ii < rows; ii++) {
        for (int jj = 0; jj < cols; jj++) {
          int x = at + ii * c.ld + jj;
          c.c[x] = (store ? 0f : c.c[x]) + tile[ii * nr + jj];
        }
      }
      return;
    }
    for (int jj = 0; jj < cols; jj++) {
      int at = c.at(i, j + jj);
      for (int ii = 0; ii < rows; ii++) {
        int x = at + ii * c.ld;
        c.c[x] = (store ? 0f : c.c[x]) + tile[ii * nr + jj];
      }
    }
  }
}

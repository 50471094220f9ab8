/*
 * The vector kernel of TapProducts: an 8 x (2 vectors) tile of dW^T in 16 registers, as in
 * VectorKernel, but with the roles turned: each step of k (an output position) loads two vectors
 * of dY^T and broadcasts eight taps of the input grid, read where they lie. The position walks
 * row after row in the same loop (a second, nested loop would box the sums, see VectorKernel),
 * stepping over the grid's padding at each row's end and to the next sample at its last row. k
 * runs in blocks of KC positions, whose 32 columns of dY^T stay in L1 while the tiles of taps
 * pass over them; a tile adds each block into C, read and blended as VectorKernel does. Rows of
 * taps past m (a ragged last tile) repeat the last tap and land in a per-thread tile, of which
 * only the real rows are copied out. Every element is one sum over the positions in order,
 * whatever the threads.
 */
package org.sparkcnn.engine.kernels;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

final class TapKernel {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  static final int MR = 8; // taps per tile
  static final int NR = 2 * L; // output channels per tile
  // positions per k block: 256 x 32 floats of dY^T, 32 KiB, stay in L1 for all tiles of taps
  private static final int KC = 256;
  private static final long SERIAL_BELOW = 1L << 20;
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /** A tile's taps, and the ragged tile's sums, per thread. */
  private static final class Scratch {
    final int[] taps = new int[MR];
    float[] ragged = new float[0];
  }

  private TapKernel() {}

  static void multiply(
      int m,
      int n,
      float[] x,
      int xOff,
      int[] taps,
      TapProducts.Walk walk,
      float[] dyt,
      int dOff,
      int ldd,
      float[] c,
      int cOff) {
    int tiles = (m + MR - 1) / MR;
    int parts =
        (long) m * n * walk.positions() < SERIAL_BELOW ? 1 : Math.min(Parallel.parts(), tiles);
    Parallel.forEach(
        parts,
        t ->
            tiles(
                Parallel.split(m, parts, MR, t),
                Parallel.split(m, parts, MR, t + 1),
                n,
                x,
                xOff,
                taps,
                walk,
                dyt,
                dOff,
                ldd,
                c,
                cOff));
  }

  /** Rows [i0, i1) of C: whole tiles, then the ragged rest. */
  private static void tiles(
      int i0,
      int i1,
      int n,
      float[] x,
      int xOff,
      int[] taps,
      TapProducts.Walk walk,
      float[] dyt,
      int dOff,
      int ldd,
      float[] c,
      int cOff) {
    if (i0 >= i1) {
      return;
    }
    int k = walk.positions();
    if (k == 0) {
      Arrays.fill(c, cOff + i0 * n, cOff + i1 * n, 0f);
      return;
    }
    int full = i0 + (i1 - i0) / MR * MR;
    int rest = i1 - full;
    // a ragged tile repeats its last tap and lands in a per-thread tile
    Scratch scratch = SCRATCH.get();
    int[] t = scratch.taps;
    if (scratch.ragged.length < MR * n) {
      scratch.ragged = new float[MR * n];
    }
    float[] rag = scratch.ragged;
    int cols = walk.cols();
    int rows = walk.rows();
    int perSample = rows * cols;
    int rowJump = walk.rowStep() - cols;
    int sampleJump = walk.sampleStep() - rows * walk.rowStep();
    for (int q0 = 0; q0 < k; q0 += KC) {
      int kc = Math.min(KC, k - q0);
      int s = q0 / perSample;
      int r = q0 % perSample / cols;
      int col = q0 % cols;
      int xo = xOff + s * walk.sampleStep() + r * walk.rowStep() + col;
      boolean first = q0 == 0;
      for (int jb = 0; jb < n; jb += NR) {
        int d = dOff + q0 * ldd + jb;
        for (int ib = i0; ib < i1; ib += MR) {
          for (int i = 0; i < MR; i++) {
            t[i] = taps[Math.min(ib + i, i1 - 1)];
          }
          float[] to = ib < full ? c : rag;
          int at = ib < full ? cOff + ib * n + jb : jb;
          kernel(
              kc,
              x,
              xo,
              col,
              r,
              cols,
              rowJump,
              rows,
              sampleJump,
              t[0],
              t[1],
              t[2],
              t[3],
              t[4],
              t[5],
              t[6],
              t[7],
              dyt,
              d,
              ldd,
              to,
              at,
              n,
              first);
        }
      }
    }
    if (rest > 0) {
      System.arraycopy(rag, 0, c, cOff + full * n, rest * n);
    }
  }

  /**
   * C[cOff + i * ldc + (0, 2L)] (+)= sum over kc positions of x[xo + t_i] * d[dOff + q * ldd + (0,
   * 2L)] for the eight taps t0..t7, the walk starting at (row, col) with xo on the grid.
   */
  private static void kernel(
      int kc,
      float[] x,
      int xo,
      int col,
      int row,
      int cols,
      int rowJump,
      int rows,
      int sampleJump,
      int t0,
      int t1,
      int t2,
      int t3,
      int t4,
      int t5,
      int t6,
      int t7,
      float[] d,
      int dOff,
      int ldd,
      float[] c,
      int cOff,
      int ldc,
      boolean overwrite) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S);
    FloatVector c41 = FloatVector.zero(S);
    FloatVector c50 = FloatVector.zero(S);
    FloatVector c51 = FloatVector.zero(S);
    FloatVector c60 = FloatVector.zero(S);
    FloatVector c61 = FloatVector.zero(S);
    FloatVector c70 = FloatVector.zero(S);
    FloatVector c71 = FloatVector.zero(S);
    for (int q = 0, di = dOff; q < kc; q++, di += ldd) {
      FloatVector b0 = FloatVector.fromArray(S, d, di);
      FloatVector b1 = FloatVector.fromArray(S, d, di + L);
      FloatVector a = FloatVector.broadcast(S, x[xo + t0]);
      c00 = b0.fma(a, c00);
      c01 = b1.fma(a, c01);
      a = FloatVector.broadcast(S, x[xo + t1]);
      c10 = b0.fma(a, c10);
      c11 = b1.fma(a, c11);
      a = FloatVector.broadcast(S, x[xo + t2]);
      c20 = b0.fma(a, c20);
      c21 = b1.fma(a, c21);
      a = FloatVector.broadcast(S, x[xo + t3]);
      c30 = b0.fma(a, c30);
      c31 = b1.fma(a, c31);
      a = FloatVector.broadcast(S, x[xo + t4]);
      c40 = b0.fma(a, c40);
      c41 = b1.fma(a, c41);
      a = FloatVector.broadcast(S, x[xo + t5]);
      c50 = b0.fma(a, c50);
      c51 = b1.fma(a, c51);
      a = FloatVector.broadcast(S, x[xo + t6]);
      c60 = b0.fma(a, c60);
      c61 = b1.fma(a, c61);
      a = FloatVector.broadcast(S, x[xo + t7]);
      c70 = b0.fma(a, c70);
      c71 = b1.fma(a, c71);
      xo++;
      if (++col == cols) { // the row's last position: over the padding, maybe to the next sample
        col = 0;
        xo += rowJump;
        if (++row == rows) {
          row = 0;
          xo += sampleJump;
        }
      }
    }
    // C is read also when overwritten: its lanes are replaced by zeros (never NaN * 0); no
    // branch, so C2 never deoptimises on a first add (see VectorKernel)
    VectorMask<Float> fresh = S.maskAll(overwrite);
    int r = cOff;
    FloatVector.fromArray(S, c, r).blend(0f, fresh).add(c00).intoArray(c, r);
    FloatVector.fromArray(S, c, r + L).blend(0f, fresh).add(c01).intoArray(c, r + L);
    r += ldc;
    FloatVector.fromArray(S, c, r).blend(0f, fresh).add(c10).intoArray(c, r);
    FloatVector.fromArray(S, c, r + L).blend(0f, fresh).add(c11).intoArray(c, r + L);
    r += ldc;
    FloatVector.fromArray(S, c, r).blend(0f, fresh).add(c20).intoArray(c, r);
    FloatVector.fromArray(S, c, r + L).blend(0f, fresh).add(c21).intoArray(c, r + L);
    r += ldc;
    FloatVector.fromArray(S, c, r).blend(0f, fresh).add(c30).intoArray(c, r);
    FloatVector.fromArray(S, c, r + L).blend(0f, fresh).add(c31).intoArray(c, r + L);
    r += ldc;
    FloatVector.fromArray(S, c, r).blend(0f, fresh).add(c40).intoArray(c, r);
    FloatVector.fromArray(S, c, r + L).blend(0f, fresh).add(c41).intoArray(c, r + L);
    r += ldc;
    FloatVector.fromArray(S, c, r).blend(0f, fresh).add(c50).intoArray(c, r);
    FloatVector.fromArray(S, c, r + L).blend(0f, fresh).add(c51).intoArray(c, r + L);
    r += ldc;
    FloatVector.fromArray(S, c, r).blend(0f, fresh).add(c60).intoArray(c, r);
    FloatVector.fromArray(S, c, r + L).blend(0f, fresh).add(c61).intoArray(c, r + L);
    r += ldc;
    FloatVector.fromArray(S, c, r).blend(0f, fresh).add(c70).intoArray(c, r);
    FloatVector.fromArray(S, c, r + L).blend(0f, fresh).add(c71).intoArray(c, r + L);
  }
}

/*
 * The operand forms of the packed GEMM against the triple loop, and its threads: batched columns
 * (a [n, C, P] batch read as [C, n*P]) and segmented outputs, lowered convolution inputs and their
 * transposes (also multiplied along rows, DotGemm) against an explicit im2col matrix, on odd sizes (1, 3, 17, 33, 65 and tiles that
 * straddle samples); and the same products on 1, 2 and 3 threads, which must agree bit for bit.
 */
package org.sparkcnn.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sparkcnn.engine.Rng;

class PackedGemmTest {
  @AfterEach
  void oneThread() {
    Parallel.exit(null);
  }

  @Test
  void batchedOperandsAndSegmentedOutputMatchTheReference() {
    Rng rng = Rng.of(21);
    for (int[] s :
        new int[][] {
          {1, 1, 1, 1},
          {3, 17, 5, 2},
          {17, 33, 1, 3},
          {33, 3, 65, 2},
          {65, 17, 33, 3},
          {7, 1, 300, 4}
        }) {
      int m = s[0];
      int k = s[1];
      int p = s[2]; // positions per sample
      int n = s[3]; // samples
      // A[m, k] dense; B = x[n, k, p] read as [k, n*p]; C = y[n, m, p] written as [m, n*p]
      float[] a = random(rng, m * k);
      float[] x = random(rng, n * k * p);
      float[] y = random(rng, n * m * p);
      float[] want = new float[y.length];
      for (int i = 0; i < m; i++) {
        for (int sample = 0; sample < n; sample++) {
          for (int q = 0; q < p; q++) {
            float sum = 0f;
            for (int t = 0; t < k; t++) {
              sum += a[i * k + t] * x[sample * k * p + t * p + q];
            }
            want[sample * m * p + i * p + q] = sum;
          }
        }
      }
      Gemm.multiply(
          Gemm.IMPL,
          m,
          n * p,
          k,
          Operand.dense(a, 0, k),
          Operand.batched(x, 0, p, p, k * p),
          y,
          0,
          p,
          p,
          m * p,
          false);
      assertClose(want, y, k, "batched m=" + m + " k=" + k + " p=" + p + " n=" + n);
    }
  }

  @Test
  void loweredOperandsMatchAnExplicitColumnMatrix() {
    Rng rng = Rng.of(22);
    for (ConvGeometry g :
        new ConvGeometry[] {
          ConvGeometry.square(3, 7, 7, 3, 1, 1),
          ConvGeometry.square(2, 9, 5, 5, 2, 2),
          new ConvGeometry(4, 17, 3, 3, 2, 1, 2, 1, 0, 2, 1),
          ConvGeometry.square(1, 1, 1, 1, 1, 0),
          ConvGeometry.square(5, 33, 33, 3, 1, 1)
        }) {
      int n = 3;
      int rows = g.colRows();
      int pos = g.colCols();
      int size = g.c() * g.h() * g.w();
      float[] x = random(rng, n * size);
      float[] col = new float[rows * n * pos]; // [rows, n*pos]
      float[] one = new float[rows * pos];
      for (int s = 0; s < n; s++) {
        g.im2col(x, s * size, one);
        for (int r = 0; r < rows; r++) {
          System.arraycopy(one, r * pos, col, r * n * pos + s * pos, pos);
        }
      }
      int m = 5;
      float[] w = random(rng, m * rows);
      // forward form: W[m, rows] x col[rows, n*pos]
      float[] got = new float[m * n * pos];
      float[] want = new float[m * n * pos];
      Gemm.multiply(
          Gemm.IMPL,
          m,
          n * pos,
          rows,
          Operand.dense(w, 0, rows),
          Operand.lowered(g, x, 0, size, 0),
          got,
          0,
          n * pos,
          n * pos,
          0,
          false);
      Gemm.reference(
          false, false, m, n * pos, rows, w, 0, rows, col, 0, n * pos, 0f, want, 0, n * pos);
      assertClose(want, got, rows, "lowered " + g);
      // weight-gradient form: D[m, n*pos] x col^T[n*pos, rows]
      float[] d = random(rng, m * n * pos);
      float[] gotT = new float[m * rows];
      float[] wantT = new float[m * rows];
      Gemm.multiply(
          Gemm.IMPL,
          m,
          rows,
          n * pos,
          Operand.dense(d, 0, n * pos),
          Operand.lowered(g, x, 0, size, 0).transpose(),
          gotT,
          0,
          rows,
          rows,
          0,
          false);
      Gemm.reference(
          false, true, m, rows, n * pos, d, 0, n * pos, col, 0, n * pos, 0f, wantT, 0, rows);
      assertClose(wantT, gotT, n * pos, "lowered^T " + g);
      // the same along rows (DotGemm on the vector path), on each implementation
      for (Gemm.Impl impl : Gemm.Impl.values()) {
        float[] gotDot = random(rng, m * rows);
        Gemm.multiplyTransposed(
            impl,
            m,
            rows,
            n * pos,
            Operand.batched(d, 0, n * pos, pos, pos),
            Operand.lowered(g, x, 0, size, 0),
            PackedGemm.Out.dense(gotDot, 0, rows),
            false);
        assertClose(wantT, gotDot, n * pos, impl + " dot " + g);
      }
    }
  }

  @Test
  void runsMultipliedAlongRowsInPlaceMatchTheReference() {
    // dW's form on the implicit path: dY[n, m, len] read as [m, n*len] times shifted rows of x,
    // row r of sample s at x[s * stride + taps[r]]: DotGemm reads both where they lie when len is
    // a whole number of vectors (16, 80, and 2064, which is cut into pieces), copies otherwise (17)
    Rng rng = Rng.of(24);
    for (int[] s :
        new int[][] {
          {1, 1, 16, 1},
          {3, 7, 80, 3},
          {17, 9, 80, 30},
          {5, 11, 2064, 2},
          {4, 10, 16, 60},
          {3, 7, 17, 4}
        }) {
      int m = s[0];
      int rows = s[1];
      int len = s[2];
      int n = s[3];
      int[] taps = new int[rows];
      for (int r = 0; r < rows; r++) {
        taps[r] = (int) (rng.uniform(0f, 1f) * 40);
      }
      int stride = len + 45;
      float[] dy = random(rng, n * m * len);
      float[] x = random(rng, n * stride);
      double[] want = new double[m * rows];
      for (int i = 0; i < m; i++) {
        for (int r = 0; r < rows; r++) {
          for (int smp = 0; smp < n; smp++) {
            for (int q = 0; q < len; q++) {
              want[i * rows + r] +=
                  (double) dy[smp * m * len + i * len + q] * x[smp * stride + taps[r] + q];
            }
          }
        }
      }
      float[] first = null;
      for (int threads = 1; threads <= 3; threads++) {
        Parallel.of(threads).enter();
        float[] got = random(rng, m * rows);
        Gemm.multiplyTransposed(
            Gemm.IMPL,
            m,
            rows,
            n * len,
            Operand.batched(dy, 0, len, len, m * len),
            Operand.shifted(x, 0, taps, len, stride),
            got,
            0,
            rows,
            false);
        String what = "m=" + m + " rows=" + rows + " len=" + len + " n=" + n;
        for (int e = 0; e < want.length; e++) {
          assertEquals(want[e], got[e], 1e-4 * Math.sqrt(n * len), what + " element " + e);
        }
        if (first == null) {
          first = got;
        } else {
          assertArrayEquals(first, got, threads + " threads, " + what);
        }
      }
    }
  }

  @Test
  void threadsDoNotChangeOneBit() {
    Rng rng = Rng.of(23);
    for (int[] s :
        new int[][] {
          {1, 1, 1}, {3, 17, 33}, {65, 33, 17}, {17, 300, 65}, {97, 2050, 257}, {300, 3, 65}
        }) {
      int m = s[0];
      int n = s[1];
      int k = s[2];
      float[] a = random(rng, m * k);
      float[] b = random(rng, k * n);
      float[] c0 = random(rng, m * n);
      float[] want = null;
      for (int threads = 1; threads <= 3; threads++) {
        Parallel.of(threads).enter();
        for (boolean transB : new boolean[] {false, true}) {
          float[] c = c0.clone();
          Gemm.sgemm(false, transB, m, n, k, a, 0, k, b, 0, transB ? k : n, 1f, c, 0, n);
          if (!transB) {
            if (want == null) {
              want = c;
            } else {
              assertArrayEquals(want, c, threads + " threads, " + m + "x" + n + "x" + k);
            }
          }
        }
      }
    }
  }

  @Test
  void splitCoversTheRangeInWholeUnits() {
    assertEquals(0, Parallel.split(100, 3, 32, 0));
    assertEquals(32, Parallel.split(100, 3, 32, 1));
    assertEquals(64, Parallel.split(100, 3, 32, 2));
    assertEquals(100, Parallel.split(100, 3, 32, 3));
    assertEquals(1, Parallel.split(1, 2, 6, 2));
  }

  private static void assertClose(float[] want, float[] got, int terms, String what) {
    double tol = 2e-6 * (terms + 1);
    for (int i = 0; i < want.length; i++) {
      if (!(Math.abs(want[i] - got[i]) <= tol)) {
        throw new AssertionError(what + ": [" + i + "] = " + got[i] + ", expected " + want[i]);
      }
    }
  }

  private static float[] random(Rng rng, int len) {
    float[] x = new float[len];
    for (int i = 0; i < len; i++) {
      x[i] = rng.uniform(-1f, 1f);
    }
    return x;
  }
}

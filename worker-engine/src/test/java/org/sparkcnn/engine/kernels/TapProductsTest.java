/*
 * The tap products of a grid convolution's weight gradient: the vector kernel against the plain
 * loop (reference) on walks whose k blocks start mid-row and mid-sample, ragged tiles of taps,
 * offsets and strides on every operand, and 1 to 3 threads (the same bits); transpose against
 * its definition; and the errors of arguments the kernel cannot take.
 */
package org.sparkcnn.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sparkcnn.engine.Rng;

class TapProductsTest {
  /** Output channels of one tile: 32 with AVX-512, 16 with AVX2. */
  private static final int TILE = tile();

  @AfterEach
  void oneThread() {
    Parallel.exit(null);
  }

  @Test
  void theKernelMatchesThePlainLoop() {
    assumeTrue(TILE > 0, "the vector build is absent: the tap products do not run");
    Rng rng = Rng.of(21);
    // {taps, channels, samples, rows, cols, rowStep - cols, sampleStep - rows * rowStep}
    for (int[] c :
        new int[][] {
          {8, TILE, 1, 1, 1, 0, 0},
          {13, TILE, 3, 5, 7, 2, 9},
          {27, 2 * TILE, 3, 9, 31, 3, 0},
          {72, 2 * TILE, 4, 8, 8, 2, 20},
          {5, TILE, 2, 17, 33, 0, 1}
        }) {
      int m = c[0];
      int n = c[1];
      TapProducts.Walk walk =
          new TapProducts.Walk(c[2], c[3], c[4], c[4] + c[5], c[3] * (c[4] + c[5]) + c[6]);
      int[] taps = new int[m];
      for (int i = 0; i < m; i++) {
        taps[i] = rng.nextInt(40); // any offsets: rows of taps may overlap
      }
      float[] x = random(rng, 3 + walk.samples() * walk.sampleStep() + 40);
      int ldd = n + 5;
      float[] dyt = random(rng, 2 + walk.positions() * ldd);
      float[] want = new float[4 + m * n + 4];
      TapProducts.reference(m, n, x, 3, taps, walk, dyt, 2, ldd, want, 4);
      float[] one = null;
      for (int threads = 1; threads <= 3; threads++) {
        Parallel.of(threads).enter();
        float[] got = new float[want.length];
        got[0] = 7f;
        got[got.length - 1] = 9f;
        TapProducts.weightGrad(m, n, x, 3, taps, walk, dyt, 2, ldd, got, 4);
        String at = m + " taps x " + n + " channels over " + walk + " on " + threads + " threads";
        assertEquals(7f, got[0], at + ": before C");
        assertEquals(9f, got[got.length - 1], at + ": after C");
        // |terms| below 1: float sums of k terms agree within k ulps of 1
        double tol = 2e-7 * walk.positions();
        for (int i = 4; i < 4 + m * n; i++) {
          assertEquals(want[i], got[i], tol, at + ": element " + (i - 4));
        }
        if (one == null) {
          one = got;
        } else {
          assertArrayEquals(one, got, at + ": the same bits as on one thread");
        }
      }
    }
  }

  @Test
  void transposeTurnsEachSamplesBlock() {
    Rng rng = Rng.of(22);
    int samples = 3;
    int channels = 5;
    int plane = 7;
    int stride = channels * plane + 4;
    float[] dy = random(rng, 2 + samples * stride);
    float[] dyt = new float[samples * plane * channels];
    TapProducts.transpose(dy, 2, samples, channels, plane, stride, dyt);
    for (int s = 0; s < samples; s++) {
      for (int o = 0; o < channels; o++) {
        for (int q = 0; q < plane; q++) {
          assertEquals(
              dy[2 + s * stride + o * plane + q],
              dyt[(s * plane + q) * channels + o],
              "sample " + s + ", channel " + o + ", position " + q);
        }
      }
    }
  }

  @Test
  void argumentsItCannotTakeAreRefused() {
    TapProducts.Walk walk = new TapProducts.Walk(1, 2, 3, 3, 6);
    float[] a = new float[64];
    if (TILE > 0) {
      assertTrue(TapProducts.handles(TILE));
      assertFalse(TapProducts.handles(TILE / 2), "half a tile");
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  TapProducts.weightGrad(
                      2, TILE + 1, a, 0, new int[] {0, 1}, walk, a, 0, TILE + 1, a, 0));
      assertTrue(e.getMessage().contains("whole tiles of " + TILE + " channels"), e.getMessage());
    } else {
      assertFalse(TapProducts.handles(32), "the scalar build has no tap products");
    }
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new TapProducts.Walk(1, 2, 3, 2, 6));
    assertTrue(e.getMessage().contains("within rowStep"), e.getMessage());
  }

  private static int tile() {
    for (int n = 4; n <= 64; n *= 2) {
      if (TapProducts.handles(n)) {
        return n;
      }
    }
    return 0;
  }

  private static float[] random(Rng rng, int len) {
    float[] v = new float[len];
    for (int i = 0; i < len; i++) {
      v[i] = rng.nextFloat() * 2 - 1;
    }
    return v;
  }
}

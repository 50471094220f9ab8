/*
 * JpegIdct's shortcuts and its Vector API column pass against its plain scalar sums: every way
 * through (DC only, the top-left quarter, top rows, left columns, full; scalar or vector columns)
 * gives the bits of the full scalar IDCT, and declines the same blocks (values outside the range
 * where libjpeg's C and SIMD builds agree), on random blocks of typical and of extreme
 * coefficients. A DC-only block of level 0 decodes to 128 everywhere.
 */
package org.sparkcnn.data.jpeg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparkcnn.engine.Rng;

class JpegIdctTest {
  private static final int FULL = 1 | 4 | 32; // JpegEntropy.decode's shape of a block with all AC

  /** A random block whose non-zero AC lie in rows < rows, columns < cols; its shape. */
  private static int block(Rng r, int[] in, int rows, int cols, int magnitude) {
    java.util.Arrays.fill(in, 0);
    in[0] = r.nextInt(2 * magnitude) - magnitude;
    int shape = 0;
    for (int i = 1; i < 64; i++) {
      if (i / 8 < rows && i % 8 < cols && r.nextInt(3) == 0) {
        in[i] = r.nextInt(2 * magnitude) - magnitude;
        shape |= in[i] != 0 ? i : 0;
      }
    }
    return shape == 0 ? 0 : 1 | shape & 36;
  }

  @Test
  void everyPathGivesTheFullScalarSumsBits() {
    Rng r = Rng.of(11);
    int[] in = new int[64];
    int[] ws = new int[64];
    byte[] expected = new byte[64 * 3];
    byte[] got = new byte[64 * 3];
    int declined = 0;
    for (int t = 0; t < 20000; t++) {
      int rows = 1 + r.nextInt(8);
      int cols = 1 + r.nextInt(8);
      int magnitude = t % 10 == 0 ? 32767 * 255 : t % 2 == 0 ? 64 : 2048; // 16-bit x 8-bit
      int shape = block(r, in, rows, cols, magnitude);
      int[] copy = in.clone();
      boolean same = JpegIdct.islow(copy, ws, expected, 5, 24, FULL, false);
      for (boolean vector : new boolean[] {false, true}) {
        java.util.Arrays.fill(got, (byte) 0);
        boolean ok =
            shape == 0
                ? JpegIdct.dcOnly(in[0], got, 5, 24)
                : JpegIdct.islow(in, ws, got, 5, 24, shape, vector);
        assertEquals(same, ok, "block " + t + ": within the range where libjpeg builds agree");
        declined += ok ? 0 : 1;
        for (int y = 0; y < 8 && ok; y++) {
          for (int x = 0; x < 8; x++) {
            int i = 5 + y * 24 + x;
            if (got[i] != expected[i]) {
              throw new AssertionError(
                  "block "
                      + t
                      + " shape "
                      + shape
                      + " vector "
                      + vector
                      + " at "
                      + y
                      + ","
                      + x
                      + ": "
                      + got[i]
                      + " != "
                      + expected[i]);
            }
          }
        }
        assertArrayEquals(copy, in, "the coefficients are left as they were");
      }
    }
    assertTrue(declined > 1000 && declined < 20000, declined + " blocks out of range");
  }

  @Test
  void aZeroBlockIsMidGrey() {
    byte[] out = new byte[64];
    JpegIdct.dcOnly(0, out, 0, 8);
    for (byte b : out) {
      assertEquals(128, b & 0xFF);
    }
  }
}

/*
 * libjpeg 6b's default inverse DCT (jidctint.c, JDCT_ISLOW), re-written in Java so that
 * JpegWindowDecoder gives the very samples the JDK's ImageIO gives: a separable 8x8 IDCT in 32-bit
 * integers with 13 fraction bits for the constants (CONST_BITS) and 2 extra bits kept between the
 * column and the row pass (PASS1_BITS), the same rounding, the same shortcuts for all-zero columns
 * and rows (which give the same bits as the full sums), and the range-limit table of jdmaster.c
 * (prepare_range_limit_table) that maps the centred result, wrapped to 10 bits, to a sample. The
 * column pass runs on the Vector API (VectorIdct, the same bits) where it is available.
 * The JDK's ImageIO may instead run libjpeg-turbo (Debian's JDK links the system library), whose
 * SIMD IDCT keeps values in 16-bit lanes and saturates where the C code wraps: the two agree
 * while every dequantised coefficient and every column-pass value lies in [-2^14, 2^14) and every
 * result in [-512, 512), always so in a sound 8-bit file. Outside that range a block is refused
 * (false), and the caller leaves the file to ImageIO, whichever library it runs.
 */
package org.sparkcnn.data.jpeg;

import org.slf4j.LoggerFactory;

final class JpegIdct {
  // jdmaster.c's post-IDCT table, indexed by (value - 128 centred) & 1023: 0..127 -> 128..255,
  // 128..511 -> 255 (too bright), 512..895 -> 0 (too dark), 896..1023 -> 0..127
  static final byte[] LIMIT = new byte[1024];

  static {
    for (int i = 0; i < 1024; i++) {
      LIMIT[i] = (byte) (i < 128 ? i + 128 : i < 512 ? 255 : i < 896 ? 0 : i - 896);
    }
  }

  // the constants of jidctint.c: round(c * 2^13)
  static final int F0_298 = 2446;
  static final int F0_390 = 3196;
  static final int F0_541 = 4433;
  static final int F0_765 = 6270;
  static final int F0_899 = 7373;
  static final int F1_175 = 9633;
  static final int F1_501 = 12299;
  static final int F1_847 = 15137;
  static final int F1_961 = 16069;
  static final int F2_053 = 16819;
  static final int F2_562 = 20995;
  static final int F3_072 = 25172;

  // the column pass on the Vector API (VectorIdct) when it is there (picked once, logged)
  static final boolean VECTOR = vectorColumns();

  private JpegIdct() {}

  private static boolean vectorColumns() {
    boolean vector;
    try {
      vector = VectorIdct.S.length() == 8;
    } catch (LinkageError e) {
      vector = false; // no jdk.incubator.vector at run time: the scalar columns
    }
    LoggerFactory.getLogger(JpegIdct.class)
        .info("sparkcnn JPEG IDCT columns: {}", vector ? "vector" : "scalar");
    return vector;
  }

  /**
   * The 8x8 samples of a block whose only non-zero coefficient is its dequantised DC, dq; false
   * (out untouched) where the builds of libjpeg part (|dq << 2| over 2^14).
   */
  static boolean dcOnly(int dq, byte[] out, int off, int stride) {
    if (dq < -4096 || dq > 4095) {
      return false;
    }
    byte v = LIMIT[((dq << 2) + 16 >> 5) & 1023]; // both passes' shortcuts, as jidctint.c takes
    for (int y = 0; y < 8; y++, off += stride) {
      for (int x = 0; x < 8; x++) {
        out[off + x] = v;
      }
    }
    return true;
  }

  /**
   * out[off + y * stride + x] for y, x < 8 = the samples of the block in: [64] dequantised
   * coefficients in natural (row-major) order, whose non-zero AC all lie in rows < 4 unless (shape
   * & 32) and in columns < 4 unless (shape & 4) (JpegEntropy.decode's result). The zero terms are
   * left out of the sums where the shape says they are zero: the same bits as the full sums, for
   * less work. ws: [64] workspace.
   */
  static boolean islow(int[] in, int[] ws, byte[] out, int off, int stride, int shape) {
    return islow(in, ws, out, off, stride, shape, VECTOR);
  }

  /** islow with the column pass on the Vector API or not (for the parity test). */
  static boolean islow(
      int[] in, int[] ws, byte[] out, int off, int stride, int shape, boolean vector) {
    int cols = (shape & 4) == 0 ? 4 : 8; // columns 4..7 all zero: their pass-1 output is 0
    if (vector) {
      if (!VectorIdct.columns(in, ws)) {
        return false; // a pass-1 value out of 15 bits
      }
    } else {
      if ((shape & 32) == 0) {
        for (int c = 0; c < cols; c++) {
          columnTop(in, ws, c);
        }
      } else {
        for (int c = 0; c < cols; c++) {
          column(in, ws, c);
        }
      }
      int range = 0; // OR of every pass-1 value + 2^14
      for (int k = 0; k < 64; k += 8) {
        for (int c = 0; c < cols; c++) {
          range |= ws[k + c] + 16384;
        }
      }
      if ((range & ~0x7FFF) != 0) {
        return false; // a pass-1 value out of 15 bits
      }
    }
    int range = 0; // OR of every result + 512
    if (cols == 4) {
      for (int r = 0; r < 64; r += 8, off += stride) {
        range |= rowLeft(ws, r, out, off);
      }
    } else {
      for (int r = 0; r < 64; r += 8, off += stride) {
        range |= row(ws, r, out, off);
      }
    }
    return (range & ~1023) == 0; // a result beyond [-512, 512): the builds part
  }

  /** Pass 1 on column c, into ws with PASS1_BITS (2) more bits. */
  private static void column(int[] in, int[] ws, int c) {
    if ((in[8 + c] | in[16 + c] | in[24 + c] | in[32 + c] | in[40 + c] | in[48 + c] | in[56 + c])
        == 0) {
      dcColumn(in[c] << 2, ws, c);
      return;
    }
    int z2 = in[16 + c]; // the even part
    int z3 = in[48 + c];
    int z1 = (z2 + z3) * F0_541;
    int t2 = z1 - z3 * F1_847;
    int t3 = z1 + z2 * F0_765;
    int t0 = (in[c] + in[32 + c]) << 13;
    int t1 = (in[c] - in[32 + c]) << 13;
    int o0 = in[56 + c]; // the odd part: jidctint.c's z1..z5 and tmp0..tmp3
    int o1 = in[40 + c];
    int o2 = in[24 + c];
    int o3 = in[8 + c];
    int q1 = o0 + o3;
    int q2 = o1 + o2;
    int q3 = o0 + o2;
    int q4 = o1 + o3;
    int q5 = (q3 + q4) * F1_175;
    q1 *= -F0_899;
    q2 *= -F2_562;
    q3 = q3 * -F1_961 + q5;
    q4 = q4 * -F0_390 + q5;
    o0 = o0 * F0_298 + q1 + q3;
    o1 = o1 * F2_053 + q2 + q4;
    o2 = o2 * F3_072 + q2 + q3;
    o3 = o3 * F1_501 + q1 + q4;
    storeColumn(t0 + t3, t1 + t2, t1 - t2, t0 - t3, o0, o1, o2, o3, ws, c);
  }

  /** column for a column whose rows 4..7 are zero. */
  private static void columnTop(int[] in, int[] ws, int c) {
    if ((in[8 + c] | in[16 + c] | in[24 + c]) == 0) {
      dcColumn(in[c] << 2, ws, c);
      return;
    }
    int z2 = in[16 + c];
    int z1 = z2 * F0_541;
    int t3 = z1 + z2 * F0_765;
    int t0 = in[c] << 13;
    int o2 = in[24 + c];
    int o3 = in[8 + c];
    int q5 = (o2 + o3) * F1_175;
    int q1 = o3 * -F0_899;
    int q2 = o2 * -F2_562;
    int q3 = o2 * -F1_961 + q5;
    int q4 = o3 * -F0_390 + q5;
    storeColumn(
        t0 + t3,
        t0 + z1,
        t0 - z1,
        t0 - t3,
        q1 + q3,
        q2 + q4,
        o2 * F3_072 + q2 + q3,
        o3 * F1_501 + q1 + q4,
        ws,
        c);
  }

  private static void dcColumn(int dc, int[] ws, int c) {
    for (int k = 0; k < 64; k += 8) {
      ws[k + c] = dc;
    }
  }

  /** ws column c from the even sums t10, t11, t12, t13 and the odd o0..o3, descaled by 11. */
  private static void storeColumn(
      int t10, int t11, int t12, int t13, int o0, int o1, int o2, int o3, int[] ws, int c) {
    ws[c] = (t10 + o3 + 1024) >> 11;
    ws[56 + c] = (t10 - o3 + 1024) >> 11;
    ws[8 + c] = (t11 + o2 + 1024) >> 11;
    ws[48 + c] = (t11 - o2 + 1024) >> 11;
    ws[16 + c] = (t12 + o1 + 1024) >> 11;
    ws[40 + c] = (t12 - o1 + 1024) >> 11;
    ws[24 + c] = (t13 + o0 + 1024) >> 11;
    ws[32 + c] = (t13 - o0 + 1024) >> 11;
  }

  /** Pass 2 on the row at ws[r], into 8 samples at out[off]. */
  private static int row(int[] ws, int r, byte[] out, int off) {
    if ((ws[r + 1] | ws[r + 2] | ws[r + 3] | ws[r + 4] | ws[r + 5] | ws[r + 6] | ws[r + 7]) == 0) {
      return dcRow(ws[r], out, off);
    }
    int z2 = ws[r + 2];
    int z3 = ws[r + 6];
    int z1 = (z2 + z3) * F0_541;
    int t2 = z1 - z3 * F1_847;
    int t3 = z1 + z2 * F0_765;
    int t0 = (ws[r] + ws[r + 4]) << 13;
    int t1 = (ws[r] - ws[r + 4]) << 13;
    int o0 = ws[r + 7];
    int o1 = ws[r + 5];
    int o2 = ws[r + 3];
    int o3 = ws[r + 1];
    int q1 = o0 + o3;
    int q2 = o1 + o2;
    int q3 = o0 + o2;
    int q4 = o1 + o3;
    int q5 = (q3 + q4) * F1_175;
    q1 *= -F0_899;
    q2 *= -F2_562;
    q3 = q3 * -F1_961 + q5;
    q4 = q4 * -F0_390 + q5;
    o0 = o0 * F0_298 + q1 + q3;
    o1 = o1 * F2_053 + q2 + q4;
    o2 = o2 * F3_072 + q2 + q3;
    o3 = o3 * F1_501 + q1 + q4;
    return storeRow(t0 + t3, t1 + t2, t1 - t2, t0 - t3, o0, o1, o2, o3, out, off);
  }

  /** row for a row whose inputs 4..7 are zero. */
  private static int rowLeft(int[] ws, int r, byte[] out, int off) {
    if ((ws[r + 1] | ws[r + 2] | ws[r + 3]) == 0) {
      return dcRow(ws[r], out, off);
    }
    int z2 = ws[r + 2];
    int z1 = z2 * F0_541;
    int t3 = z1 + z2 * F0_765;
    int t0 = ws[r] << 13;
    int o2 = ws[r + 3];
    int o3 = ws[r + 1];
    int q5 = (o2 + o3) * F1_175;
    int q1 = o3 * -F0_899;
    int q2 = o2 * -F2_562;
    int q3 = o2 * -F1_961 + q5;
    int q4 = o3 * -F0_390 + q5;
    return storeRow(
        t0 + t3,
        t0 + z1,
        t0 - z1,
        t0 - t3,
        q1 + q3,
        q2 + q4,
        o2 * F3_072 + q2 + q3,
        o3 * F1_501 + q1 + q4,
        out,
        off);
  }

  /** Returns the result + 512, as storeRow. */
  private static int dcRow(int w0, byte[] out, int off) {
    int x = (w0 + 16) >> 5;
    byte v = LIMIT[x & 1023];
    for (int i = 0; i < 8; i++) {
      out[off + i] = v;
    }
    return x + 512;
  }

  /**
   * 8 samples from the even sums and the odd parts, descaled by 18 and range-limited; returns the
   * OR of the 8 descaled values + 512 (in [0, 1024) when all lie in [-512, 512)).
   */
  private static int storeRow(
      int t10, int t11, int t12, int t13, int o0, int o1, int o2, int o3, byte[] out, int off) {
    int half = 1 << 17;
    int x0 = (t10 + o3 + half) >> 18;
    int x1 = (t11 + o2 + half) >> 18;
    int x2 = (t12 + o1 + half) >> 18;
    int x3 = (t13 + o0 + half) >> 18;
    int x4 = (t13 - o0 + half) >> 18;
    int x5 = (t12 - o1 + half) >> 18;
    int x6 = (t11 - o2 + half) >> 18;
    int x7 = (t10 - o3 + half) >> 18;
    out[off] = LIMIT[x0 & 1023];
    out[off + 1] = LIMIT[x1 & 1023];
    out[off + 2] = LIMIT[x2 & 1023];
    out[off + 3] = LIMIT[x3 & 1023];
    out[off + 4] = LIMIT[x4 & 1023];
    out[off + 5] = LIMIT[x5 & 1023];
    out[off + 6] = LIMIT[x6 & 1023];
    out[off + 7] = LIMIT[x7 & 1023];
    return (x0 + 512)
        | (x1 + 512)
        | (x2 + 512)
        | (x3 + 512)
        | (x4 + 512)
        | (x5 + 512)
        | (x6 + 512)
        | (x7 + 512);
  }
}

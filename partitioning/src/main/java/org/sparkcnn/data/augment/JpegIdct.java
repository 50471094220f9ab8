/*
 * libjpeg 6b's default inverse DCT (jidctint.c, JDCT_ISLOW), re-written in Java so that
 * JpegWindowDecoder gives the very samples the JDK's ImageIO gives: a separable 8x8 IDCT in 32-bit
 * integers with 13 fraction bits for the constants (CONST_BITS) and 2 extra bits kept between the
 * column and the row pass (PASS1_BITS), the same rounding, the same shortcuts for all-zero columns
 * and rows (which give the same bits as the full sums), and the range-limit table of jdmaster.c
 * (prepare_range_limit_table) that maps the centred result, wrapped to 10 bits, to a sample.
 */
package org.sparkcnn.data.augment;

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
  private static final int F0_298 = 2446;
  private static final int F0_390 = 3196;
  private static final int F0_541 = 4433;
  private static final int F0_765 = 6270;
  private static final int F0_899 = 7373;
  private static final int F1_175 = 9633;
  private static final int F1_501 = 12299;
  private static final int F1_847 = 15137;
  private static final int F1_961 = 16069;
  private static final int F2_053 = 16819;
  private static final int F2_562 = 20995;
  private static final int F3_072 = 25172;

  private JpegIdct() {}

  /** The 8x8 samples of a block whose only non-zero coefficient is its dequantised DC, dq. */
  static void dcOnly(int dq, byte[] out, int off, int stride) {
    byte v = LIMIT[((dq << 2) + 16 >> 5) & 1023]; // both passes' shortcuts, as jidctint.c takes
    for (int y = 0; y < 8; y++, off += stride) {
      for (int x = 0; x < 8; x++) {
        out[off + x] = v;
      }
    }
  }

  /**
   * out[off + y * stride + x] for y, x < 8 = the samples of the block in: [64] dequantised
   * coefficients in natural (row-major) order. ws: [64] workspace.
   */
  static void islow(int[] in, int[] ws, byte[] out, int off, int stride) {
    for (int c = 0; c < 8; c++) { // pass 1: columns, into ws with PASS1_BITS more bits
      if ((in[8 + c] | in[16 + c] | in[24 + c] | in[32 + c] | in[40 + c] | in[48 + c]
          | in[56 + c]) == 0) {
        int dc = in[c] << 2;
        for (int k = 0; k < 64; k += 8) {
          ws[k + c] = dc;
        }
        continue;
      }
      int z2 = in[16 + c];
      int z3 = in[48 + c];
      int z1 = (z2 + z3) * F0_541;
      int t2 = z1 - z3 * F1_847;
      int t3 = z1 + z2 * F0_765;
      int t0 = (in[c] + in[32 + c]) << 13;
      int t1 = (in[c] - in[32 + c]) << 13;
      int t10 = t0 + t3;
      int t13 = t0 - t3;
      int t11 = t1 + t2;
      int t12 = t1 - t2;
      int o0 = in[56 + c];
      int o1 = in[40 + c];
      int o2 = in[24 + c];
      int o3 = in[8 + c];
      int q1 = o0 + o3; // the odd part: jidctint.c's z1..z5 and tmp0..tmp3
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
      ws[c] = (t10 + o3 + 1024) >> 11;
      ws[56 + c] = (t10 - o3 + 1024) >> 11;
      ws[8 + c] = (t11 + o2 + 1024) >> 11;
      ws[48 + c] = (t11 - o2 + 1024) >> 11;
      ws[16 + c] = (t12 + o1 + 1024) >> 11;
      ws[40 + c] = (t12 - o1 + 1024) >> 11;
      ws[24 + c] = (t13 + o0 + 1024) >> 11;
      ws[32 + c] = (t13 - o0 + 1024) >> 11;
    }
    for (int r = 0; r < 64; r += 8, off += stride) { // pass 2: rows, into samples
      if ((ws[r + 1] | ws[r + 2] | ws[r + 3] | ws[r + 4] | ws[r + 5] | ws[r + 6] | ws[r + 7])
          == 0) {
        byte v = LIMIT[((ws[r] + 16) >> 5) & 1023];
        for (int x = 0; x < 8; x++) {
          out[off + x] = v;
        }
        continue;
      }
      int z2 = ws[r + 2];
      int z3 = ws[r + 6];
      int z1 = (z2 + z3) * F0_541;
      int t2 = z1 - z3 * F1_847;
      int t3 = z1 + z2 * F0_765;
      int t0 = (ws[r] + ws[r + 4]) << 13;
      int t1 = (ws[r] - ws[r + 4]) << 13;
      int t10 = t0 + t3;
      int t13 = t0 - t3;
      int t11 = t1 + t2;
      int t12 = t1 - t2;
      int o0 = ws[r + 7];
      int o1 = ws[r + 5];
      int o2 = ws[r + 3];
      int o3 = ws[r + 1];
      int q1 = o0 + o3; // the odd part: jidctint.c's z1..z5 and tmp0..tmp3
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
      int half = 1 << 17;
      out[off] = LIMIT[((t10 + o3 + half) >> 18) & 1023];
      out[off + 7] = LIMIT[((t10 - o3 + half) >> 18) & 1023];
      out[off + 1] = LIMIT[((t11 + o2 + half) >> 18) & 1023];
      out[off + 6] = LIMIT[((t11 - o2 + half) >> 18) & 1023];
      out[off + 2] = LIMIT[((t12 + o1 + half) >> 18) & 1023];
      out[off + 5] = LIMIT[((t12 - o1 + half) >> 18) & 1023];
      out[off + 3] = LIMIT[((t13 + o0 + half) >> 18) & 1023];
      out[off + 4] = LIMIT[((t13 - o0 + half) >> 18) & 1023];
    }
  }

  /**
   * islow for a block whose non-zero coefficients all lie in its top-left 4x4 quarter (most
   * chroma blocks): the same sums with the zero terms left out, so the same bits. ws: [64].
   */
  static void islowQuarter(int[] in, int[] ws, byte[] out, int off, int stride) {
    for (int c = 0; c < 4; c++) { // pass 1: columns 0..3 (4..7 are zero and not read again)
      if ((in[8 + c] | in[16 + c] | in[24 + c]) == 0) {
        int dc = in[c] << 2;
        for (int k = 0; k < 64; k += 8) {
          ws[k + c] = dc;
        }
        continue;
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
      int r0 = q1 + q3;
      int r1 = q2 + q4;
      int r2 = o2 * F3_072 + q2 + q3;
      int r3 = o3 * F1_501 + q1 + q4;
      ws[c] = (t0 + t3 + r3 + 1024) >> 11;
      ws[56 + c] = (t0 + t3 - r3 + 1024) >> 11;
      ws[8 + c] = (t0 + z1 + r2 + 1024) >> 11;
      ws[48 + c] = (t0 + z1 - r2 + 1024) >> 11;
      ws[16 + c] = (t0 - z1 + r1 + 1024) >> 11;
      ws[40 + c] = (t0 - z1 - r1 + 1024) >> 11;
      ws[24 + c] = (t0 - t3 + r0 + 1024) >> 11;
      ws[32 + c] = (t0 - t3 - r0 + 1024) >> 11;
    }
    for (int r = 0; r < 64; r += 8, off += stride) { // pass 2: rows, inputs 4..7 zero
      if ((ws[r + 1] | ws[r + 2] | ws[r + 3]) == 0) {
        byte v = LIMIT[((ws[r] + 16) >> 5) & 1023];
        for (int x = 0; x < 8; x++) {
          out[off + x] = v;
        }
        continue;
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
      int r0 = q1 + q3;
      int r1 = q2 + q4;
      int r2 = o2 * F3_072 + q2 + q3;
      int r3 = o3 * F1_501 + q1 + q4;
      int half = 1 << 17;
      out[off] = LIMIT[((t0 + t3 + r3 + half) >> 18) & 1023];
      out[off + 7] = LIMIT[((t0 + t3 - r3 + half) >> 18) & 1023];
      out[off + 1] = LIMIT[((t0 + z1 + r2 + half) >> 18) & 1023];
      out[off + 6] = LIMIT[((t0 + z1 - r2 + half) >> 18) & 1023];
      out[off + 2] = LIMIT[((t0 - z1 + r1 + half) >> 18) & 1023];
      out[off + 5] = LIMIT[((t0 - z1 - r1 + half) >> 18) & 1023];
      out[off + 3] = LIMIT[((t0 - t3 + r0 + half) >> 18) & 1023];
      out[off + 4] = LIMIT[((t0 - t3 - r0 + half) >> 18) & 1023];
    }
  }
}

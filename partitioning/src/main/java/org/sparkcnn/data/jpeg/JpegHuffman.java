/*
 * One Huffman table of a baseline JPEG, in the form JpegEntropy decodes with: a 9-bit lookahead
 * table that names the symbol and length of every code of up to 9 bits at once (nearly all codes
 * of a camera file), and for the longer ones the canonical-code limits of jdhuff.c
 * (jpeg_make_d_derived_tbl: the largest code of each length and the offset of its symbols). A
 * table that is not a valid prefix code is refused, as libjpeg refuses it. For AC tables a
 * second lookahead table gives a coefficient's run and value at once where both fit in 9 bits
 * (as stb_image's fast_ac). Reused between files.
 */
package org.sparkcnn.data.jpeg;

final class JpegHuffman {
  static final int LOOKAHEAD = 9;
  // [code's first 9 bits] = length << 8 | symbol for a code of up to 9 bits, 0 for a longer one
  final int[] look = new int[1 << LOOKAHEAD];
  final int[] maxCode = new int[18]; // [length] = largest code of that length, -1 for none
  final int[] valOffset = new int[18]; // [length] = index in symbols of a code's symbol - code
  final int[] symbols = new int[256];
  // AC tables: [first 9 bits] = value << 16 | run << 8 | code and value's length, for a non-zero
  // coefficient whose code and value bits both fit in the 9; 0 otherwise
  final int[] fastAc = new int[1 << LOOKAHEAD];

  /**
   * Builds the table from a DHT segment's 16 counts at b[at] and its symbols after them (dc: a
   * table of DC differences); false when it is not a table libjpeg accepts.
   */
  boolean build(byte[] b, int at, boolean dc) {
    java.util.Arrays.fill(look, 0);
    int code = 0;
    int k = 0; // symbols so far
    for (int len = 1; len <= 16; len++) {
      int n = b[at + len - 1] & 0xFF;
      if (n == 0) {
        maxCode[len] = -1;
      } else {
        valOffset[len] = k - code;
        for (int i = 0; i < n; i++, k++, code++) {
          int sym = b[at + 16 + k] & 0xFF;
          if (dc && sym > 15) {
            return false; // libjpeg-turbo refuses such a DC table, even unused
          }
          symbols[k] = sym;
          if (len <= LOOKAHEAD) {
            int first = code << (LOOKAHEAD - len);
            for (int j = 0; j < 1 << (LOOKAHEAD - len); j++) {
              look[first + j] = len << 8 | sym;
            }
          }
        }
        maxCode[len] = code - 1;
      }
      if (code >= 1 << len) {
        return false; // more codes than fit in len bits, or an all-ones code (as jdhuff.c)
      }
      code <<= 1;
    }
    maxCode[17] = Integer.MAX_VALUE;
    for (int i = 0; i < 1 << LOOKAHEAD; i++) {
      int len = look[i] >> 8;
      int s = look[i] & 15;
      fastAc[i] = 0;
      if (len != 0 && s != 0 && len + s <= LOOKAHEAD) {
        int v = (i >> (LOOKAHEAD - len - s)) & ((1 << s) - 1);
        v = v < 1 << (s - 1) ? v + (-1 << s) + 1 : v;
        fastAc[i] = v << 16 | (look[i] & 0xF0) << 4 | (len + s);
      }
    }
    return true;
  }
}

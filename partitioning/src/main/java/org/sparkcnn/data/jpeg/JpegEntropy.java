/*
 * The entropy-coded data of a baseline JPEG scan, read as jdhuff.c reads it: a bit buffer (64
 * bits here) filled a byte at a time, where 0xFF 0x00 is a data byte 0xFF and 0xFF followed by
 * anything else is a marker that ends the data. Past a marker it supplies zero bits, as libjpeg
 * does, but counts them: a block that used any (truncated or corrupt data, where libjpeg warns
 * and goes on with made-up coefficients) makes the caller give the file to ImageIO. Blocks are
 * decoded into dequantised coefficients in natural order, or only skipped (their DC still kept,
 * since the next block's DC is a difference) when the window does not need them. Anything
 * libjpeg would warn about or reject (a code no table has, a DC difference of more than 11 bits,
 * coefficients past the 64th, a missing or out-of-order restart marker) is refused.
 */
package org.sparkcnn.data.jpeg;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

final class JpegEntropy {
  // [k] = natural (row-major) index of the k-th coefficient in zig-zag order
  static final int[] NATURAL = {
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
    13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59,
    52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63
  };

  private static final VarHandle BIG_ENDIAN =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private byte[] data;
  private int pos; // next byte to read into the buffer
  private long buf; // the low `bits` bits are the next bits of the stream
  private int bits;
  private int madeUp; // how many of the low bits are zeros made up past a marker
  private boolean atMarker; // pos is at the 0xFF of a marker (or the end of the file)
  final int[] pred = new int[4]; // DC of the last block, per component of the scan

  /** Starts reading entropy-coded data at data[pos]; DC predictions start at 0. */
  void start(byte[] data, int pos) {
    this.data = data;
    this.pos = pos;
    buf = 0;
    bits = 0;
    madeUp = 0;
    atMarker = false;
    java.util.Arrays.fill(pred, 0);
  }

  /** True when a block has read past the end of the data. */
  boolean overran() {
    return bits < madeUp;
  }

  /** Tops the buffer up: eight bytes at once when none is 0xFF, else through fill. */
  private void refill() {
    long w;
    if (pos + 8 <= data.length && noFF(w = (long) BIG_ENDIAN.get(data, pos))) {
      int bytes = Math.min(7, (64 - bits) >> 3);
      buf = buf << (8 * bytes) | w >>> (64 - 8 * bytes);
      bits += 8 * bytes;
      pos += bytes;
    } else {
      fill();
    }
  }

  /**
   * Tops the buffer up to more than 56 bits, a byte at a time (made-up zeros past a marker); the
   * callers first try the fast way, refill.
   */
  private void fill() {
    byte[] d = data;
    int p = pos;
    long b = buf;
    int n = bits;
    while (n <= 56) {
      if (atMarker) {
        b <<= 8;
        n += 8;
        madeUp += 8;
        continue;
      }
      if (p >= d.length) {
        atMarker = true;
        continue;
      }
      int c = d[p] & 0xFF;
      if (c != 0xFF) {
        b = b << 8 | c;
        n += 8;
        p++;
        continue;
      }
      int j = p + 1;
      while (j < d.length && d[j] == (byte) 0xFF) {
        j++; // libjpeg takes 0xFF 0xFF ... 0x00 as one stuffed 0xFF
      }
      if (j < d.length && d[j] == 0) {
        b = b << 8 | 0xFF;
        n += 8;
        p = j + 1;
      } else {
        atMarker = true;
      }
    }
    pos = p;
    buf = b;
    bits = n;
  }

  /** True when none of the eight bytes of w is 0xFF. */
  private static boolean noFF(long w) {
    long x = ~w; // a 0xFF byte of w is a zero byte of x
    return ((x - 0x0101010101010101L) & ~x & 0x8080808080808080L) == 0;
  }

  /**
   * length << 8 | symbol of the code of table t at the top of the n bits of b, which is longer than
   * the lookahead; -1 for bits that are no code of it.
   */
  private static int longCode(long b, int n, JpegHuffman t) {
    int len = JpegHuffman.LOOKAHEAD + 1;
    int code = (int) (b >>> (n - len)) & ((1 << len) - 1);
    while (code > t.maxCode[len]) {
      len++;
      if (len > 16) {
        return -1;
      }
      code = (int) (b >>> (n - len)) & ((1 << len) - 1);
    }
    return len << 8 | t.symbols[code + t.valOffset[len]];
  }

  /** v, the s bits read as a signed value (jdhuff.c's HUFF_EXTEND). */
  private static int extend(int v, int s) {
    return v < 1 << (s - 1) ? v + (-1 << s) + 1 : v;
  }

  /**
   * blk [64] (all zero on entry) = the next block's coefficients times qz (the quantisation table
   * in zig-zag order), in natural order, for component c of the scan. Returns 0 when only the DC is
   * set; when some AC is, 1 | the OR of the natural indices of the AC set, masked to 36 (bit 5:
   * some in rows 4..7, bit 2: some in columns 4..7); -1 for data libjpeg would not decode as it
   * stands, or with a dequantised value outside [-2^14, 2^14) (never in a sound 8-bit file), whose
   * samples differ between libjpeg builds (JpegIdct). The bit buffer lives in locals here (the
   * fields are written back around each fill) for speed.
   */
  int decode(int[] blk, JpegHuffman dc, JpegHuffman ac, int[] qz, int c) {
    if (bits < 32) {
      refill();
    }
    long b = buf;
    int n = bits;
    int p = pos;
    byte[] d = data;
    int e = dc.look[(int) (b >>> (n - 9)) & 511];
    if (e == 0 && (e = longCode(b, n, dc)) < 0) {
      return -1;
    }
    n -= e >> 8;
    int s = e & 0xFF;
    if (s > 11) {
      return -1;
    }
    if (s != 0) {
      pred[c] += extend((int) (b >>> (n - s)) & ((1 << s) - 1), s);
      n -= s;
    }
    int dq = (short) pred[c] * qz[0]; // libjpeg keeps coefficients as 16-bit JCOEF
    blk[0] = dq;
    int range = dq + 16384; // OR of every dequantised value + 2^14: in [0, 2^15) when all fit
    int any = 0;
    int[] fast = ac.fastAc;
    int[] look = ac.look;
    for (int k = 1; k < 64; k++) {
      if (n < 32) { // refill: eight bytes at once when none is 0xFF, else a byte at a time
        long w;
        if (p + 8 <= d.length && noFF(w = (long) BIG_ENDIAN.get(d, p))) {
          int bytes = Math.min(7, (64 - n) >> 3);
          b = b << (8 * bytes) | w >>> (64 - 8 * bytes);
          n += 8 * bytes;
          p += bytes;
        } else {
          pos = p;
          buf = b;
          bits = n;
          fill();
          p = pos;
          b = buf;
          n = bits;
        }
      }
      int peek = (int) (b >>> (n - 9)) & 511;
      int f = fast[peek];
      if (f != 0) { // code and value within the lookahead
        n -= f & 0xFF;
        k += (f >> 8) & 0xFF;
        if (k > 63) {
          return -1;
        }
        int at = NATURAL[k];
        dq = (f >> 16) * qz[k];
        blk[at] = dq;
        range |= dq + 16384;
        any |= at;
        continue;
      }
      e = look[peek];
      if (e == 0 && (e = longCode(b, n, ac)) < 0) {
        return -1;
      }
      n -= e >> 8;
      int r = (e >> 4) & 15;
      s = e & 15;
      if (s != 0) {
        k += r;
        if (k > 63) {
          return -1;
        }
        int at = NATURAL[k];
        dq = extend((int) (b >>> (n - s)) & ((1 << s) - 1), s) * qz[k];
        blk[at] = dq;
        range |= dq + 16384;
        n -= s;
        any |= at;
      } else if (r == 15) {
        k += 15;
      } else {
        break;
      }
    }
    buf = b;
    bits = n;
    pos = p;
    if ((range & ~0x7FFF) != 0) {
      return -1; // a value out of 15 bits: see JpegIdct on where libjpeg builds part
    }
    return any == 0 ? 0 : 1 | any & 36; // natural index 0 is the DC: any AC makes any > 0
  }

  /** Reads past the next block, keeping only its DC; false where decode would return -1. */
  boolean skip(JpegHuffman dc, JpegHuffman ac, int c) {
    if (bits < 32) {
      refill();
    }
    long b = buf;
    int n = bits;
    int p = pos;
    byte[] d = data;
    int e = dc.look[(int) (b >>> (n - 9)) & 511];
    if (e == 0 && (e = longCode(b, n, dc)) < 0) {
      return false;
    }
    n -= e >> 8;
    int s = e & 0xFF;
    if (s > 11) {
      return false;
    }
    if (s != 0) {
      pred[c] += extend((int) (b >>> (n - s)) & ((1 << s) - 1), s);
      n -= s;
    }
    int[] fast = ac.fastAc;
    int[] look = ac.look;
    for (int k = 1; k < 64; k++) {
      if (n < 32) { // refill: eight bytes at once when none is 0xFF, else a byte at a time
        long w;
        if (p + 8 <= d.length && noFF(w = (long) BIG_ENDIAN.get(d, p))) {
          int bytes = Math.min(7, (64 - n) >> 3);
          b = b << (8 * bytes) | w >>> (64 - 8 * bytes);
          n += 8 * bytes;
          p += bytes;
        } else {
          pos = p;
          buf = b;
          bits = n;
          fill();
          p = pos;
          b = buf;
          n = bits;
        }
      }
      int peek = (int) (b >>> (n - 9)) & 511;
      int f = fast[peek];
      if (f != 0) {
        n -= f & 0xFF;
        k += (f >> 8) & 0xFF;
        if (k > 63) {
          return false;
        }
        continue;
      }
      e = look[peek];
      if (e == 0 && (e = longCode(b, n, ac)) < 0) {
        return false;
      }
      n -= e >> 8;
      int r = (e >> 4) & 15;
      s = e & 15;
      if (s != 0) {
        k += r;
        if (k > 63) {
          return false;
        }
        n -= s;
      } else if (r == 15) {
        k += 15;
      } else {
        break;
      }
    }
    buf = b;
    bits = n;
    pos = p;
    return true;
  }

  /**
   * True when the data ends here with the end-of-image marker (EOI), after no more than the last
   * byte's padding bits. ImageIO reads on to EOI when a window reaches the last row and fails on a
   * bad marker there; anything but EOI makes the caller give the file to ImageIO.
   */
  boolean endsAtEoi() {
    if (bits - madeUp >= 8) {
      return false;
    }
    int p = pos;
    if (p >= data.length || data[p] != (byte) 0xFF) {
      return false;
    }
    while (p < data.length && data[p] == (byte) 0xFF) {
      p++;
    }
    return p < data.length && (data[p] & 0xFF) == 0xD9;
  }

  /**
   * Reads restart marker RSTn (n = 0..7) where the data should have one: false for anything else,
   * or for whole bytes of data left before it (which libjpeg would skip with a warning). The bits
   * in the buffer are dropped and DC predictions start again at 0.
   */
  boolean restart(int n) {
    if (bits - madeUp >= 8) {
      return false;
    }
    int p = pos;
    if (p >= data.length || data[p] != (byte) 0xFF) {
      return false;
    }
    while (p < data.length && data[p] == (byte) 0xFF) {
      p++;
    }
    if (p >= data.length || (data[p] & 0xFF) != 0xD0 + n) {
      return false;
    }
    start(data, p + 1);
    return true;
  }
}

/*
 * The markers of a baseline JPEG up to its first scan, as JpegWindowDecoder needs them: the frame
 * (size, components with their sampling factors and quantisation tables), the Huffman and
 * quantisation tables, the restart interval and where the entropy-coded data starts. It reads
 * only what that decoder handles (SOF0/SOF1 with 8-bit samples, one scan holding every
 * component, coefficients 0..63) and refuses everything else: other coding processes (SOF2 ...),
 * DAC, DNL, a bad table or a segment that does not add up. Reused between files.
 */
package org.sparkcnn.data.jpeg;

import java.util.Arrays;

final class JpegHeaders {
  private final JpegHuffman[] dcTables = new JpegHuffman[4];
  private final JpegHuffman[] acTables = new JpegHuffman[4];
  private final boolean[] dcSet = new boolean[4];
  private final boolean[] acSet = new boolean[4];
  final int[][] quant = new int[4][64]; // [table] zig-zag order, as in the file
  private final boolean[] quantSet = new boolean[4];

  // the frame: size, components (id, sampling factors, quantisation table); the scan
  int height;
  int width;
  int nf;
  int maxH;
  int maxV;
  int restartInterval;
  int scanStart; // offset of the entropy-coded data
  private final int[] id = new int[3];
  final int[] hs = new int[3];
  final int[] vs = new int[3];
  final int[] tq = new int[3];
  final int[] order = new int[3]; // [scan position] = frame component
  final JpegHuffman[] dcOf = new JpegHuffman[3]; // [scan position]
  final JpegHuffman[] acOf = new JpegHuffman[3];

  JpegHeaders() {
    for (int t = 0; t < 4; t++) {
      dcTables[t] = new JpegHuffman();
      acTables[t] = new JpegHuffman();
    }
  }

  private static int u16(byte[] b, int i) {
    return (b[i] & 0xFF) << 8 | b[i + 1] & 0xFF;
  }

  /**
   * Reads the markers of b, whose header says it has `components` components, up to the first
   * scan's data; false for anything not handled.
   */
  boolean read(byte[] b, int components) {
    Arrays.fill(dcSet, false);
    Arrays.fill(acSet, false);
    Arrays.fill(quantSet, false);
    restartInterval = 0;
    boolean frame = false;
    int p = 2; // after SOI
    while (true) {
      if (b[p] != (byte) 0xFF) {
        return false;
      }
      while (b[p + 1] == (byte) 0xFF) {
        p++; // fill bytes
      }
      int m = b[p + 1] & 0xFF;
      int len = u16(b, p + 2);
      int s = p + 4; // the segment's contents
      int end = p + 2 + len;
      if (m == 0x01 || m >= 0xD0 && m <= 0xD9 || len < 2 || end > b.length) {
        return false;
      }
      if (m == 0xC0 || m == 0xC1) {
        if (frame || !readFrame(b, s, len, components)) {
          return false;
        }
        frame = true;
      } else if (m == 0xC4) {
        while (s < end) {
          int t = b[s] & 0x0F;
          int cls = (b[s] & 0xFF) >> 4;
          int n = 0;
          for (int i = 1; i <= 16; i++) {
            n += b[s + i] & 0xFF;
          }
          if (cls > 1 || t > 3 || n > 256 || s + 17 + n > end) {
            return false;
          }
          if (!(cls == 0 ? dcTables : acTables)[t].build(b, s + 1, cls == 0)) {
            return false;
          }
          (cls == 0 ? dcSet : acSet)[t] = true;
          s += 17 + n;
        }
      } else if (m == 0xDB) {
        while (s < end) {
          int t = b[s] & 0x0F;
          int wide = (b[s] & 0xFF) >> 4; // 1: 16-bit entries
          if (t > 3 || wide > 1 || s + 1 + 64 * (wide + 1) > end) {
            return false;
          }
          for (int k = 0; k < 64; k++) {
            quant[t][k] = wide == 1 ? u16(b, s + 1 + 2 * k) : b[s + 1 + k] & 0xFF;
          }
          quantSet[t] = true;
          s += 1 + 64 * (wide + 1);
        }
        if (s != end) {
          return false;
        }
      } else if (m == 0xDD) {
        if (len != 4) {
          return false;
        }
        restartInterval = u16(b, s);
      } else if (m == 0xDA) {
        scanStart = end;
        return frame && readScanHeader(b, s, len);
      } else if (!(m >= 0xE0 && m <= 0xEF || m == 0xFE)) {
        return false; // another coding process (SOF2 ...), DAC, DNL, ...
      }
      p = end;
    }
  }

  private boolean readFrame(byte[] b, int s, int len, int components) {
    nf = b[s + 5] & 0xFF;
    height = u16(b, s + 1);
    width = u16(b, s + 3);
    if (b[s] != 8
        || nf != components
        || (nf != 1 && nf != 3)
        || len != 8 + 3 * nf
        || height == 0
        || width == 0
        || height > 65500
        || width > 65500) {
      return false;
    }
    maxH = 1;
    maxV = 1;
    for (int c = 0; c < nf; c++) {
      id[c] = b[s + 6 + 3 * c] & 0xFF;
      hs[c] = (b[s + 7 + 3 * c] & 0xFF) >> 4;
      vs[c] = b[s + 7 + 3 * c] & 0x0F;
      tq[c] = b[s + 8 + 3 * c] & 0xFF;
      if (hs[c] < 1 || hs[c] > 4 || vs[c] < 1 || vs[c] > 4 || tq[c] > 3) {
        return false;
      }
      maxH = Math.max(maxH, hs[c]);
      maxV = Math.max(maxV, vs[c]);
    }
    return true;
  }

  /** The scan must hold every component (baseline: the only scan), coefficients 0..63. */
  private boolean readScanHeader(byte[] b, int s, int len) {
    int ns = b[s] & 0xFF;
    if (ns != nf || len != 6 + 2 * ns) {
      return false;
    }
    int blocks = 0;
    for (int i = 0; i < ns; i++) {
      int cid = b[s + 1 + 2 * i] & 0xFF;
      int c = 0;
      while (c < nf && id[c] != cid) {
        c++;
      }
      int td = (b[s + 2 + 2 * i] & 0xFF) >> 4;
      int ta = b[s + 2 + 2 * i] & 0x0F;
      if (c == nf || td > 3 || ta > 3 || !dcSet[td] || !acSet[ta] || !quantSet[tq[c]]) {
        return false;
      }
      for (int j = 0; j < i; j++) {
        if (order[j] == c) {
          return false; // a component twice
        }
      }
      order[i] = c;
      dcOf[i] = dcTables[td];
      acOf[i] = acTables[ta];
      blocks += hs[c] * vs[c];
    }
    int at = s + 1 + 2 * ns;
    return b[at] == 0 && b[at + 1] == 63 && b[at + 2] == 0 && (ns == 1 || blocks <= 10);
  }
}

/*
 * Decodes a window of a baseline JPEG to exactly the samples the JDK's ImageIO (libjpeg) gives,
 * at a fraction of its cost, because it does only what the window needs: the entropy-coded data
 * is read up to the last MCU row the window touches and no further, and only the blocks under
 * the window (plus the one sample of context the upsamplers read at its edges) are
 * dequantised and inverse transformed (JpegIdct); the rest are only skipped over (JpegEntropy).
 * The chroma is then upsampled as libjpeg does by default (jdsample.c with do_fancy_upsampling:
 * the triangle filters for 2x1 and 2x2 subsampling when the chroma is wider than 2 samples,
 * replication for every other integer ratio, a copy at full size; edges replicate the first and
 * last real row and column) and turned into RGB by libjpeg's tables (RgbPlanes). These are
 * the same in libjpeg 6b (the JDK's bundled copy) and libjpeg-turbo (the system library many JDK
 * builds link instead, Debian's among them), except for 1x2 subsampling, which 6b replicates and
 * turbo filters: such files are declined. It handles the files cameras write: SOF0 or SOF1 with
 * 8-bit samples, one interleaved scan of all 1 or 3 components, the other sampling factors
 * libjpeg accepts, restart intervals. Anything else (progressive or arithmetic coding, several
 * scans, bad or truncated data) it declines (JpegHeaders reads the markers), and the caller
 * (ImageDecoder) decodes through ImageIO. One per thread: it keeps its tables and buffers between
 * files.
 */
package org.sparkcnn.data.jpeg;

import java.util.Arrays;

final class JpegWindowDecoder {
  private static final int FULL = 0; // the component is at full size: a copy
  private static final int REPLICATE = 1; // each sample repeated he x ve times (int_upsample)
  private static final int FANCY_H2V1 = 2; // jdsample.c's h2v1_fancy_upsample
  private static final int FANCY_H2V2 = 3; // jdsample.c's h2v2_fancy_upsample

  private final JpegHeaders hdr = new JpegHeaders();
  private final JpegEntropy entropy = new JpegEntropy();
  private final int[] blk = new int[64]; // one block's dequantised coefficients, 0 between blocks
  private final int[] ws = new int[64]; // the IDCT's workspace

  // per frame component: how it is upsampled, its size, and the blocks the window needs
  private final int[] kind = new int[3];
  private final int[] dw = new int[3]; // downsampled width: ceil(width * h / maxH)
  private final int[] dh = new int[3];
  private final int[] he = new int[3]; // replication factors
  private final int[] ve = new int[3];
  private final int[] bx0 = new int[3]; // needed blocks: columns bx0..bx1, rows by0..by1
  private final int[] bx1 = new int[3];
  private final int[] by0 = new int[3];
  private final int[] by1 = new int[3];
  private final int[] stride = new int[3]; // samples per row of plane
  private final byte[][] plane = new byte[3][0]; // the needed blocks' samples, row-major
  private final byte[][] row = new byte[3][0]; // one window row of each upsampled component
  private int[] sums = new int[0]; // the fancy upsamplers' column sums, one window row
  private byte[] pairs = new byte[0]; // their output, from an even column

  /**
   * dst [3, window[2], window[3]] = the RGB levels in [0, 1] of the window {top, left, h, w} of the
   * JPEG b, whose header says it has `components` components (3: YCbCr, 1: grey); false (dst maybe
   * reshaped, its pixels not to be used) for a file this decoder leaves to ImageIO.
   */
  boolean decode(byte[] b, int components, int[] window, RgbTarget dst) {
    try {
      if (!hdr.read(b, components)
          || !plan(window, b.length)
          || !readScan(b)
          || window[0] + window[2] == hdr.height && !entropy.endsAtEoi()) {
        return false;
      }
    } catch (IndexOutOfBoundsException e) {
      Arrays.fill(blk, 0); // all zero for the next file
      return false; // a segment longer than the file
    }
    output(window, dst);
    return true;
  }

  /**
   * Each component's upsampler and the blocks of it that the window {y0, x0, h, w} needs, in a file
   * of `length` bytes. The header's size is not trusted: the scan codes every block up to the
   * window's last MCU row in 2 bits at least (a DC and an end-of-block code), so a window that
   * needs more blocks than the rest of the file can hold is declined before any allocation.
   */
  private boolean plan(int[] window, int length) {
    int y0 = window[0];
    int x0 = window[1];
    int y1 = y0 + window[2] - 1; // last row and column, inclusive
    int x1 = x0 + window[3] - 1;
    if (y0 < 0 || x0 < 0 || window[2] < 1 || window[3] < 1 || y1 >= hdr.height || x1 >= hdr.width) {
      return false;
    }
    for (int c = 0; c < hdr.nf; c++) {
      dw[c] = (int) (((long) hdr.width * hdr.hs[c] + hdr.maxH - 1) / hdr.maxH);
      dh[c] = (int) (((long) hdr.height * hdr.vs[c] + hdr.maxV - 1) / hdr.maxV);
      boolean h2 = 2 * hdr.hs[c] == hdr.maxH;
      int cLo;
      int cHi;
      int rLo = y0;
      int rHi = y1;
      if (hdr.hs[c] == hdr.maxH && hdr.vs[c] == hdr.maxV) {
        kind[c] = FULL;
        cLo = x0;
        cHi = x1;
      } else if (h2 && (hdr.vs[c] == hdr.maxV || 2 * hdr.vs[c] == hdr.maxV) && dw[c] > 2) {
        kind[c] = hdr.vs[c] == hdr.maxV ? FANCY_H2V1 : FANCY_H2V2;
        cLo = Math.max(0, (x0 >> 1) - 1); // a sample of context each side (clamped)
        cHi = Math.min(dw[c] - 1, (x1 >> 1) + 1);
        if (kind[c] == FANCY_H2V2) { // an even row reads the row above, an odd one below
          rLo = (y0 & 1) == 1 ? y0 >> 1 : Math.max(0, (y0 >> 1) - 1);
          rHi = (y1 & 1) == 0 ? y1 >> 1 : Math.min(dh[c] - 1, (y1 >> 1) + 1);
        }
      } else if (hdr.hs[c] == hdr.maxH && 2 * hdr.vs[c] == hdr.maxV) {
        return false; // 1x2: replicated by libjpeg 6b, the JDK's own, triangle-filtered by
        // libjpeg-turbo, which many JDK builds (Debian's) use instead: ImageIO knows
      } else if (hdr.maxH % hdr.hs[c] == 0 && hdr.maxV % hdr.vs[c] == 0) {
        kind[c] = REPLICATE;
        he[c] = hdr.maxH / hdr.hs[c];
        ve[c] = hdr.maxV / hdr.vs[c];
        cLo = x0 / he[c];
        cHi = x1 / he[c];
        rLo = y0 / ve[c];
        rHi = y1 / ve[c];
      } else {
        return false; // a fractional ratio: libjpeg refuses it too
      }
      bx0[c] = cLo >> 3;
      bx1[c] = cHi >> 3;
      by0[c] = rLo >> 3;
      by1[c] = rHi >> 3;
      stride[c] = (bx1[c] - bx0[c] + 1) * 8;
    }
    if (blocksToDecode() > 4L * (length - hdr.scanStart)) {
      return false; // the header claims more image than the file holds
    }
    for (int c = 0; c < hdr.nf; c++) {
      long size = stride[c] * (by1[c] - by0[c] + 1L) * 8;
      if (size > Integer.MAX_VALUE - 8) {
        return false;
      }
      if (plane[c].length < size) {
        plane[c] = new byte[(int) size];
      }
    }
    return true;
  }

  /** The blocks the scan codes up to the window's last MCU row, as readScan walks them. */
  private long blocksToDecode() {
    boolean interleaved = hdr.nf > 1;
    long mcuCols = interleaved ? ceilDiv(hdr.width, 8 * hdr.maxH) : ceilDiv(dw[0], 8);
    long perMcu = 0;
    int mrHi = 0;
    for (int i = 0; i < hdr.nf; i++) {
      int c = hdr.order[i];
      perMcu += interleaved ? hdr.hs[c] * hdr.vs[c] : 1;
      mrHi = Math.max(mrHi, by1[c] / (interleaved ? hdr.vs[c] : 1));
    }
    return (mrHi + 1L) * mcuCols * perMcu;
  }

  /** Entropy-decodes the scan up to the window's last MCU row, transforming the needed blocks. */
  private boolean readScan(byte[] b) {
    boolean interleaved = hdr.nf > 1;
    int mcuCols = interleaved ? ceilDiv(hdr.width, 8 * hdr.maxH) : ceilDiv(dw[0], 8);
    int mrLo = Integer.MAX_VALUE;
    int mrHi = 0;
    for (int i = 0; i < hdr.nf; i++) {
      int c = hdr.order[i];
      int rows = interleaved ? hdr.vs[c] : 1;
      mrLo = Math.min(mrLo, by0[c] / rows);
      mrHi = Math.max(mrHi, by1[c] / rows);
    }
    entropy.start(b, hdr.scanStart);
    int restartsLeft = hdr.restartInterval;
    int nextRestart = 0;
    for (int mr = 0; mr <= mrHi; mr++) {
      boolean needed = mr >= mrLo;
      for (int mc = 0; mc < mcuCols; mc++) {
        if (hdr.restartInterval > 0) {
          if (restartsLeft == 0) {
            if (!entropy.restart(nextRestart)) {
              return false;
            }
            nextRestart = (nextRestart + 1) & 7;
            restartsLeft = hdr.restartInterval;
          }
          restartsLeft--;
        }
        for (int i = 0; i < hdr.nf; i++) {
          int c = hdr.order[i];
          int cols = interleaved ? hdr.hs[c] : 1;
          int rows = interleaved ? hdr.vs[c] : 1;
          for (int yy = 0; yy < rows; yy++) {
            int by = mr * rows + yy;
            boolean rowNeeded = needed && by >= by0[c] && by <= by1[c];
            for (int xx = 0; xx < cols; xx++) {
              int bx = mc * cols + xx;
              if (rowNeeded && bx >= bx0[c] && bx <= bx1[c]) {
                int got = entropy.decode(blk, hdr.dcOf[i], hdr.acOf[i], hdr.quant[hdr.tq[c]], i);
                if (got < 0) {
                  Arrays.fill(blk, 0); // all zero for the next file
                  return false;
                }
                int off = (by - by0[c]) * 8 * stride[c] + (bx - bx0[c]) * 8;
                boolean same =
                    got == 0
                        ? JpegIdct.dcOnly(blk[0], plane[c], off, stride[c])
                        : JpegIdct.islow(blk, ws, plane[c], off, stride[c], got);
                Arrays.fill(blk, 0, (got & 32) == 0 ? 32 : 64, 0);
                if (!same) {
                  return false; // values where libjpeg builds give different samples
                }
              } else if (!entropy.skip(hdr.dcOf[i], hdr.acOf[i], i)) {
                return false;
              }
            }
          }
        }
        if (entropy.overran()) {
          return false; // ran into a marker or the end of the file
        }
      }
    }
    return true;
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  private void output(int[] window, RgbTarget dst) {
    int h = window[2];
    int w = window[3];
    float[] px = dst.rgb(h, w);
    for (int c = 0; c < hdr.nf; c++) {
      if (row[c].length < w) {
        row[c] = new byte[w];
      }
    }
    int pairsNeeded = w + 4;
    if (pairs.length < pairsNeeded) {
      pairs = new byte[pairsNeeded];
      sums = new int[pairsNeeded / 2 + 3];
    }
    for (int y = 0; y < h; y++) {
      for (int c = 0; c < hdr.nf; c++) {
        upsampleRow(c, window[0] + y, window[1], w, row[c]);
      }
      if (hdr.nf == 3) {
        RgbPlanes.yccRow(row[0], row[1], row[2], w, px, y * w, h * w);
      } else {
        RgbPlanes.greyRow(row[0], w, px, y * w, h * w);
      }
    }
  }

  /** out[0, w) = image row y, columns x0.., of component c upsampled to full size. */
  private void upsampleRow(int c, int y, int x0, int w, byte[] out) {
    byte[] p = plane[c];
    int st = stride[c];
    int left = bx0[c] * 8; // plane column 0's column in the component
    int top = by0[c] * 8;
    switch (kind[c]) {
      case FULL -> System.arraycopy(p, (y - top) * st - left + x0, out, 0, w);
      case REPLICATE -> {
        int base = (y / ve[c] - top) * st - left;
        int e = he[c];
        for (int x = 0; x < w; x++) {
          out[x] = p[base + (x0 + x) / e];
        }
      }
      default -> {
        // column sums of the two rows (3 near + far; for 2x1: the row alone) for the samples
        // i0 - 1 .. i0 + n, clamped to the component's edges as jdsample.c treats them
        int r = kind[c] == FANCY_H2V2 ? y >> 1 : y;
        int near = (r - top) * st - left;
        int i0 = x0 >> 1;
        int n = ((x0 + w - 1) >> 1) - i0 + 1;
        int last = dw[c] - 1;
        int lo = Math.max(i0 - 1, 0); // the clamped neighbours at the two ends
        int hi = Math.min(i0 + n, last);
        if (kind[c] == FANCY_H2V2) {
          int r2 = (y & 1) == 0 ? Math.max(r - 1, 0) : Math.min(r + 1, dh[c] - 1);
          int far = (r2 - top) * st - left;
          sums[0] = 3 * (p[near + lo] & 0xFF) + (p[far + lo] & 0xFF);
          sums[n + 1] = 3 * (p[near + hi] & 0xFF) + (p[far + hi] & 0xFF);
          for (int j = 1, a = near + i0, f = far + i0; j <= n; j++, a++, f++) {
            sums[j] = 3 * (p[a] & 0xFF) + (p[f] & 0xFF);
          }
          for (int j = 0; j < n; j++) {
            int here = 3 * sums[j + 1];
            pairs[2 * j] = (byte) ((here + sums[j] + 8) >> 4);
            pairs[2 * j + 1] = (byte) ((here + sums[j + 2] + 7) >> 4);
          }
        } else {
          sums[0] = p[near + lo] & 0xFF;
          sums[n + 1] = p[near + hi] & 0xFF;
          for (int j = 1, a = near + i0; j <= n; j++, a++) {
            sums[j] = p[a] & 0xFF;
          }
          for (int j = 0; j < n; j++) {
            int here = 3 * sums[j + 1];
            pairs[2 * j] = (byte) ((here + sums[j] + 1) >> 2);
            pairs[2 * j + 1] = (byte) ((here + sums[j + 2] + 2) >> 2);
          }
        }
        System.arraycopy(pairs, x0 & 1, out, 0, w);
      }
    }
  }
}

/*
 * The first look at an encoded image (ImageDecoder): whether it is a JPEG whose samples
 * JpegWindowDecoder or ImageIO's raw raster give, and its size, from the markers before its frame.
 */
package org.sparkcnn.data.jpeg;

/**
 * What the header of a JPEG says, up to its frame (SOF) marker, when its raw raster is YCbCr (3
 * components with a JFIF marker and no Adobe marker, as libjpeg decides) or grey (1 component);
 * null for anything else.
 */
record Jpeg(byte[] bytes, int height, int width, int components) {
  static Jpeg of(byte[] b) {
    if (b.length < 4 || (b[0] & 0xFF) != 0xFF || (b[1] & 0xFF) != 0xD8) {
      return null;
    }
    boolean jfif = false;
    boolean adobe = false;
    int i = 2;
    while (i + 4 <= b.length) {
      if ((b[i] & 0xFF) != 0xFF) {
        return null; // not at a marker: leave it to the reader
      }
      int m = b[i + 1] & 0xFF;
      if (m == 0xFF) {
        i++; // fill byte
        continue;
      }
      if (m == 0x01 || m >= 0xD0 && m <= 0xD8) {
        i += 2; // markers without a length
        continue;
      }
      int len = (b[i + 2] & 0xFF) << 8 | b[i + 3] & 0xFF;
      if (len < 2 || i + 2 + len > b.length) {
        return null;
      }
      if (m == 0xE0
          && len >= 7
          && b[i + 4] == 'J'
          && b[i + 5] == 'F'
          && b[i + 6] == 'I'
          && b[i + 7] == 'F'
          && b[i + 8] == 0) {
        jfif = true;
      } else if (m == 0xEE
          && len >= 7
          && b[i + 4] == 'A'
          && b[i + 5] == 'd'
          && b[i + 6] == 'o'
          && b[i + 7] == 'b'
          && b[i + 8] == 'e') {
        adobe = true;
      } else if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
        if (len < 8 || (b[i + 4] & 0xFF) != 8) {
          return null; // not 8 bits per sample
        }
        int h = (b[i + 5] & 0xFF) << 8 | b[i + 6] & 0xFF;
        int w = (b[i + 7] & 0xFF) << 8 | b[i + 8] & 0xFF;
        int comps = b[i + 9] & 0xFF;
        boolean ycc = comps == 3 && jfif && !adobe;
        return h > 0 && w > 0 && (ycc || comps == 1) ? new Jpeg(b, h, w, comps) : null;
      }
      i += 2 + len;
    }
    return null;
  }
}

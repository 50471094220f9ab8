/*
 * JpegWindowDecoder against the reference it replaces, ImageIO's raw raster (libjpeg 6b) turned
 * into RGB by RgbPlanes.rawToPlanes: bit for bit, for the whole image and for windows that
 * touch each edge, are one pixel, start at odd offsets and end next to MCU boundaries. On every
 * JPEG of the shared ants/bees set it handles (camera files), on files written here with each
 * sampling layout the JDK's writer takes (the upsamplers: copy, fancy 2x1 and 2x2, replication),
 * odd sizes (narrow chroma, partial MCUs), grey, and restart intervals. Files it must decline
 * (1x2 subsampling, whose upsampling depends on the JDK's libjpeg; progressive, truncated, a
 * restart marker out of order, a bad DC table) are declined, and EncodedAugmenter still gives
 * ImageIO's pixels; rows before a truncation decode as ImageIO decodes them. Randomly corrupted
 * files that it still decodes (a changed coefficient is still a valid stream), whole or the top
 * half, give ImageIO's pixels, and ImageIO decodes them too.
 */
package org.sparkcnn.data.jpeg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.junit.jupiter.api.Test;
import org.sparkcnn.data.augment.EncodedAugmenter;
import org.sparkcnn.data.augment.Image;
import org.sparkcnn.data.augment.Pipeline;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.SharedData;

class JpegWindowDecoderTest {
  private static final String NATIVE = "javax_imageio_jpeg_image_1.0";

  /** dst = the reference: the window {y0, x0, h, w} of ImageIO's raw raster, into RGB. */
  static Image reference(byte[] file, int[] window) throws IOException {
    Jpeg jpeg = Jpeg.of(file);
    ImageReader r = ImageIO.getImageReadersByFormatName("jpeg").next();
    try {
      r.setInput(new MemoryCacheImageInputStream(new ByteArrayInputStream(file)), true, true);
      ImageReadParam p = r.getDefaultReadParam();
      p.setSourceRegion(new Rectangle(window[1], window[0], window[3], window[2]));
      Image im = new Image();
      assertTrue(RgbPlanes.rawToPlanes(r.readRaster(0, p), jpeg.components() == 3, im));
      return im;
    } finally {
      r.dispose();
    }
  }

  /** Windows of an h x w image: whole, corners, edges, odd offsets, MCU edges, random ones. */
  static List<int[]> windows(int h, int w, long seed) {
    List<int[]> out = new ArrayList<>();
    out.add(new int[] {0, 0, h, w});
    out.add(new int[] {0, 0, 1, 1});
    out.add(new int[] {h - 1, w - 1, 1, 1});
    out.add(new int[] {0, w - 1, 1, 1});
    out.add(new int[] {h - 1, 0, 1, 1});
    out.add(new int[] {h / 2, w / 2, 1, 1});
    out.add(new int[] {0, w / 3, Math.min(3, h), w - w / 3}); // top and right edges
    out.add(new int[] {h / 3, 0, h - h / 3, Math.max(1, w / 2)}); // left and bottom edges
    if (h > 2 && w > 2) {
      out.add(new int[] {1, 1, h - 2, w - 2});
    }
    for (int end : new int[] {7, 8, 9, 15, 16, 17, 31, 33}) { // windows ending near MCU edges
      if (end < h && end < w) {
        out.add(new int[] {end / 3, end / 5 + 1, end - end / 3, end - end / 5 - 1});
        out.add(new int[] {end / 2 | 1, 1, end + 1 - (end / 2 | 1), w - 1});
      }
    }
    Rng r = Rng.of(seed);
    for (int i = 0; i < 6; i++) {
      int y0 = r.nextInt(h);
      int x0 = r.nextInt(w);
      out.add(new int[] {y0, x0, 1 + r.nextInt(h - y0), 1 + r.nextInt(w - x0)});
    }
    return out;
  }

  /**
   * Checks every window of the file bit for bit against the reference; false if the decoder
   * declines the file (it must then decline every window reaching its last row).
   */
  static boolean sameAsReference(JpegWindowDecoder d, byte[] file, String name, long seed)
      throws IOException {
    Jpeg jpeg = Jpeg.of(file);
    assertNotNull(jpeg, name);
    Image got = new Image();
    if (!d.decode(file, jpeg.components(), new int[] {0, 0, jpeg.height(), jpeg.width()}, got)) {
      return false;
    }
    for (int[] win : windows(jpeg.height(), jpeg.width(), seed)) {
      String what = name + " window " + Arrays.toString(win);
      assertTrue(d.decode(file, jpeg.components(), win, got), what);
      Image expected = reference(file, win);
      assertEquals(expected.shape(), got.shape(), what);
      assertArrayEquals(expected.pixels(), got.pixels(), what);
    }
    return true;
  }

  /** An h x w image: noise on its left half (busy AC coefficients), a gradient on the right. */
  static BufferedImage picture(int h, int w, int type, long seed) {
    BufferedImage img = new BufferedImage(w, h, type);
    Rng r = Rng.of(seed);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int rgb =
            x < w / 2
                ? r.nextInt(1 << 24)
                : (x * 255 / w) << 16 | (y * 255 / h) << 8 | ((x + y) * 97 & 0xFF);
        img.setRGB(x, y, rgb);
      }
    }
    return img;
  }

  /**
   * img written by the JDK's JPEG writer with sampling factors {h, v} per component (as many as the
   * image has), a restart interval (0: none), at the given quality, maybe progressive.
   */
  static byte[] written(
      BufferedImage img, int[][] sampling, int restart, float quality, boolean progressive)
      throws IOException {
    ImageWriter wr = ImageIO.getImageWritersByFormatName("jpeg").next();
    try {
      ImageWriteParam param = wr.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(quality);
      if (progressive) {
        param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
      }
      IIOMetadata meta =
          wr.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(img), param);
      IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree(NATIVE);
      var specs = root.getElementsByTagName("componentSpec");
      for (int i = 0; i < specs.getLength() && sampling != null; i++) {
        IIOMetadataNode spec = (IIOMetadataNode) specs.item(i);
        spec.setAttribute("HsamplingFactor", Integer.toString(sampling[i][0]));
        spec.setAttribute("VsamplingFactor", Integer.toString(sampling[i][1]));
      }
      if (restart > 0) {
        IIOMetadataNode seq = (IIOMetadataNode) root.getElementsByTagName("markerSequence").item(0);
        IIOMetadataNode dri = new IIOMetadataNode("dri");
        dri.setAttribute("interval", Integer.toString(restart));
        seq.insertBefore(dri, root.getElementsByTagName("sof").item(0));
      }
      meta.setFromTree(NATIVE, root);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
        wr.setOutput(ios);
        wr.write(null, new IIOImage(img, null, meta), param);
      }
      return out.toByteArray();
    } finally {
      wr.dispose();
    }
  }

  private static final int[][][] SAMPLINGS = {
    {{1, 1}, {1, 1}, {1, 1}},
    {{2, 1}, {1, 1}, {1, 1}},
    {{1, 2}, {1, 1}, {1, 1}},
    {{2, 2}, {1, 1}, {1, 1}},
    {{3, 1}, {1, 1}, {1, 1}},
    {{4, 2}, {1, 1}, {1, 1}},
    {{1, 3}, {1, 1}, {1, 1}},
    {{2, 2}, {2, 1}, {1, 2}},
    {{1, 1}, {2, 2}, {1, 1}}
  };
  private static final int[][] SIZES = {
    {1, 1}, {9, 7}, {29, 37}, {17, 33}, {3, 250}, {250, 3}, {48, 64}, {131, 97}, {2, 5}, {6, 4}
  };

  @Test
  void colourFilesOfEverySamplingAndSizeDecodeAsImageIo() throws IOException {
    JpegWindowDecoder d = new JpegWindowDecoder();
    int seed = 0;
    for (int[][] sampling : SAMPLINGS) {
      for (int[] size : SIZES) {
        seed++;
        byte[] file =
            written(
                picture(size[0], size[1], BufferedImage.TYPE_INT_RGB, seed),
                sampling,
                0,
                0.75f + 0.02f * (seed % 10),
                false);
        String name = Arrays.deepToString(sampling) + " " + size[0] + "x" + size[1];
        boolean oneByTwo = false; // a component at full width and half height
        for (int[] hv : sampling) {
          oneByTwo |= hv[0] == sampling[0][0] && 2 * hv[1] == sampling[0][1];
        }
        assertEquals(!oneByTwo, sameAsReference(d, file, name, seed), name + " declined");
      }
    }
  }

  @Test
  void greyFilesAndRestartIntervalsDecodeAsImageIo() throws IOException {
    JpegWindowDecoder d = new JpegWindowDecoder();
    for (int[] size : SIZES) {
      BufferedImage grey = picture(size[0], size[1], BufferedImage.TYPE_BYTE_GRAY, 5);
      for (int[][] sampling : new int[][][] {null, {{2, 2}}}) {
        byte[] file = written(grey, sampling, 0, 0.9f, false);
        assertEquals(1, Jpeg.of(file).components());
        assertTrue(sameAsReference(d, file, "grey " + Arrays.toString(size), 3), "grey");
      }
      for (int restart : new int[] {1, 2, 5}) {
        byte[] file =
            written(
                picture(size[0], size[1], BufferedImage.TYPE_INT_RGB, 6),
                SAMPLINGS[restart == 2 ? 3 : restart],
                restart,
                1f,
                false);
        assertTrue(
            sameAsReference(d, file, "restart " + restart + " " + Arrays.toString(size), restart),
            "restart");
        byte[] greyFile = written(grey, null, restart, 0.5f, false);
        assertTrue(sameAsReference(d, greyFile, "grey restart " + restart, restart), "grey");
      }
    }
  }

  @Test
  void progressiveAndTruncatedFilesAreDeclinedAndDecodeThroughImageIo() throws IOException {
    BufferedImage img = picture(48, 64, BufferedImage.TYPE_INT_RGB, 9);
    byte[] progressive = written(img, null, 0, 0.8f, true);
    byte[] whole = written(img, SAMPLINGS[3], 0, 0.8f, false);
    byte[] truncated = Arrays.copyOf(whole, whole.length * 2 / 3);
    byte[] badRestart = written(img, SAMPLINGS[3], 2, 0.8f, false);
    for (int i = 700; i < badRestart.length - 1; i++) {
      if (badRestart[i] == (byte) 0xFF && (badRestart[i + 1] & 0xF8) == 0xD0) {
        badRestart[i + 1] ^= 1; // RSTn out of order
        break;
      }
    }
    byte[] badDcTable = whole.clone();
    for (int i = 2; i < badDcTable.length - 20; i++) {
      if (badDcTable[i] == (byte) 0xFF
          && badDcTable[i + 1] == (byte) 0xC4
          && badDcTable[i + 4] == 0) { // DC table 0: its last symbol made 16
        int n = 0;
        for (int l = 0; l < 16; l++) {
          n += badDcTable[i + 5 + l] & 0xFF;
        }
        badDcTable[i + 20 + n] = 16;
        break;
      }
    }
    JpegWindowDecoder d = new JpegWindowDecoder();
    int[] all = {0, 0, 48, 64};
    assertFalse(d.decode(badDcTable, 3, all, new Image()), "a DC table libjpeg-turbo refuses");
    Pipeline identity = Pipeline.identity(Shape.of(3, 48, 64));
    float[] x = new float[3 * 48 * 64];
    byte[] oneByTwo = written(img, SAMPLINGS[2], 0, 0.8f, false);
    for (byte[] file : List.of(progressive, truncated, badRestart, oneByTwo)) {
      assertFalse(d.decode(file, 3, all, new Image()));
      new EncodedAugmenter().augment(identity, file, "declined.jpg", 1, 1, 1, x, 0);
      assertArrayEquals(reference(file, all).pixels(), x);
    }
    Image top = new Image();
    assertTrue(
        d.decode(truncated, 3, new int[] {0, 0, 8, 64}, top), "rows before the truncation decode");
    assertArrayEquals(reference(truncated, new int[] {0, 0, 8, 64}).pixels(), top.pixels());
    new EncodedAugmenter().augment(identity, whole, "whole.jpg", 1, 1, 1, x, 0);
    assertArrayEquals(reference(whole, all).pixels(), x);
  }

  @Test
  void corruptFilesItStillDecodesGiveImageIosPixels() throws IOException {
    Rng r = Rng.of(17);
    List<byte[]> files =
        List.of(
            written(picture(48, 64, BufferedImage.TYPE_INT_RGB, 1), SAMPLINGS[3], 0, 0.9f, false),
            written(picture(33, 17, BufferedImage.TYPE_INT_RGB, 2), SAMPLINGS[1], 3, 0.7f, false),
            written(picture(29, 37, BufferedImage.TYPE_BYTE_GRAY, 3), null, 2, 0.8f, false));
    JpegWindowDecoder d = new JpegWindowDecoder();
    int handled = 0;
    for (int t = 0; t < 600; t++) {
      byte[] file = files.get(t % files.size()).clone();
      int at = 2 + r.nextInt(file.length - 2);
      switch (t / files.size() % 3) {
        case 0 -> file[at] = (byte) r.nextInt(256); // any byte, headers included
        case 1 -> file[at] ^= (byte) (1 << r.nextInt(8));
        default -> file = Arrays.copyOf(file, at);
      }
      Jpeg jpeg = Jpeg.of(file);
      if (jpeg == null) {
        continue;
      }
      for (int[] win :
          List.of(
              new int[] {0, 0, jpeg.height(), jpeg.width()},
              new int[] {0, 1, Math.max(1, jpeg.height() / 2), jpeg.width() - 1})) {
        Image got = new Image();
        if (d.decode(file, jpeg.components(), win, got)) {
          handled++;
          Image expected;
          try {
            expected = reference(file, win);
          } catch (IOException | RuntimeException e) {
            throw new AssertionError(
                "corruption " + t + " " + Arrays.toString(win) + " decoded here but not by ImageIO",
                e);
          }
          assertArrayEquals(expected.pixels(), got.pixels(), "corruption " + t);
        }
      }
    }
    assertTrue(handled > 100, handled + " corrupt files decoded");
  }

  @Test
  void everyAntsAndBeesJpegItHandlesDecodesAsImageIo() throws IOException {
    Path root = SharedData.root().resolve("datasets/hymenoptera_data");
    List<Path> files;
    try (Stream<Path> s = Files.walk(root)) {
      files = s.filter(f -> f.toString().toLowerCase().matches(".*\\.jpe?g")).sorted().toList();
    }
    JpegWindowDecoder d = new JpegWindowDecoder();
    int raw = 0;
    int handled = 0;
    List<String> declined = new ArrayList<>();
    for (Path f : files) {
      byte[] file = Files.readAllBytes(f);
      if (Jpeg.of(file) != null) {
        raw++;
        if (sameAsReference(d, file, f.toString(), f.hashCode())) {
          handled++;
        } else {
          declined.add(f.getFileName().toString());
        }
      }
    }
    System.out.println(
        "JpegWindowDecoder: "
            + handled
            + " of "
            + raw
            + " raw-path JPEGs of "
            + files.size()
            + " files handled; declined: "
            + declined);
    assertTrue(handled >= raw * 9 / 10, handled + " of " + raw + " handled; declined: " + declined);
  }
}

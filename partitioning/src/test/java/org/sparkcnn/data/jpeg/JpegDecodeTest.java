/*
 * ImageDecoder's JPEG path against ImageIO's and PIL's: the raw raster turned into RGB with
 * libjpeg's tables gives exactly the pixels of ImageReader.read for every JPEG of the shared
 * ants/bees set without an ICC profile (camera files, chroma subsampled; those with an Adobe
 * marker, whose colour space the JDK decides its own way, are left to read) and for colour and
 * grey files written here. Where a file embeds an ICC profile, read converts its colours and
 * PIL (torchvision's loader) does not: the raw path gives PIL's pixels, checked on one such file
 * against values from PIL 9.4. The header parser reads sizes and leaves files it does not know
 * to the reader.
 */
package org.sparkcnn.data.jpeg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.junit.jupiter.api.Test;
import org.sparkcnn.data.augment.Image;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.SharedData;

class JpegDecodeTest {
  private static ImageReader reader(byte[] file) {
    ImageReader r = ImageIO.getImageReadersByFormatName("jpeg").next();
    r.setInput(new MemoryCacheImageInputStream(new ByteArrayInputStream(file)), true, true);
    return r;
  }

  /** The raw path's pixels equal read's, whole and in a window; the header's size is right. */
  private static void samePixels(byte[] file, String name) throws IOException {
    Jpeg jpeg = Jpeg.of(file);
    assertNotNull(jpeg, name);
    assertEquals("JPEG", reader(file).getFormatName(), name);
    BufferedImage img = reader(file).read(0);
    assertEquals(img.getHeight(), jpeg.height(), name);
    assertEquals(img.getWidth(), jpeg.width(), name);
    Image expected = new Image();
    RgbPlanes.toPlanes(img, expected);
    Image got = new Image();
    assertTrue(
        RgbPlanes.rawToPlanes(reader(file).readRaster(0, null), jpeg.components() == 3, got), name);
    assertArrayEquals(expected.pixels(), got.pixels(), name);
    ImageReadParam p = new ImageReadParam();
    int h = jpeg.height();
    int w = jpeg.width();
    p.setSourceRegion(new Rectangle(w / 5, h / 3, w / 2, h / 2));
    Image window = new Image();
    assertTrue(
        RgbPlanes.rawToPlanes(reader(file).readRaster(0, p), jpeg.components() == 3, window), name);
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < h / 2; y++) {
        for (int x = 0; x < w / 2; x++) {
          if (window.get(c, y, x) != expected.get(c, h / 3 + y, w / 5 + x)) {
            throw new AssertionError(name + ": window pixel " + c + "," + y + "," + x);
          }
        }
      }
    }
  }

  private static byte[] written(int type) throws IOException {
    BufferedImage img = new BufferedImage(37, 29, type);
    Rng r = Rng.of(4);
    for (int y = 0; y < 29; y++) {
      for (int x = 0; x < 37; x++) {
        img.setRGB(x, y, r.nextInt(1 << 24));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(img, "jpeg", out));
    return out.toByteArray();
  }

  @Test
  void theImageioPathReadsEveryJpegThroughTheReaderForTheSamePixels() throws IOException {
    byte[] file = written(BufferedImage.TYPE_INT_RGB);
    int[] window = {3, 5, 20, 24}; // top, left, h, w
    float[][] got = new float[2][];
    for (ImageDecoder.JpegPath path : ImageDecoder.JpegPath.values()) {
      ImageDecoder d = new ImageDecoder(path);
      try {
        d.open(file, "colour.jpg");
        assertEquals(path == ImageDecoder.JpegPath.IMAGEIO, d.readerOpen(), path + ": the reader");
        float[] px = new float[3 * 20 * 24];
        d.decode(window, (h, w) -> px);
        got[path.ordinal()] = px;
      } finally {
        d.close();
      }
    }
    assertArrayEquals(got[0], got[1], "the own decoder and javax.imageio's raw raster");
  }

  @Test
  void colourAndGreyFilesWrittenHereDecodeToReadsPixels() throws IOException {
    samePixels(written(BufferedImage.TYPE_INT_RGB), "colour");
    byte[] grey = written(BufferedImage.TYPE_BYTE_GRAY);
    assertEquals(1, Jpeg.of(grey).components());
    samePixels(grey, "grey");
  }

  @Test
  void everyJpegOfTheAntsAndBeesDecodesToReadsPixels() throws IOException {
    Path train = SharedData.root().resolve("datasets/hymenoptera_data/train");
    List<Path> files;
    try (Stream<Path> s = Files.walk(train)) {
      files = s.filter(f -> f.toString().toLowerCase().matches(".*\\.jpe?g")).sorted().toList();
    }
    int raw = 0;
    for (Path f : files) {
      byte[] file = Files.readAllBytes(f);
      if (Jpeg.of(file) != null) {
        raw++;
        if (!hasIccProfile(file)) {
          samePixels(file, f.toString());
        }
      }
    }
    assertTrue(raw >= 235, raw + " of " + files.size() + " files on the raw path");
  }

  private static boolean hasIccProfile(byte[] file) {
    String head =
        new String(
            file, 0, Math.min(file.length, 4096), java.nio.charset.StandardCharsets.ISO_8859_1);
    return head.contains("ICC_PROFILE");
  }

  @Test
  void aFileWithAnIccProfileDecodesToPilsPixels() throws IOException {
    Path f =
        SharedData.root().resolve("datasets/hymenoptera_data/train/ants/1225872729_6f0856588f.jpg");
    byte[] file = Files.readAllBytes(f);
    assertTrue(hasIccProfile(file));
    Image im = new Image();
    assertTrue(RgbPlanes.rawToPlanes(reader(file).readRaster(0, null), true, im));
    assertEquals(org.sparkcnn.engine.Shape.of(3, 321, 500), im.shape());
    // PIL 9.4: np.asarray(Image.open(f).convert('RGB')): sum 85270287, [0, 0] = (146, 127, 120),
    // [100, 200] = (247, 245, 246)
    long sum = 0;
    float[] px = im.pixels();
    for (int i = 0; i < im.size(); i++) {
      sum += Math.round(px[i] * 255);
    }
    assertEquals(85270287L, sum);
    assertArrayEquals(
        new float[] {146, 127, 120},
        new float[] {im.get(0, 0, 0) * 255, im.get(1, 0, 0) * 255, im.get(2, 0, 0) * 255},
        1e-3f);
    assertArrayEquals(
        new float[] {247, 245, 246},
        new float[] {
          im.get(0, 100, 200) * 255, im.get(1, 100, 200) * 255, im.get(2, 100, 200) * 255
        },
        1e-3f);
  }

  @Test
  void filesItDoesNotKnowAreLeftToTheReader() throws IOException {
    assertNull(Jpeg.of(new byte[] {1, 2, 3, 4, 5}));
    byte[] noJfif = written(BufferedImage.TYPE_INT_RGB).clone();
    noJfif[6] = 'X'; // the JFIF marker's name: libjpeg would have to guess the colour space
    assertNull(Jpeg.of(noJfif));
    assertNull(
        Jpeg.of(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0x7F, 0x00}));
  }
}

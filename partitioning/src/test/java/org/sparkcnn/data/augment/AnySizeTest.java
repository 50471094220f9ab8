/*
 * Pipelines on images of any size, as torchvision takes them: random_resized_crop draws its box
 * from the actual image's size (inside it, within the scale and ratio bounds, the same box for the
 * same stream, and for the declared size the draws it always made); a pipeline whose first op does
 * not take any size refuses another size with a message; an encoded image decoded window by
 * window gives the pixels of decoding it whole and cropping.
 */
package org.sparkcnn.data.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.sparkcnn.data.jpeg.ImageIoReference;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;

class AnySizeTest {
  private static final Map<String, Object> RRC = Map.of("op", "random_resized_crop", "size", 24);
  private static final Map<String, Object> NORMALIZE =
      Map.of(
          "op",
          "normalize",
          "mean",
          List.of(0.485, 0.456, 0.406),
          "std",
          List.of(0.229, 0.224, 0.225));

  private static Pipeline pipeline(Shape in, Object... items) {
    return Augmentation.training(List.of(items), "data.augment", in);
  }

  private static Image noise(int c, int h, int w, long seed) {
    float[] v = new float[c * h * w];
    Rng r = Rng.of(seed);
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextFloat();
    }
    return Image.of(c, h, w, v);
  }

  @Test
  void boxesForA500x375ImageLieInsideItWithinTheScaleAndRatioBounds() {
    var op = (RandomResizedCrop) AugmentOpsTest.op(Shape.of(3, 32, 32), RRC);
    Set<String> boxes = new HashSet<>();
    for (int id = 0; id < 500; id++) {
      int[] b = op.draw(Rng.of(9, id), 375, 500);
      assertTrue(
          b[0] >= 0 && b[1] >= 0 && b[0] + b[2] <= 375 && b[1] + b[3] <= 500,
          java.util.Arrays.toString(b));
      double share = (double) b[2] * b[3] / (375 * 500);
      double ratio = (double) b[3] / b[2];
      // rounding the sides to whole pixels moves the share and the ratio a little
      assertTrue(share >= 0.08 * 0.97 && share <= 1.0, "area share " + share);
      assertTrue(ratio >= 0.75 * 0.97 && ratio <= 4.0 / 3 * 1.03, "ratio " + ratio);
      assertArrayEquals(b, op.draw(Rng.of(9, id), 375, 500)); // same stream, same box
      boxes.add(java.util.Arrays.toString(b));
    }
    assertTrue(boxes.size() > 450, boxes.size() + " distinct boxes");
  }

  @Test
  void theDeclaredSizeKeepsItsDraws() {
    var op = (RandomResizedCrop) AugmentOpsTest.op(Shape.of(3, 40, 50), RRC);
    for (int id = 0; id < 50; id++) {
      assertArrayEquals(op.draw(Rng.of(3, id)), op.draw(Rng.of(3, id), 40, 50));
    }
    // pinned: the boxes the op drew before it took other sizes (the code of main at d859f92)
    assertArrayEquals(new int[] {13, 18, 26, 30}, op.draw(Rng.of(3, 0)));
    assertArrayEquals(new int[] {1, 23, 18, 18}, op.draw(Rng.of(3, 7)));
    // a box too wide for a thin image: ten misses, then the centre at the nearest ratio
    int[] thin = op.draw(Rng.of(3, 1), 400, 10);
    assertTrue(thin[3] <= 10 && thin[0] + thin[2] <= 400, java.util.Arrays.toString(thin));
  }

  @Test
  void aPipelineStartingWithAResizedCropRunsOnAnySize() {
    Pipeline p = pipeline(Shape.of(3, 32, 32), RRC, Map.of("op", "hflip", "p", 0), NORMALIZE);
    assertTrue(p.anySize());
    Image big = noise(3, 375, 500, 1);
    Image out = p.run(Image.of(3, 375, 500, big.pixels()), new Image(), 5, 2, 77); // reuses a
    assertEquals(Shape.of(3, 24, 24), out.shape());
    // by hand: the box from the first op's own stream and the actual size, then normalize
    var op = (RandomResizedCrop) p.ops().get(0);
    int[] box = op.draw(Rng.of(5, Pipeline.STREAM, 2, 77, 0), 375, 500);
    Image expected = new Image();
    op.apply(big, box, expected);
    Image normal = new Image();
    ((Normalize) p.ops().get(2)).apply(expected, null, normal);
    assertArrayEquals(normal.pixels(), out.pixels());
  }

  @Test
  void otherSizesAreRefusedWithAMessageUnlessTheFirstOpTakesThem() {
    Pipeline flip = pipeline(Shape.of(3, 32, 32), "hflip", NORMALIZE);
    assertFalse(flip.anySize());
    String m =
        assertThrows(
                IllegalArgumentException.class,
                () -> flip.run(noise(3, 20, 30, 2), new Image(), 1, 1, 1))
            .getMessage();
    assertEquals(
        "the augmentation pipeline [hflip, normalize] is built for 3x32x32 images and got"
            + " a 3x20x30 image; only a pipeline whose first op is random_resized_crop, resize to"
            + " [h, w] or center_crop takes images of any size (or resize to a shorter side n then"
            + " a center_crop of at most n x n)",
        m);
    Pipeline shorter = pipeline(Shape.of(3, 32, 32), Map.of("op", "resize", "size", 16));
    assertFalse(shorter.anySize()); // the shorter side's output depends on the input's size
    assertTrue(
        pipeline(Shape.of(3, 32, 32), Map.of("op", "resize", "size", List.of(16, 16))).anySize());
    Pipeline rrc = pipeline(Shape.of(3, 32, 32), RRC);
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> rrc.run(noise(1, 40, 40, 3), new Image(), 1, 1, 1))
            .getMessage()
            .endsWith("takes 3-channel images; got a 1-channel image"));
    Pipeline centre = pipeline(Shape.of(3, 32, 32), Map.of("op", "center_crop", "size", 24));
    assertEquals(
        Shape.of(3, 24, 24), centre.run(noise(3, 30, 100, 4), new Image(), 1, 1, 1).shape());
    assertEquals(
        "center_crop: a 24x24 crop is larger than the 20x100 image; expected an image"
            + " of at least 24x24",
        assertThrows(
                IllegalArgumentException.class,
                () -> centre.run(noise(3, 20, 100, 4), new Image(), 1, 1, 1))
            .getMessage());
  }

  /** A JPEG of smooth colours and noise, 61 x 47 pixels: not a whole number of blocks. */
  private static byte[] jpeg(String format) throws IOException {
    BufferedImage img = new BufferedImage(61, 47, BufferedImage.TYPE_INT_RGB);
    Rng r = Rng.of(11);
    for (int y = 0; y < 47; y++) {
      for (int x = 0; x < 61; x++) {
        int red = (x * 4 + r.nextInt(40)) & 0xFF;
        int green = (y * 5 + r.nextInt(40)) & 0xFF;
        int blue = (x * y / 8 + r.nextInt(40)) & 0xFF;
        img.setRGB(x, y, red << 16 | green << 8 | blue);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(img, format, out));
    return out.toByteArray();
  }

  private static Image decodeWhole(byte[] file) throws IOException {
    Image whole = new Image();
    ImageIoReference.toPlanes(ImageIO.read(new ByteArrayInputStream(file)), whole);
    return whole;
  }

  @Test
  void decodingOnlyTheBoxGivesThePixelsOfDecodingAllAndCropping() throws IOException {
    for (String format : List.of("jpeg", "png")) {
      byte[] file = jpeg(format);
      Image whole = decodeWhole(file);
      assertEquals(Shape.of(3, 47, 61), whole.shape());
      Pipeline p =
          pipeline(
              Shape.of(3, 32, 32),
              RRC,
              "hflip",
              Map.of("op", "color_jitter", "brightness", 0.4, "hue", 0.1),
              NORMALIZE);
      EncodedAugmenter enc = new EncodedAugmenter();
      float[] x = new float[3 + p.output().size()];
      for (int id = 0; id < 40; id++) {
        enc.augment(p, file, "noise." + format, 7, 1, id, x, 3);
        float[] expected =
            p.run(Image.of(3, 47, 61, whole.pixels()), new Image(), 7, 1, id).pixels();
        assertArrayEquals(
            expected, java.util.Arrays.copyOfRange(x, 3, x.length), format + " sample " + id);
      }
    }
  }

  @Test
  void aPipelineForOneSizeDecodesWholeImagesOfThatSize() throws IOException {
    byte[] file = jpeg("jpeg");
    Pipeline p = pipeline(Shape.of(3, 47, 61), "hflip", NORMALIZE);
    float[] x = new float[p.output().size()];
    new EncodedAugmenter().augment(p, file, "noise.jpg", 1, 1, 3, x, 0);
    assertArrayEquals(p.run(decodeWhole(file), new Image(), 1, 1, 3).pixels(), x);
    Pipeline other = pipeline(Shape.of(3, 32, 32), "hflip");
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> new EncodedAugmenter().augment(other, file, "noise.jpg", 1, 1, 3, x, 0))
            .getMessage()
            .contains("is built for 3x32x32 images and got a 3x47x61 image"));
    assertEquals(
        "cannot decode the image junk.jpg: not a format javax.imageio reads (JPEG, PNG,"
            + " GIF, BMP)",
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    new EncodedAugmenter()
                        .augment(p, new byte[] {1, 2, 3, 4}, "junk.jpg", 1, 1, 3, x, 0))
            .getMessage());
  }

  @Test
  void resizeToAShorterSideThenCenterCropTakesAnySizeAsTorchvisionEvaluates() {
    Map<String, Object> crop = Map.of("op", "center_crop", "size", 16);
    Pipeline eval =
        pipeline(Shape.of(3, 32, 32), Map.of("op", "resize", "size", 20), crop, NORMALIZE);
    assertTrue(eval.anySize());
    assertEquals(Shape.of(3, 16, 16), eval.output());
    // a 40x60 image: its shorter side to 20 makes 20x30, as resize to [20, 30] does
    Pipeline exact =
        pipeline(
            Shape.of(3, 32, 32), Map.of("op", "resize", "size", List.of(20, 30)), crop, NORMALIZE);
    Image wide = noise(3, 40, 60, 5);
    Image byExact = exact.run(wide, new Image(), 1, 0, 3);
    Image byShorter = eval.run(noise(3, 40, 60, 5), new Image(), 1, 0, 3);
    assertArrayEquals(
        java.util.Arrays.copyOf(byExact.px, byExact.size()),
        java.util.Arrays.copyOf(byShorter.px, byShorter.size()));
    // a crop larger than the shorter side would not fit every image: not any size
    assertFalse(
        pipeline(
                Shape.of(3, 32, 48),
                Map.of("op", "resize", "size", 12),
                Map.of("op", "center_crop", "size", List.of(12, 14)))
            .anySize());
  }
}

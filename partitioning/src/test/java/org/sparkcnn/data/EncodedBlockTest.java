/*
 * Encoded blocks (data.cache: encoded) without Spark: a minibatch decoded from the files equals
 * the same samples of the decoded block, pixels, ids and labels, in the epoch order; the decoded
 * batch block is reused; channel statistics over both forms are the same bits (across the
 * decoding chunk); and the messages of a file that does not decode, a decoder of the wrong shape,
 * bad offsets and reading the pixels of an encoded block.
 */
package org.sparkcnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.sparkcnn.engine.Rng;

class EncodedBlockTest {
  private static final int SIZE = 8;
  private static final FolderSource DECODER = new FolderSource("unused", SIZE, 0, 0);

  /** A w x h image of random colours from (seed, i), as PNG or JPEG bytes. */
  private static byte[] file(int i, int w, int h, String format) throws Exception {
    Rng r = Rng.of(5, i);
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, r.nextInt(1 << 24));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(img, format, out));
    return out.toByteArray();
  }

  private static List<EncodedSample> files(int n) throws Exception {
    List<EncodedSample> samples = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      samples.add(
          new EncodedSample(
              2L * i + 1,
              i % 3,
              file(i, 9 + i % 5, 11, i % 2 == 0 ? "png" : "jpg"),
              "/data/train/c" + i % 3 + "/f" + i + (i % 2 == 0 ? ".png" : ".jpg")));
    }
    return samples;
  }

  /** The decoded block of the same samples, as the decoded cache holds it. */
  private static Block decoded(List<EncodedSample> samples) {
    List<Sample> out = new ArrayList<>();
    for (EncodedSample s : samples) {
      out.add(new Sample(s.id(), s.label(), FolderSource.decode(s.bytes(), SIZE, s.path())));
    }
    return Block.of(1, DECODER.shape(), out);
  }

  @Test
  void aDecodedMinibatchEqualsTheDecodedBlocksSamples() throws Exception {
    List<EncodedSample> samples = files(9);
    Block enc = Block.ofEncoded(1, DECODER.shape(), samples);
    Block dec = decoded(samples);
    assertTrue(enc.isEncoded());
    assertEquals(9, enc.size());
    int[] order = enc.epochOrder(42, 3);
    assertArrayEquals(dec.epochOrder(42, 3), order);
    Normalizer norm =
        new Normalizer(new float[] {0.4f, 0.5f, 0.6f}, new float[] {0.2f, 0.3f, 0.25f});
    int n = 4;
    int size = DECODER.shape().size();
    Block batch = enc.decode(order, 4, n, DECODER, null);
    float[] want = new float[n * size];
    int[] wantY = new int[n];
    dec.gather(order, 4, n, norm, want, wantY);
    float[] got = new float[n * size];
    int[] gotY = new int[n];
    batch.gather(null, 0, n, norm, got, gotY);
    assertArrayEquals(want, got);
    assertArrayEquals(wantY, gotY);
    for (int i = 0; i < n; i++) {
      assertEquals(dec.id(order[4 + i]), batch.id(i));
    }
    assertSame(batch, enc.decode(order, 0, n, DECODER, batch), "the batch block is reused");
    assertEquals(dec.id(order[0]), batch.id(0));
  }

  @Test
  void channelStatisticsAreTheSameForBothForms() throws Exception {
    List<EncodedSample> samples = files(70); // more than one decoding chunk of 64
    double[] dec = ChannelStats.partial(decoded(samples), 3, null);
    double[] enc = ChannelStats.partial(Block.ofEncoded(0, DECODER.shape(), samples), 3, DECODER);
    assertArrayEquals(dec, enc);
    assertEquals(70.0 * SIZE * SIZE, enc[6]);
  }

  @Test
  void problemsAreNamed() throws Exception {
    List<EncodedSample> samples = new ArrayList<>(files(3));
    samples.set(1, new EncodedSample(3, 0, new byte[] {1, 2, 3}, "/data/train/c0/broken.jpg"));
    Block enc = Block.ofEncoded(2, DECODER.shape(), samples);
    var e =
        assertThrows(IllegalArgumentException.class, () -> enc.decode(null, 0, 3, DECODER, null));
    assertTrue(
        e.getMessage().contains("cannot decode the image /data/train/c0/broken.jpg"),
        e.getMessage());
    Source.Encoded wrongSize = new FolderSource("unused", SIZE + 1, 0, 0);
    e = assertThrows(IllegalArgumentException.class, () -> enc.decode(null, 0, 1, wrongSize, null));
    assertTrue(e.getMessage().contains("decoded to 243 bytes, expected 192"), e.getMessage());
    var s = assertThrows(IllegalStateException.class, enc::pixels);
    assertTrue(s.getMessage().contains("partition 2 is cached as encoded files"), s.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> enc.decode(null, 0, 1, null, null));
    assertTrue(e.getMessage().contains("no decoder"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Block.encoded(
                    0,
                    DECODER.shape(),
                    new long[] {0, 1},
                    new int[] {0, 0},
                    new byte[5],
                    new int[] {0, 3, 2},
                    new String[2]));
    assertTrue(e.getMessage().contains("offsets must increase"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Block.encoded(
                    0,
                    DECODER.shape(),
                    new long[] {0},
                    new int[] {0},
                    new byte[5],
                    new int[] {0, 4},
                    new String[1]));
    assertTrue(e.getMessage().contains("expected 0..5"), e.getMessage());
    assertEquals(3, enc.offsets()[2] - enc.offsets()[1], "the broken file's 3 bytes");
  }
}

/*
 * Runs a pipeline on encoded images (JPEG, PNG, ... any format javax.imageio reads) as an
 * ImageNet loader does every epoch: decode, augment, land in the batch. When the pipeline's first
 * op takes any size (random_resized_crop, resize to [h, w], center_crop), its parameters are drawn
 * from the size in the file's header and only the window that op reads is decoded: the same
 * pixels as decoding the whole image and cropping, for less work. Pixels are RGB (a grey image's
 * level in all three channels), scaled to [0, 1] as k / 255. The decoding is ImageDecoder's (the
 * project's JPEG window decoder, javax.imageio for what it declines and for other formats). One
 * per thread: it keeps its decoder, reader and buffers between images.
 */
package org.sparkcnn.data.augment;

import org.sparkcnn.data.jpeg.ImageDecoder;

public final class EncodedAugmenter {
  private final Image a = new Image();
  private final Image b = new Image();
  private final ImageDecoder decoder;
  private final File file = new File();

  /** An augmenter whose JPEGs go to the own decoder first. */
  public EncodedAugmenter() {
    this(ImageDecoder.JpegPath.OWN);
  }

  public EncodedAugmenter(ImageDecoder.JpegPath jpeg) {
    decoder = new ImageDecoder(jpeg);
  }

  public ImageDecoder.JpegPath jpegPath() {
    return decoder.jpegPath();
  }

  /**
   * x[offset, offset + pipe.output().size()) = the encoded image, decoded and run through the
   * per-sample ops of pipe as sample id of epoch (normalised only by the pipeline's own normalize
   * op). The pipeline must take 3-channel images, of this image's size or any size. name is for
   * messages.
   */
  public void augment(
      Pipeline pipe,
      byte[] encoded,
      String name,
      long seed,
      int epoch,
      long id,
      float[] x,
      int offset) {
    if (pipe.input().c() != 3) {
      throw new IllegalArgumentException(
          "encoded images decode to RGB, but the pipeline "
              + pipe.names()
              + " takes "
              + pipe.input().c()
              + "-channel images");
    }
    try {
      decoder.open(encoded, name);
      Image out = pipe.run(file, a, b, seed, epoch, id);
      System.arraycopy(out.px, 0, x, offset, out.size());
    } finally {
      decoder.close();
    }
  }

  /** The file being decoded, as the pipeline sees it: a size, then a window's pixels. */
  private final class File implements Pipeline.Encoded {
    @Override
    public int height() {
      return decoder.height();
    }

    @Override
    public int width() {
      return decoder.width();
    }

    @Override
    public void decode(int[] window, Image dst) {
      decoder.decode(window, dst);
    }
  }
}

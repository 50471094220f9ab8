/*
 * Runs a pipeline on encoded images (JPEG, PNG, ... any format javax.imageio reads) as an
 * ImageNet loader does every epoch: decode, augment, land in the batch. When the pipeline's first
 * op takes any size (random_resized_crop, resize to [h, w], center_crop), its parameters are drawn
 * from the size in the file's header and only the window that op reads is decoded
 * (ImageReadParam.setSourceRegion): the same pixels as decoding the whole image and cropping, for
 * less work. Pixels are RGB (a grey image's level in all three channels), scaled to [0, 1] as
 * k / 255. One per thread: it keeps its reader and buffers between images.
 */
package org.sparkcnn.data.augment;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

public final class EncodedAugmenter {
  private static final float[] LEVELS = new float[256]; // k / 255f, as Augmenter scales bytes
  private final Image a = new Image();
  private final Image b = new Image();
  private final File file = new File();
  private ImageReader reader; // the last format's reader, reused while the format repeats

  static {
    for (int k = 0; k < 256; k++) {
      LEVELS[k] = k / 255f;
    }
  }

  /**
   * x[offset, offset + pipe.output().size()) = the encoded image, decoded and run through the
   * per-sample ops of pipe as sample id of epoch (normalised only by the pipeline's own
   * normalize op). The pipeline must take 3-channel images, of this image's size or any size.
   * name is for messages.
   */
  public void augment(Pipeline pipe, byte[] encoded, String name, long seed, int epoch, long id,
      float[] x, int offset) {
    if (pipe.input().c() != 3) {
      throw new IllegalArgumentException("encoded images decode to RGB, but the pipeline "
          + pipe.names() + " takes " + pipe.input().c() + "-channel images");
    }
    try {
      file.open(encoded, name);
      Image out = pipe.run(file, a, b, seed, epoch, id);
      System.arraycopy(out.px, 0, x, offset, out.size());
    } finally {
      file.close();
    }
  }

  /** The file being decoded, as the pipeline sees it: a size, then a window's pixels. */
  private final class File implements Pipeline.Encoded {
    private ImageInputStream in;
    private String name;
    private int h;
    private int w;

    void open(byte[] encoded, String name) {
      this.name = name;
      try {
        in = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded));
        if (reader == null || !reader.getOriginatingProvider().canDecodeInput(in)) {
          Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
          if (!readers.hasNext()) {
            throw new IllegalArgumentException("cannot decode the image " + name
                + ": not a format javax.imageio reads (JPEG, PNG, GIF, BMP)");
          }
          if (reader != null) {
            reader.dispose();
          }
          reader = readers.next();
        }
        reader.setInput(in, true, true);
        h = reader.getHeight(0);
        w = reader.getWidth(0);
      } catch (IOException | RuntimeException e) {
        throw failed(e);
      }
    }

    void close() {
      if (reader != null) {
        reader.setInput(null);
      }
      in = null;
    }

    private IllegalArgumentException failed(Exception e) {
      return e instanceof IllegalArgumentException iae && iae.getMessage() != null
          && iae.getMessage().startsWith("cannot decode") ? iae
          : new IllegalArgumentException("cannot decode the image " + name + ": " + e, e);
    }

    @Override
    public int height() {
      return h;
    }

    @Override
    public int width() {
      return w;
    }

    @Override
    public void decode(int[] window, Image dst) {
      BufferedImage img;
      try {
        ImageReadParam param = reader.getDefaultReadParam();
        if (window[0] != 0 || window[1] != 0 || window[2] != h || window[3] != w) {
          param.setSourceRegion(new Rectangle(window[1], window[0], window[3], window[2]));
        }
        img = reader.read(0, param);
      } catch (IOException | RuntimeException e) {
        throw failed(e);
      }
      if (img.getHeight() != window[2] || img.getWidth() != window[3]) {
        throw new IllegalStateException("decoding " + name + " gave " + img.getWidth() + "x"
            + img.getHeight() + " pixels for a " + window[3] + "x" + window[2] + " window");
      }
      toPlanes(img, dst);
    }
  }

  /** dst [3, h, w] = the RGB levels of img in [0, 1]. */
  static void toPlanes(BufferedImage img, Image dst) {
    int h = img.getHeight();
    int w = img.getWidth();
    dst.reshape(3, h, w);
    int plane = h * w;
    float[] px = dst.px;
    Raster r = img.getRaster();
    int type = img.getType();
    if ((type == BufferedImage.TYPE_3BYTE_BGR || type == BufferedImage.TYPE_BYTE_GRAY)
        && r.getSampleModel() instanceof ComponentSampleModel sm
        && r.getDataBuffer() instanceof DataBufferByte db && db.getNumBanks() == 1) {
      byte[] data = db.getData();
      int stride = sm.getPixelStride();
      int[] band = sm.getBandOffsets(); // BGR: {2, 1, 0}; grey: {0}
      int red = band[0];
      int green = band[band.length == 3 ? 1 : 0];
      int blue = band[band.length == 3 ? 2 : 0];
      for (int y = 0; y < h; y++) {
        int s = db.getOffset() + (y - r.getSampleModelTranslateY()) * sm.getScanlineStride()
            - r.getSampleModelTranslateX() * stride;
        int d = y * w;
        for (int x = 0; x < w; x++, s += stride) {
          px[d + x] = LEVELS[data[s + red] & 0xFF];
          px[plane + d + x] = LEVELS[data[s + green] & 0xFF];
          px[2 * plane + d + x] = LEVELS[data[s + blue] & 0xFF];
        }
      }
      return;
    }
    int[] row = new int[w]; // any other layout: through the colour model, as FolderSource reads
    for (int y = 0; y < h; y++) {
      img.getRGB(0, y, w, 1, row, 0, w);
      for (int x = 0; x < w; x++) {
        int rgb = row[x];
        px[y * w + x] = LEVELS[(rgb >> 16) & 0xFF];
        px[plane + y * w + x] = LEVELS[(rgb >> 8) & 0xFF];
        px[2 * plane + y * w + x] = LEVELS[rgb & 0xFF];
      }
    }
  }
}

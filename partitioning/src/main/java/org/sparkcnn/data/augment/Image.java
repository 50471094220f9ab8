/*
 * One image on its way through an augmentation pipeline: C x H x W floats in CHW order, held in a
 * buffer that is reused from sample to sample (it grows only when a larger image comes), so that
 * the pipeline allocates nothing per sample once it has seen the largest stage.
 */
package org.sparkcnn.data.augment;

import org.sparkcnn.data.jpeg.RgbTarget;
import org.sparkcnn.engine.Shape;

public final class Image implements RgbTarget {
  int c;
  int h;
  int w;
  float[] px = new float[0]; // [c, h, w]; only the first c*h*w entries are the image
  private float[] spare = new float[0]; // a second buffer for kernels with two passes

  public Image() {}

  /** An image holding a copy of pixels [c, h, w]. */
  public static Image of(int c, int h, int w, float... pixels) {
    if (pixels.length != c * h * w) {
      throw new IllegalArgumentException(
          c + "x" + h + "x" + w + " image needs " + c * h * w + " pixels, got " + pixels.length);
    }
    Image im = new Image().reshape(c, h, w);
    System.arraycopy(pixels, 0, im.px, 0, pixels.length);
    return im;
  }

  /** Makes this a c x h x w image (contents undefined), growing the buffer if needed. */
  Image reshape(int c, int h, int w) {
    this.c = c;
    this.h = h;
    this.w = w;
    if (px.length < c * h * w) {
      px = new float[c * h * w];
    }
    return this;
  }

  /** Makes this a 3 x h x w image for a decoder to fill; its buffer. */
  @Override
  public float[] rgb(int h, int w) {
    return reshape(3, h, w).px;
  }

  /** A scratch buffer of at least n floats, kept with this image for reuse. */
  float[] spare(int n) {
    if (spare.length < n) {
      spare = new float[n];
    }
    return spare;
  }

  public Shape shape() {
    return Shape.of(c, h, w);
  }

  public int size() {
    return c * h * w;
  }

  public float get(int ch, int y, int x) {
    return px[(ch * h + y) * w + x];
  }

  /** A copy of the pixels, [c, h, w]. */
  public float[] pixels() {
    return java.util.Arrays.copyOf(px, size());
  }
}

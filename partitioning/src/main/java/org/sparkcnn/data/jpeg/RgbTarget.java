/*
 * Where ImageDecoder writes an image: RGB levels in [0, 1] (a sample k as k / 255), three planes
 * of h x w one after another, in an array the target lends and may reuse from image to image.
 * The augmentation pipeline's Image is one.
 */
package org.sparkcnn.data.jpeg;

public interface RgbTarget {
  /**
   * An array of at least 3 h w floats, whose first 3 h w the decoder fills with an h x w image's
   * [3, h, w] levels; from this call on the target holds an h x w image.
   */
  float[] rgb(int h, int w);
}

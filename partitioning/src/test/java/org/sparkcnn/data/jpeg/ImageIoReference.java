/*
 * The RGB levels of an image that javax.imageio decoded, as ImageDecoder turns a BufferedImage into
 * planes: the reference that the tests of other packages compare decoded windows with.
 */
package org.sparkcnn.data.jpeg;

import java.awt.image.BufferedImage;

public final class ImageIoReference {
  private ImageIoReference() {}

  /** dst [3, h, w] = the RGB levels of img in [0, 1]. */
  public static void toPlanes(BufferedImage img, RgbTarget dst) {
    RgbPlanes.toPlanes(img, dst);
  }
}

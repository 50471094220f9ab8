/*
 * One per-sample augmentation op, in the manner of torchvision's v2 transforms: draw() samples the
 * op's parameters from the sample's own generator, apply() is a pure function of (image,
 * parameters). The pipeline gives each (seed, epoch, sample id, op) its own counter-based stream,
 * so the pixels do not depend on the partitioning or on a task retry. An op is built for one
 * input shape (its settings were checked against it) and has a fixed output shape. A few ops
 * (random_resized_crop, resize to [h, w], center_crop) take an image of any size, as torchvision's
 * do: their parameters are drawn from the actual image's size, and they read only a window of it,
 * which a decoder may decode alone (window, applyWindow).
 */
package org.sparkcnn.data.augment;

import java.io.Serializable;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;

interface SampleOp<P> extends Serializable {
  /** The op's name in a config (random_crop, hflip, ...). */
  String name();

  /** Probability of applying it to a sample; 1 for ops that always apply. */
  double p();

  /** The shape it makes of its input shape. */
  Shape outputShape();

  /** The parameters for one sample, drawn from r (not used by deterministic ops). */
  P draw(Rng r);

  /** dst = the op applied to src with params; src is left as it was. */
  void apply(Image src, P params, Image dst);

  /** Whether it takes an image of any size (with its channels) and still makes outputShape(). */
  default boolean anySize() {
    return false;
  }

  /**
   * The parameters for an h x w image, a pure function of (r, h, w); for the declared input's size
   * exactly draw(r). Only ops that take any size are given another size.
   */
  default P draw(Rng r, int h, int w) {
    return draw(r);
  }

  /** The window {top, left, height, width} of an h x w image that apply reads with params. */
  default int[] window(P params, int h, int w) {
    return new int[] {0, 0, h, w};
  }

  /**
   * dst = the op applied with params to an image of which region holds only the window that
   * window(params, h, w) gave: the same pixels as apply on the whole image.
   */
  default void applyWindow(Image region, int[] window, P params, Image dst) {
    apply(region, params, dst); // the default window is the whole image
  }
}

/*
 * One per-sample augmentation op, in the manner of torchvision's v2 transforms: draw() samples the
 * op's parameters from the sample's own generator, apply() is a pure function of (image,
 * parameters). The pipeline gives each (seed, epoch, sample id, op) its own counter-based stream,
 * so the pixels do not depend on the partitioning or on a task retry. An op is built for one
 * input shape (its settings were checked against it) and has a fixed output shape.
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
}

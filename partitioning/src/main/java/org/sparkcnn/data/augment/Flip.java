/* Horizontal or vertical mirror with probability p (torchvision RandomHorizontalFlip, ...). */
package org.sparkcnn.data.augment;

import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;

record Flip(boolean vertical, double p, Shape outputShape) implements SampleOp<Void> {
  static Flip parse(Settings s, Shape in, boolean vertical) {
    return new Flip(vertical, s.p(0.5), in);
  }

  @Override
  public String name() {
    return vertical ? "vflip" : "hflip";
  }

  @Override
  public Void draw(Rng r) {
    return null;
  }

  @Override
  public void apply(Image src, Void params, Image dst) {
    Warp.flip(src, vertical, dst);
  }
}

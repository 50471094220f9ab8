/*
 * Resize (torchvision Resize): size n scales the shorter side to n and keeps the aspect ratio
 * (the longer side becomes int(n * long / short)), [h, w] gives exactly h x w. Filtered as
 * Warp.resize describes (bilinear, antialiased when shrinking). For training and evaluation.
 * Resize to [h, w] takes an image of any size (its output does not depend on it); resize to a
 * shorter side n only the declared input's.
 */
package org.sparkcnn.data.augment;

import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;

record Resize(Shape input, int h, int w, boolean exact) implements SampleOp<Void> {
  static Resize parse(Settings s, Shape in) {
    double[] v = s.numbers("size", null, "a size n (shorter side) or [height, width]");
    int[] size = s.size("size");
    if (v.length == 2) {
      return new Resize(in, size[0], size[1], true);
    }
    int n = size[0];
    if (in.h() <= in.w()) {
      return new Resize(in, n, (int) ((long) n * in.w() / in.h()), false);
    }
    return new Resize(in, (int) ((long) n * in.h() / in.w()), n, false);
  }

  @Override
  public String name() {
    return "resize";
  }


  @Override
  public double p() {
    return 1;
  }

  @Override
  public boolean anySize() {
    return exact;
  }

  @Override
  public Shape outputShape() {
    return Shape.of(input.c(), h, w);
  }

  @Override
  public Void draw(Rng r) {
    return null;
  }

  @Override
  public void apply(Image src, Void params, Image dst) {
    Warp.resize(src, 0, 0, src.h, src.w, h, w, dst);
  }
}

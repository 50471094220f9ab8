/*
 * Resize (torchvision Resize): size n scales the shorter side to n and keeps the aspect ratio
 * (the longer side becomes int(n * long / short)), [h, w] gives exactly h x w. Filtered as
 * Warp.resize describes (bilinear, antialiased when shrinking). For training and evaluation.
 * Resize to [h, w] takes an image of any size (its output does not depend on it); resize to a
 * shorter side n makes its output shape of the declared input's, and of any other image scales
 * that image's shorter side to n, so that a center_crop of at most n x n right after it makes a
 * fixed shape of any image (Pipeline.anySize: torchvision's evaluation Resize + CenterCrop).
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
    int[] hw = shorterSide(size[0], in.h(), in.w());
    return new Resize(in, hw[0], hw[1], false);
  }

  /** {h, w} of an ih x iw image whose shorter side is scaled to n, as torchvision's Resize(n). */
  private static int[] shorterSide(int n, int ih, int iw) {
    return ih <= iw
        ? new int[] {n, (int) ((long) n * iw / ih)}
        : new int[] {(int) ((long) n * ih / iw), n};
  }

  /** The shorter side n of resize to n; -1 for resize to [h, w]. */
  int shorter() {
    return exact ? -1 : Math.min(h, w);
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
    if (exact || (src.h == input.h() && src.w == input.w())) {
      Warp.resize(src, 0, 0, src.h, src.w, h, w, dst);
    } else {
      int[] hw = shorterSide(shorter(), src.h, src.w); // an image of another size: see above
      Warp.resize(src, 0, 0, src.h, src.w, hw[0], hw[1], dst);
    }
  }
}

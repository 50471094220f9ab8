/*
 * The central size[0] x size[1] window (torchvision CenterCrop); for training and evaluation.
 * Takes an image of any size at least as large as the window, and reads only the window.
 */
package org.sparkcnn.data.augment;

import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;

record CenterCrop(Shape input, int h, int w, float[] zeros) implements SampleOp<Void> {
  static CenterCrop parse(Settings s, Shape in) {
    int[] size = s.size("size");
    if (size[0] > in.h() || size[1] > in.w()) {
      throw s.error(
          "a "
              + size[0]
              + "x"
              + size[1]
              + " crop is larger than the "
              + in.h()
              + "x"
              + in.w()
              + " image; expected at most "
              + in.h()
              + "x"
              + in.w()
              + " (resize first to enlarge)");
    }
    return new CenterCrop(in, size[0], size[1], new float[in.c()]);
  }

  @Override
  public String name() {
    return "center_crop";
  }

  @Override
  public double p() {
    return 1;
  }

  @Override
  public boolean anySize() {
    return true;
  }

  @Override
  public Shape outputShape() {
    return Shape.of(input.c(), h, w);
  }

  @Override
  public Void draw(Rng r) {
    return null;
  }

  /**
   * The window {top, left, h, w}; its top-left corner rounds half to even, as torchvision's
   * int(round((H - h) / 2.0)).
   */
  @Override
  public int[] window(Void params, int ih, int iw) {
    if (ih < h || iw < w) {
      throw new IllegalArgumentException(
          "center_crop: a "
              + h
              + "x"
              + w
              + " crop is larger than"
              + " the "
              + ih
              + "x"
              + iw
              + " image; expected an image of at least "
              + h
              + "x"
              + w);
    }
    return new int[] {(int) Math.rint((ih - h) / 2.0), (int) Math.rint((iw - w) / 2.0), h, w};
  }

  @Override
  public void apply(Image src, Void params, Image dst) {
    int[] box = window(params, src.h, src.w);
    Warp.crop(src, box[0], box[1], h, w, zeros, dst);
  }

  /** region is the window itself. */
  @Override
  public void applyWindow(Image region, int[] window, Void params, Image dst) {
    Warp.crop(region, 0, 0, h, w, zeros, dst);
  }
}

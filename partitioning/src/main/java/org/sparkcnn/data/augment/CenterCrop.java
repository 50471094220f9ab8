/* The central size[0] x size[1] window (torchvision CenterCrop); for training and evaluation. */
package org.sparkcnn.data.augment;

import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;

record CenterCrop(Shape input, int h, int w, float[] zeros) implements SampleOp<Void> {
  static CenterCrop parse(Settings s, Shape in) {
    int[] size = s.size("size");
    if (size[0] > in.h() || size[1] > in.w()) {
      throw s.error("a " + size[0] + "x" + size[1] + " crop is larger than the " + in.h() + "x"
          + in.w() + " image; expected at most " + in.h() + "x" + in.w()
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
  public Shape outputShape() {
    return Shape.of(input.c(), h, w);
  }

  @Override
  public Void draw(Rng r) {
    return null;
  }

  /** The top-left corner rounds half to even, as torchvision's int(round((H - h) / 2.0)). */
  @Override
  public void apply(Image src, Void params, Image dst) {
    int top = (int) Math.rint((src.h - h) / 2.0);
    int left = (int) Math.rint((src.w - w) / 2.0);
    Warp.crop(src, top, left, h, w, zeros, dst);
  }
}

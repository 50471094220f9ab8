/*
 * Random crop with padding (torchvision RandomCrop with constant padding): the image is padded by
 * `padding` pixels of value `fill` on every side and a size[0] x size[1] window is taken at a
 * uniformly random position of the padded image. Always applies: its output size is fixed.
 */
package org.sparkcnn.data.augment;

import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;

record RandomCrop(Shape input, int h, int w, int padding, float[] fill) implements SampleOp<int[]> {
  static RandomCrop parse(Settings s, Shape in) {
    int[] size = s.size("size");
    int padding = s.integer("padding", 0, 0);
    float[] fill = s.perChannel("fill", 0, in.c());
    if (size[0] > in.h() + 2 * padding || size[1] > in.w() + 2 * padding) {
      throw s.error(
          "a "
              + size[0]
              + "x"
              + size[1]
              + " crop does not fit the "
              + in.h()
              + "x"
              + in.w()
              + " image padded by "
              + padding
              + "; expected a size of at most "
              + (in.h() + 2 * padding)
              + "x"
              + (in.w() + 2 * padding));
    }
    return new RandomCrop(in, size[0], size[1], padding, fill);
  }

  @Override
  public String name() {
    return "random_crop";
  }

  @Override
  public double p() {
    return 1;
  }

  @Override
  public Shape outputShape() {
    return Shape.of(input.c(), h, w);
  }

  /** {top, left} of the window in the unpadded image's coordinates (negative in the padding). */
  @Override
  public int[] draw(Rng r) {
    int top = r.nextInt(input.h() + 2 * padding - h + 1) - padding;
    int left = r.nextInt(input.w() + 2 * padding - w + 1) - padding;
    return new int[] {top, left};
  }

  @Override
  public void apply(Image src, int[] at, Image dst) {
    Warp.crop(src, at[0], at[1], h, w, fill, dst);
  }
}

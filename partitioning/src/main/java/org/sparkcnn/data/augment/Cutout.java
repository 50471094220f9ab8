/*
 * Cutout (DeVries and Taylor 2017, "Improved regularization of convolutional neural networks with
 * cutout"): a size[0] x size[1] box centred on a uniformly random pixel, clipped at the borders,
 * is set to `fill` in every channel.
 */
package org.sparkcnn.data.augment;

import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;

record Cutout(Shape outputShape, int h, int w, float[] fill, double p) implements SampleOp<int[]> {
  static Cutout parse(Settings s, Shape in) {
    int[] size = s.size("size");
    return new Cutout(in, size[0], size[1], s.perChannel("fill", 0, in.c()), s.p(1));
  }

  @Override
  public String name() {
    return "cutout";
  }

  /** The box {top, left, bottom, right} (exclusive ends), clipped to the image. */
  @Override
  public int[] draw(Rng r) {
    int cy = r.nextInt(outputShape.h());
    int cx = r.nextInt(outputShape.w());
    return box(cy, cx, h, w, outputShape.h(), outputShape.w());
  }

  /** The h x w box centred on (cy, cx) (top-left of centre for even sizes), clipped. */
  static int[] box(int cy, int cx, int h, int w, int imageH, int imageW) {
    int top = cy - h / 2;
    int left = cx - w / 2;
    return new int[] {
      Math.max(0, top), Math.max(0, left), Math.min(imageH, top + h), Math.min(imageW, left + w)
    };
  }

  @Override
  public void apply(Image src, int[] box, Image dst) {
    dst.reshape(src.c, src.h, src.w);
    System.arraycopy(src.px, 0, dst.px, 0, src.size());
    for (int ch = 0; ch < src.c; ch++) {
      for (int y = box[0]; y < box[2]; y++) {
        int row = (ch * src.h + y) * src.w;
        java.util.Arrays.fill(dst.px, row + box[1], row + box[3], fill[ch]);
      }
    }
  }
}

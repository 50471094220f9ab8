/*
 * The ImageNet crop (Szegedy et al. 2015, "Going deeper with convolutions"; torchvision
 * RandomResizedCrop): a box covering a random share of the image area, drawn from `scale`, with
 * a log-uniform aspect ratio from `ratio`, resized to size[0] x size[1]. As torchvision: ten tries
 * for a box that fits, then the whole image cropped to the nearest allowed ratio. Always applies.
 * Takes an image of any size, as torchvision does: the box is drawn from the actual image's size
 * (for the declared input's size, the draws it always made), and only the box is read, so a
 * decoder may decode the box alone.
 */
package org.sparkcnn.data.augment;

import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;

record RandomResizedCrop(Shape input, int h, int w, double[] scale, double[] ratio)
    implements SampleOp<int[]> {
  private static final int TRIES = 10;

  static RandomResizedCrop parse(Settings s, Shape in) {
    int[] size = s.size("size");
    double[] scale = s.numbers("scale", new double[] {0.08, 1.0}, "a range [lo, hi] in (0, 1]");
    if (scale.length != 2 || !(scale[0] > 0 && scale[0] <= scale[1] && scale[1] <= 1)) {
      throw s.bad("scale", "a range [lo, hi] with 0 < lo <= hi <= 1");
    }
    double[] ratio = s.numbers("ratio", new double[] {3.0 / 4, 4.0 / 3}, "a range [lo, hi]");
    if (ratio.length != 2 || !(ratio[0] > 0 && ratio[0] <= ratio[1])) {
      throw s.bad("ratio", "a range [lo, hi] of width / height with 0 < lo <= hi");
    }
    return new RandomResizedCrop(in, size[0], size[1], scale, ratio);
  }

  @Override
  public String name() {
    return "random_resized_crop";
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
  public boolean anySize() {
    return true;
  }

  /** The box {top, left, height, width} in the declared input. */
  @Override
  public int[] draw(Rng r) {
    return draw(r, input.h(), input.w());
  }

  /** The box {top, left, height, width} in an ih x iw image. */
  @Override
  public int[] draw(Rng r, int ih, int iw) {
    double area = (double) ih * iw;
    double logLo = Math.log(ratio[0]);
    double logHi = Math.log(ratio[1]);
    for (int t = 0; t < TRIES; t++) {
      double target = area * (scale[0] + (scale[1] - scale[0]) * r.nextDouble());
      double aspect = Math.exp(logLo + (logHi - logLo) * r.nextDouble());
      int bw = (int) Math.round(Math.sqrt(target * aspect));
      int bh = (int) Math.round(Math.sqrt(target / aspect));
      if (bw > 0 && bw <= iw && bh > 0 && bh <= ih) {
        return new int[] {r.nextInt(ih - bh + 1), r.nextInt(iw - bw + 1), bh, bw};
      }
    }
    double inRatio = (double) iw / ih;
    int bw = iw;
    int bh = ih;
    if (inRatio < ratio[0]) {
      bh = (int) Math.round(bw / ratio[0]);
    } else if (inRatio > ratio[1]) {
      bw = (int) Math.round(bh * ratio[1]);
    }
    return new int[] {(ih - bh) / 2, (iw - bw) / 2, bh, bw};
  }

  @Override
  public void apply(Image src, int[] box, Image dst) {
    Warp.resize(src, box[0], box[1], box[2], box[3], h, w, dst);
  }

  @Override
  public int[] window(int[] box, int ih, int iw) {
    return box.clone();
  }

  @Override
  public void applyWindow(Image region, int[] window, int[] box, Image dst) {
    Warp.resize(region, window[0], window[1], box[0], box[1], box[2], box[3], h, w, dst);
  }
}

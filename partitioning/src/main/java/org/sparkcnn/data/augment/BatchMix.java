/*
 * The batch-level ops, which mix a sample with its partner in the local minibatch (the next one,
 * the last with the first, as torchvision's v2 MixUp and CutMix pair a batch with itself rolled)
 * and mix their targets alike, so the loss sees soft targets:
 * - mixup (Zhang et al. 2018, "mixup: Beyond empirical risk minimization"):
 *   x = lam x_i + (1 - lam) x_j, lam ~ Beta(alpha, alpha);
 * - cutmix (Yun et al. 2019, "CutMix"): a box of area (1 - lam) H W, centred on a uniformly random
 *   pixel and clipped, is pasted from x_j; lam is then corrected to 1 - box area / (H W).
 * Targets become lam t_i + (1 - lam) t_j. Each sample's coin (probability p) and lam come from its
 * own (seed, epoch, sample id) stream; the partner is whoever follows it in the local batch.
 */
package org.sparkcnn.data.augment;

import java.io.Serializable;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;

record BatchMix(boolean cut, double alpha, double p) implements Serializable {
  /** One sample's mix: lam, and for cutmix the pasted box {top, left, bottom, right}. */
  record Mix(float lambda, int[] box) {}

  static BatchMix parse(Settings s, boolean cut) {
    double alpha = s.number("alpha", 1.0, a -> a > 0, "a number > 0 (the Beta distribution's)");
    return new BatchMix(cut, alpha, s.p(1));
  }

  String name() {
    return cut ? "cutmix" : "mixup";
  }

  /** The sample's mix, or null when its coin says no. */
  Mix draw(Rng r, Shape shape) {
    if (r.nextDouble() >= p) {
      return null;
    }
    double lam = beta(r, alpha);
    if (!cut) {
      return new Mix((float) lam, null);
    }
    int h = shape.h();
    int w = shape.w();
    double side = Math.sqrt(1 - lam);
    int[] box = Cutout.box(r.nextInt(h), r.nextInt(w), (int) (h * side), (int) (w * side), h, w);
    double area = (double) (box[2] - box[0]) * (box[3] - box[1]);
    return new Mix((float) (1 - area / ((double) h * w)), box);
  }

  /**
   * x[xi..] = the mix of src[si..] with its partner src[pi..], each [C, H, W] in shape; targets
   * likewise over k classes (rows ti and pti of srcTargets into row ti of targets).
   */
  static void apply(
      Mix m,
      Shape shape,
      float[] src,
      int si,
      int pi,
      float[] x,
      float[] srcTargets,
      int ti,
      int pti,
      float[] targets,
      int k) {
    int size = shape.size();
    float lam = m.lambda();
    if (m.box() == null) {
      for (int i = 0; i < size; i++) {
        x[si + i] = lam * src[si + i] + (1 - lam) * src[pi + i];
      }
    } else {
      int[] b = m.box();
      int h = shape.h();
      int w = shape.w();
      System.arraycopy(src, si, x, si, size);
      for (int ch = 0; ch < shape.c(); ch++) {
        for (int y = b[0]; y < b[2]; y++) {
          int row = (ch * h + y) * w;
          System.arraycopy(src, pi + row + b[1], x, si + row + b[1], b[3] - b[1]);
        }
      }
    }
    for (int j = 0; j < k; j++) {
      targets[ti + j] = lam * srcTargets[ti + j] + (1 - lam) * srcTargets[pti + j];
    }
  }

  /** Beta(a, a) as X / (X + Y) of two Gamma(a) draws. */
  static double beta(Rng r, double a) {
    double x = gamma(r, a);
    double y = gamma(r, a);
    return x + y == 0 ? 0.5 : x / (x + y);
  }

  /**
   * Gamma(a, 1) by Marsaglia and Tsang, "A simple method for generating gamma variables" (2000);
   * for a < 1, Gamma(a + 1) U^(1/a).
   */
  static double gamma(Rng r, double a) {
    if (a < 1) {
      return gamma(r, a + 1) * Math.pow(1 - r.nextDouble(), 1 / a);
    }
    double d = a - 1.0 / 3;
    double c = 1 / Math.sqrt(9 * d);
    while (true) {
      double g = r.nextGaussian();
      double v = 1 + c * g;
      if (v <= 0) {
        continue;
      }
      v = v * v * v;
      double u = 1 - r.nextDouble();
      if (Math.log(u) < 0.5 * g * g + d - d * v + d * Math.log(v)) {
        return d * v;
      }
    }
  }
}

/*
 * Random affine transform about the image centre (torchvision RandomAffine): rotation by
 * `degrees`, shift by up to translate = [fx, fy] of the width and height (whole pixels, as
 * torchvision rounds them), zoom by a factor from `scale`, shear by angles from `shear` (d: x
 * shear in [-d, d]; [lo, hi]: x shear; [xlo, xhi, ylo, yhi]: both). The forward map is
 * scale * R(angle) * ShearX * ShearY, bilinear, uncovered pixels take `fill`.
 */
package org.sparkcnn.data.augment;

import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;

record Affine(
    Shape outputShape,
    double[] degrees,
    double[] translate,
    double[] scale,
    double[] shear,
    float[] fill,
    double p)
    implements SampleOp<double[]> {
  static Affine parse(Settings s, Shape in) {
    double[] degrees = symmetric(s, "degrees", new double[] {0});
    double[] translate = s.numbers("translate", new double[] {0, 0}, "[fx, fy] in [0, 1]");
    if (translate.length != 2
        || !(translate[0] >= 0 && translate[0] <= 1 && translate[1] >= 0 && translate[1] <= 1)) {
      throw s.bad(
          "translate",
          "[fx, fy], the largest shifts as fractions of width and height," + " each in [0, 1]");
    }
    double[] scale = s.numbers("scale", new double[] {1, 1}, "a range [lo, hi]");
    if (scale.length != 2 || !(scale[0] > 0 && scale[0] <= scale[1])) {
      throw s.bad("scale", "a range [lo, hi] of zoom factors with 0 < lo <= hi");
    }
    double[] shear = s.numbers("shear", new double[] {0}, "degrees");
    if (shear.length == 1) {
      shear = new double[] {-Math.abs(shear[0]), Math.abs(shear[0]), 0, 0};
    } else if (shear.length == 2) {
      shear = new double[] {shear[0], shear[1], 0, 0};
    }
    if (shear.length != 4 || !(shear[0] <= shear[1] && shear[2] <= shear[3])) {
      throw s.bad("shear", "d, [lo, hi] or [xlo, xhi, ylo, yhi] in degrees");
    }
    for (double a : shear) {
      if (Math.abs(a) >= 90) {
        throw s.bad("shear", "angles strictly between -90 and 90 degrees");
      }
    }
    return new Affine(
        in, degrees, translate, scale, shear, s.perChannel("fill", 0, in.c()), s.p(1));
  }

  /** d >= 0 as [-d, d], or a range [lo, hi]; def when absent (null: required). */
  static double[] symmetric(Settings s, String key, double[] def) {
    String expected = "a number d >= 0 (for [-d, d]) or a range [lo, hi]";
    double[] v = s.numbers(key, def, expected);
    if (v.length == 1 && v[0] >= 0) {
      return new double[] {-v[0], v[0]};
    }
    if (v.length == 2 && v[0] <= v[1]) {
      return v;
    }
    throw s.bad(key, expected);
  }

  @Override
  public String name() {
    return "affine";
  }

  /** {angle, shift x, shift y, zoom, shear x, shear y}, angles in degrees, shifts in pixels. */
  @Override
  public double[] draw(Rng r) {
    double angle = uniform(r, degrees[0], degrees[1]);
    double maxX = translate[0] * outputShape.w();
    double maxY = translate[1] * outputShape.h();
    double tx = Math.round(uniform(r, -maxX, maxX));
    double ty = Math.round(uniform(r, -maxY, maxY));
    double zoom = uniform(r, scale[0], scale[1]);
    double shx = uniform(r, shear[0], shear[1]);
    double shy = uniform(r, shear[2], shear[3]);
    return new double[] {angle, tx, ty, zoom, shx, shy};
  }

  private static double uniform(Rng r, double lo, double hi) {
    return lo + (hi - lo) * r.nextDouble();
  }

  @Override
  public void apply(Image src, double[] q, Image dst) {
    double t = Math.toRadians(q[0]);
    double cos = Math.cos(t);
    double sin = Math.sin(t);
    double kx = Math.tan(Math.toRadians(q[4]));
    double ky = Math.tan(Math.toRadians(q[5]));
    // ShearX * ShearY = {1 + kx ky, kx; ky, 1}; then the rotation {cos, sin; -sin, cos} (y down).
    double a = cos * (1 + kx * ky) + sin * ky;
    double b = cos * kx + sin;
    double c = -sin * (1 + kx * ky) + cos * ky;
    double d = -sin * kx + cos;
    double z = q[3];
    Warp.warp(
        src,
        Warp.inverseAbout(z * a, z * b, z * c, z * d, q[1], q[2], src.h, src.w),
        fill,
        src.h,
        src.w,
        dst);
  }
}

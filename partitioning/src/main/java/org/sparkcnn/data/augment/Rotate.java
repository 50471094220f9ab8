/*
 * Rotation by a random angle about the image centre (torchvision RandomRotation, bilinear, same
 * size): counter-clockwise for positive degrees as seen on screen; uncovered pixels take `fill`.
 * `degrees: d` draws from [-d, d], `degrees: [lo, hi]` from that range.
 */
package org.sparkcnn.data.augment;

import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;

record Rotate(Shape outputShape, double lo, double hi, float[] fill, double p)
    implements SampleOp<Double> {
  static Rotate parse(Settings s, Shape in) {
    double[] d = Affine.symmetric(s, "degrees", null);
    return new Rotate(in, d[0], d[1], s.perChannel("fill", 0, in.c()), s.p(1));
  }

  @Override
  public String name() {
    return "rotate";
  }

  /** The angle in degrees. */
  @Override
  public Double draw(Rng r) {
    return lo + (hi - lo) * r.nextDouble();
  }

  @Override
  public void apply(Image src, Double degrees, Image dst) {
    Warp.warp(src, matrix(degrees, src.h, src.w), fill, src.h, src.w, dst);
  }

  /** The output-to-input map of a rotation by degrees (counter-clockwise on screen). */
  static double[] matrix(double degrees, int h, int w) {
    double t = Math.toRadians(degrees);
    double cos = Math.cos(t);
    double sin = Math.sin(t);
    // y points down, so a counter-clockwise turn on screen maps (x, y) to (cos x + sin y, ...).
    return Warp.inverseAbout(cos, sin, -sin, cos, 0, 0, h, w);
  }
}

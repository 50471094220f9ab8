/*
 * Finite-difference gradient checks for one layer (as in Spark's GradientSuite): the scalar loss is
 * L = sum(y * r) for a fixed random r, so dL/dy = r. The analytic dx and parameter gradients from
 * backward(r) are compared with central differences (L(x + h) - L(x - h)) / (2h), L summed in
 * double; h is the step that float32 actually took. Also checks that backward accumulates: a
 * second call doubles the parameter gradients and returns the same dx.
 */
package org.sparkcnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.Arrays;
import org.sparkcnn.engine.Golden;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Vectors;

final class GradCheck {
  private GradCheck() {}

  /** Uniform random floats in [lo, hi). */
  static float[] uniform(Rng rng, int len, float lo, float hi) {
    float[] a = new float[len];
    for (int i = 0; i < len; i++) {
      a[i] = rng.uniform(lo, hi);
    }
    return a;
  }

  /**
   * Checks layer (bound at offset 0 of v, computing dx) on x: [n, in] with step eps; errors must be
   * within tol * max(1, max |numerical gradient|) per tensor (dx, params).
   */
  static void check(Layer layer, Vectors v, float[] x, int n, double eps, double tol, Rng rng) {
    check(layer, v, x, n, eps, tol, rng, true);
  }

  /** As check, with every forward in training or inference mode. */
  static void check(
      Layer layer, Vectors v, float[] x, int n, double eps, double tol, Rng rng, boolean training) {
    int outLen = n * layer.outputShape().size();
    int inLen = n * layer.inputShape().size();
    float[] r = uniform(rng, outLen, -1f, 1f);

    layer.forward(x, n, training);
    Arrays.fill(v.grads, 0f);
    float[] dx = layer.backward(r, n);
    assertNotNull(dx, "a directly bound layer computes dx");
    dx = Arrays.copyOf(dx, inLen);
    float[] grads = v.grads.clone();

    double[] numDx = new double[inLen];
    for (int i = 0; i < inLen; i++) {
      numDx[i] = numerical(layer, x, i, x, n, r, eps, training);
    }
    Golden.assertClose("dx", numDx, dx, tol);
    double[] numDp = new double[v.params.length];
    for (int i = 0; i < numDp.length; i++) {
      numDp[i] = numerical(layer, v.params, i, x, n, r, eps, training);
    }
    Golden.assertClose("parameter gradients", numDp, grads, tol);

    // backward adds into the gradients: a second pass doubles them, dx is not accumulated
    layer.forward(x, n, training);
    float[] dx2 = Arrays.copyOf(layer.backward(r, n), inLen);
    assertArrayEquals(dx, dx2, "dx of a second backward");
    double[] twice = new double[grads.length];
    for (int i = 0; i < grads.length; i++) {
      twice[i] = 2.0 * grads[i];
    }
    Golden.assertClose("gradients after two backward passes", twice, v.grads, 1e-6);
  }

  /** dL/da[i] by central differences, L = sum(layer(x) * r) in double. */
  private static double numerical(
      Layer layer, float[] a, int i, float[] x, int n, float[] r, double eps, boolean training) {
    float keep = a[i];
    float plus = (float) (keep + eps);
    float minus = (float) (keep - eps);
    a[i] = plus;
    double lp = loss(layer.forward(x, n, training), r);
    a[i] = minus;
    double lm = loss(layer.forward(x, n, training), r);
    a[i] = keep;
    return (lp - lm) / ((double) plus - (double) minus);
  }

  private static double loss(float[] y, float[] r) {
    double s = 0;
    for (int j = 0; j < r.length; j++) {
      s += (double) y[j] * r[j];
    }
    return s;
  }
}

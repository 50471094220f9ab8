/*
 * Weight initialisation schemes. He (Kaiming) normal, std = sqrt(2 / fan_in), suits ReLU networks
 * (He et al., "Delving deep into rectifiers", ICCV 2015, eq. 10); Xavier (Glorot) uniform,
 * U(-a, a) with a = sqrt(6 / (fan_in + fan_out)) (Glorot and Bengio, AISTATS 2010, eq. 16).
 * Biases start at zero.
 */
package org.sparkcnn.engine;

public enum Init {
  HE,
  XAVIER;

  /** Fills w[off, off + count) for a weight with the given fans. */
  public void fill(float[] w, int off, int count, int fanIn, int fanOut, Rng rng) {
    switch (this) {
      case HE -> {
        double std = Math.sqrt(2.0 / fanIn);
        for (int i = 0; i < count; i++) {
          w[off + i] = (float) (std * rng.nextGaussian());
        }
      }
      case XAVIER -> {
        float a = (float) Math.sqrt(6.0 / (fanIn + fanOut));
        for (int i = 0; i < count; i++) {
          w[off + i] = rng.uniform(-a, a);
        }
      }
    }
  }
}

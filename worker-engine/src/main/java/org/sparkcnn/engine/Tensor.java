/*
 * A batch of n samples of one shape, NCHW float32, sample after sample in one flat array: the
 * value that crosses the engine's public boundary (Model.forward, tests, tools). It is a plain
 * value: layers and kernels work on its array directly, and no maths lives here.
 */
package org.sparkcnn.engine;

public record Tensor(float[] data, int n, Shape shape) {
  public Tensor {
    if (n < 0 || data.length < (long) n * shape.size()) {
      throw new IllegalArgumentException(
          "a tensor of "
              + n
              + " x "
              + shape
              + " needs "
              + (long) n * shape.size()
              + " floats, got an array of "
              + data.length);
    }
  }

  public static Tensor zeros(int n, Shape shape) {
    return new Tensor(new float[n * shape.size()], n, shape);
  }

  /** Number of floats in use: n * shape.size(). */
  public int size() {
    return n * shape.size();
  }

  /** Element [i, c, h, w] of a batch of [C, H, W] samples. */
  public float get(int i, int c, int h, int w) {
    return data[((i * shape.c() + c) * shape.h() + h) * shape.w() + w];
  }

  /** Element [i, f] of a batch of flat [F] samples. */
  public float get(int i, int f) {
    return data[i * shape.size() + f];
  }

  /** "[4, 1, 28, 28]". */
  @Override
  public String toString() {
    return "[" + n + ", " + shape.toString().replace("x", ", ") + "]";
  }
}

/*
 * The shape of one sample as it flows between layers, without the batch dimension: [C, H, W] for
 * images and feature maps, [F] for flat vectors. Batches are always NCHW, so a batch of n samples of
 * shape s is n * s.size() floats, sample after sample.
 */
package org.sparkcnn.engine;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.io.Serializable;
import java.util.Arrays;
import java.util.stream.Collectors;

public final class Shape implements Serializable {
  private final int[] dims;

  private Shape(int[] dims) {
    long size = 1;
    for (int d : dims) {
      if (d <= 0) {
        throw new IllegalArgumentException(
            "shape dimensions must be positive: " + Arrays.toString(dims));
      }
      size *= d; // below 2^31 before each product, so the product fits a long
      if (size > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "a shape of " + Arrays.toString(dims) + " holds more" + " values than one array takes");
      }
    }
    this.dims = dims.clone();
  }

  @JsonCreator
  public static Shape of(int... dims) {
    if (dims.length == 0) {
      throw new IllegalArgumentException("a shape needs at least one dimension");
    }
    return new Shape(dims);
  }

  @JsonValue
  public int[] dims() {
    return dims.clone();
  }

  public int rank() {
    return dims.length;
  }

  public int dim(int i) {
    return dims[i];
  }

  /** Number of floats in one sample. */
  public int size() {
    int s = 1;
    for (int d : dims) {
      s *= d;
    }
    return s;
  }

  /** Channels of a [C, H, W] shape. */
  public int c() {
    return dims[0];
  }

  public int h() {
    return dims[1];
  }

  public int w() {
    return dims[2];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape s && Arrays.equals(dims, s.dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims);
  }

  /** "3x32x32", the way the summary table prints it. */
  @Override
  public String toString() {
    return Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining("x"));
  }
}

/*
 * A size given per spatial axis, as PyTorch's kernel_size, stride, dilation and padding: one int
 * for every axis, or one int per axis ([h, w] in 2D, [d, h, w] in 3D). Immutable; in JSON it reads
 * and writes as given, 3 or [1, 7], so [3, 3] stays a list (and a list of the wrong length is an
 * error, not a square kernel). Which ranks a value fits is checked by the layer that uses it.
 */
package org.sparkcnn.engine.layers;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

public final class PerAxis implements Serializable {
  public static final PerAxis ZERO = of(0);
  public static final PerAxis ONE = of(1);

  private final int[] v; // one value for every axis, or one per axis

  private PerAxis(int[] v) {
    this.v = v;
  }

  public static PerAxis of(int... values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("expected one int or one int per axis, got []");
    }
    return new PerAxis(values.clone());
  }

  /** From JSON: an int or a list of ints. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static PerAxis parse(Object json) {
    if (json instanceof Integer i) {
      return of(i);
    }
    if (json instanceof List<?> list && list.stream().allMatch(x -> x instanceof Integer)) {
      return of(list.stream().mapToInt(x -> (Integer) x).toArray());
    }
    throw new IllegalArgumentException("expected an int or a list of ints, got " + json);
  }

  /** An Integer when one value serves every axis, else the int[] as given. */
  @JsonValue
  public Object json() {
    return v.length == 1 ? (Object) v[0] : v.clone();
  }

  /** The value on spatial axis i (0 is the first axis after the channels). */
  public int get(int axis) {
    return v.length == 1 ? v[0] : v[axis];
  }

  /** Whether this gives a value for each of rank axes: one int, or exactly rank of them. */
  public boolean fits(int rank) {
    return v.length == 1 || v.length == rank;
  }

  public int min() {
    return Arrays.stream(v).min().getAsInt();
  }

  public int max() {
    return Arrays.stream(v).max().getAsInt();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PerAxis p && Arrays.equals(v, p.v);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(v);
  }

  /** "3" or "[1, 7]", as in JSON. */
  @Override
  public String toString() {
    return v.length == 1 ? Integer.toString(v[0]) : Arrays.toString(v);
  }
}

/*
 * The zero padding of a convolution, as PyTorch spells it: an int or one int per axis (the same
 * on both sides of that axis), or a rule that depends on the dilated kernel extent e = d(k - 1):
 *   "valid": no padding;
 *   "same":  e in total, floor(e/2) before and the rest after (PyTorch puts the odd zero on the
 *            right and bottom), so the output has the input's size at stride 1 (only there:
 *            PyTorch, and this engine, reject "same" with a stride above 1);
 *   "full":  e on each side: every partial overlap of kernel and input gives an output (as
 *            numpy.convolve and scipy.signal.convolve2d's mode "full").
 * Immutable; in JSON it reads and writes as 2, [1, 3] or "same".
 */
package org.sparkcnn.engine.layers;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.io.Serializable;
import java.util.Locale;
import java.util.Objects;

public final class Padding implements Serializable {
  private enum Rule {
    EXPLICIT,
    VALID,
    SAME,
    FULL
  }

  public static final Padding VALID = new Padding(Rule.VALID, PerAxis.ZERO);
  public static final Padding SAME = new Padding(Rule.SAME, null);
  public static final Padding FULL = new Padding(Rule.FULL, null);

  private final Rule rule;
  private final PerAxis size; // for EXPLICIT and VALID; null for the rules that need the kernel

  private Padding(Rule rule, PerAxis size) {
    this.rule = rule;
    this.size = size;
  }

  /** The same number of zeros on both sides of each axis (the layer checks the sign). */
  public static Padding of(PerAxis size) {
    return new Padding(Rule.EXPLICIT, size);
  }

  public static Padding of(int... size) {
    return of(PerAxis.of(size));
  }

  /** From JSON: "valid", "same", "full", an int or a list of ints. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static Padding parse(Object json) {
    if (json instanceof String s) {
      return switch (s) {
        case "valid" -> VALID;
        case "same" -> SAME;
        case "full" -> FULL;
        default ->
            throw new IllegalArgumentException(
                "padding must be 'valid', 'same', 'full',"
                    + " an int or a list of ints, got '"
                    + s
                    + "'");
      };
    }
    return of(PerAxis.parse(json));
  }

  @JsonValue
  public Object json() {
    return rule == Rule.EXPLICIT ? size.json() : rule.name().toLowerCase(Locale.ROOT);
  }

  public boolean isSame() {
    return rule == Rule.SAME;
  }

  /** Whether it fits rank axes (a rule fits any rank). */
  public boolean fits(int rank) {
    return size == null || size.fits(rank);
  }

  /** Zeros before the input on axis i, for kernel size k and dilation d on that axis. */
  public int before(int axis, int k, int d) {
    return switch (rule) {
      case EXPLICIT, VALID -> size.get(axis);
      case SAME -> d * (k - 1) / 2;
      case FULL -> d * (k - 1);
    };
  }

  /** Zeros after the input on axis i. */
  public int after(int axis, int k, int d) {
    return rule == Rule.SAME ? d * (k - 1) - before(axis, k, d) : before(axis, k, d);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Padding p && rule == p.rule && Objects.equals(size, p.size);
  }

  @Override
  public int hashCode() {
    return rule.hashCode() * 31 + Objects.hashCode(size);
  }

  @Override
  public String toString() {
    return rule == Rule.EXPLICIT ? size.toString() : rule.name().toLowerCase(Locale.ROOT);
  }
}

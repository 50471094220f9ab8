/*
 * The settings of one augmentation op as written in a config ({op: rotate, degrees: 15, p: 0.5}),
 * read with its place in the config so that every problem names it:
 * "data.augment[2].rotate: unknown setting 'angel' (settings: degrees, fill, p)". The op's
 * setting names are given first, so a misspelt one is reported before anything else.
 */
package org.sparkcnn.data.augment;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class Settings {
  final String where; // "data.augment[2].rotate"
  private final Map<String, Object> values;

  /** Refuses, naming the place, any setting not among known. */
  Settings(String where, Map<String, Object> values, List<String> known) {
    this.where = where;
    this.values = new LinkedHashMap<>(values);
    for (String k : values.keySet()) {
      if (!known.contains(k)) {
        throw error(
            "unknown setting '"
                + k
                + "' (settings: "
                + (known.isEmpty() ? "none" : String.join(", ", known))
                + ")");
      }
    }
  }

  boolean has(String key) {
    return values.get(key) != null;
  }

  /** One or more numbers: a number is [x], a list of numbers is itself; def when absent. */
  double[] numbers(String key, double[] def, String expected) {
    Object raw = values.get(key);
    if (raw == null) {
      if (def == null) {
        throw error(key + ": required, expected " + expected);
      }
      return def;
    }
    List<?> items = raw instanceof List<?> l ? l : List.of(raw);
    double[] out = new double[items.size()];
    for (int i = 0; i < out.length; i++) {
      if (!(items.get(i) instanceof Number n) || !Double.isFinite(n.doubleValue())) {
        throw bad(key, expected);
      }
      out[i] = n.doubleValue();
    }
    if (out.length == 0) {
      throw bad(key, expected);
    }
    return out;
  }

  /** A single number satisfying ok. */
  double number(String key, double def, java.util.function.DoublePredicate ok, String expected) {
    Object raw = values.get(key);
    if (raw == null) {
      return def;
    }
    if (!(raw instanceof Number n)
        || !Double.isFinite(n.doubleValue())
        || !ok.test(n.doubleValue())) {
      throw bad(key, expected);
    }
    return n.doubleValue();
  }

  /** A whole number >= min. */
  int integer(String key, int def, int min) {
    double v =
        number(
            key,
            def,
            x -> x == Math.rint(x) && x >= min && x <= Integer.MAX_VALUE,
            "an integer >= " + min);
    return (int) v;
  }

  /** The probability p of applying the op, in [0, 1]. */
  double p(double def) {
    return number("p", def, x -> x >= 0 && x <= 1, "a probability in [0, 1]");
  }

  /** A size: n for n x n, or [h, w]; each at least 1. Required. */
  int[] size(String key) {
    double[] v = numbers(key, null, "a size n or [height, width]");
    if (v.length > 2) {
      throw bad(key, "a size n or [height, width]");
    }
    int[] hw = {(int) v[0], (int) v[v.length - 1]};
    for (double d : v) {
      if (d != Math.rint(d) || d < 1 || d > 1 << 16) {
        throw bad(key, "a size n or [height, width] of whole numbers >= 1");
      }
    }
    return hw;
  }

  /** One value for every channel, or one value per channel; def for every channel if absent. */
  float[] perChannel(String key, double def, int channels) {
    double[] v = numbers(key, new double[] {def}, "a number or a list of one per channel");
    if (v.length != 1 && v.length != channels) {
      throw error(
          key
              + ": "
              + v.length
              + " values, but the images have "
              + channels
              + " channel"
              + (channels == 1 ? "" : "s")
              + "; expected one value or "
              + channels);
    }
    float[] out = new float[channels];
    for (int c = 0; c < channels; c++) {
      out[c] = (float) v[v.length == 1 ? 0 : c];
    }
    return out;
  }

  IllegalArgumentException bad(String key, String expected) {
    return error(key + ": expected " + expected + ", got " + describe(values.get(key)));
  }

  IllegalArgumentException error(String message) {
    return new IllegalArgumentException(where + ": " + message);
  }

  private static String describe(Object raw) {
    return raw instanceof String s ? "'" + s + "'" : String.valueOf(raw);
  }
}

/*
 * One typed configuration entry, in the manner of Spark's ConfigEntry: a dotted name, a type, a
 * default, a doc string and a check with the words that describe what it accepts. parse() turns a
 * raw YAML value into the type or says, naming the key, what was expected.
 */
package org.sparkcnn.driver.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import org.sparkcnn.engine.ModelDefinition;

public record ConfigKey<T>(
    String name, Class<T> type, T defaultValue, String doc, Predicate<T> check, String expected) {

  static ConfigKey<Integer> ofInt(String name, int def, int min, String doc) {
    return new ConfigKey<>(name, Integer.class, def, doc, v -> v >= min, "an integer >= " + min);
  }

  static ConfigKey<Long> ofLong(String name, long def, String doc) {
    return new ConfigKey<>(name, Long.class, def, doc, v -> true, "an integer");
  }

  static ConfigKey<Double> ofDouble(
      String name, double def, Predicate<Double> check, String expected, String doc) {
    return new ConfigKey<>(name, Double.class, def, doc, check.and(Double::isFinite), expected);
  }

  static ConfigKey<Boolean> ofBool(String name, boolean def, String doc) {
    return new ConfigKey<>(name, Boolean.class, def, doc, v -> true, "true or false");
  }

  static ConfigKey<String> ofChoice(String name, String def, List<String> choices, String doc) {
    return new ConfigKey<>(name, String.class, def, doc, choices::contains, "one of " + choices);
  }

  /** One of an enum's constants, spelt in YAML as its name in lower case (Choices). */
  static <E extends Enum<E>> ConfigKey<E> ofEnum(String name, E def, String doc) {
    Class<E> type = def.getDeclaringClass();
    List<String> words = Arrays.stream(type.getEnumConstants()).map(ConfigKey::word).toList();
    return new ConfigKey<>(name, type, def, doc, v -> true, "one of " + words);
  }

  /** How a value is written in YAML: an enum constant as its name in lower case. */
  public static Object yamlValue(Object v) {
    return v instanceof Enum<?> e ? word(e) : v;
  }

  private static String word(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  /** Layer names: a YAML list or a comma-separated string, kept as "a,b,c"; empty for none. */
  static ConfigKey<String> ofNames(String name, String doc) {
    return new ConfigKey<>(name, String.class, "", doc, v -> true, "a list of layer names");
  }

  /** A YAML list (empty by default), e.g. of augmentation ops; its items are checked later. */
  @SuppressWarnings("unchecked")
  static ConfigKey<List<?>> ofList(String name, String expected, String doc) {
    return new ConfigKey<>(
        name, (Class<List<?>>) (Class<?>) List.class, List.of(), doc, v -> true, expected);
  }

  /** Epoch numbers in increasing order: a YAML list or "a,b", kept as "a,b"; empty for none. */
  static ConfigKey<String> ofEpochs(String name, String doc) {
    return new ConfigKey<>(
        name,
        String.class,
        "",
        doc,
        ConfigKey::increasingEpochs,
        "epoch numbers >= 1 in increasing order, e.g. [30, 60]");
  }

  private static boolean increasingEpochs(String v) {
    if (v.isEmpty()) {
      return true;
    }
    int last = 0;
    for (String part : v.split(",")) {
      String t = part.strip();
      if (!t.matches("[0-9]{1,9}") || Integer.parseInt(t) <= last) {
        return false;
      }
      last = Integer.parseInt(t);
    }
    return true;
  }

  static ConfigKey<String> ofString(String name, String def, String doc) {
    return new ConfigKey<>(name, String.class, def, doc, v -> !v.isBlank(), "a non-empty string");
  }

  /** The typed value, or an IllegalArgumentException that names the key and the expectation. */
  T parse(Object raw) {
    T v = convert(raw);
    if (v == null || !check.test(v)) {
      throw new IllegalArgumentException(
          "key '" + name + "': expected " + expected + ", got " + describe(raw));
    }
    return v;
  }

  private T convert(Object raw) {
    if (raw == null) {
      return null;
    }
    if (type.isEnum()) {
      if (type.isInstance(raw)) {
        return type.cast(raw); // a resolved config's own value
      }
      return Arrays.stream(type.getEnumConstants())
          .filter(e -> word((Enum<?>) e).equals(raw))
          .findFirst()
          .orElse(null);
    }
    if (type == Integer.class
        && raw instanceof Number n
        && n.doubleValue() == Math.rint(n.doubleValue())
        && Math.abs(n.doubleValue()) <= Integer.MAX_VALUE) {
      return type.cast(n.intValue());
    }
    if (type == Long.class && (raw instanceof Integer || raw instanceof Long)) {
      return type.cast(((Number) raw).longValue()); // a BigInteger does not fit: refused
    }
    if (type == Double.class && raw instanceof Number n) {
      return type.cast(n.doubleValue());
    }
    if (type == List.class && raw instanceof List<?> list) {
      return type.cast(list);
    }
    if (type == Boolean.class && raw instanceof Boolean b) {
      return type.cast(b);
    }
    if (type == String.class
        && raw instanceof java.util.List<?> list
        && list.stream().allMatch(x -> x instanceof String || x instanceof Integer)) {
      return type.cast(String.join(",", list.stream().map(Object::toString).toList()));
    }
    if (type == String.class && (raw instanceof String || raw instanceof Number)) {
      return type.cast(raw.toString());
    }
    return null;
  }

  private static String describe(Object raw) {
    if (raw == null) {
      return "nothing";
    }
    if (raw instanceof String s) {
      return "'" + s + "'";
    }
    return ModelDefinition.brief(raw)
        + " ("
        + raw.getClass().getSimpleName().toLowerCase(Locale.ROOT)
        + ")";
  }
}

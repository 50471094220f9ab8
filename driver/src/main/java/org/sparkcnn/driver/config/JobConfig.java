/*
 * A job's resolved configuration: the YAML file, then each --set key=value on top, every value
 * checked against its ConfigKey. All problems (unknown keys, wrong types, values out of range) are
 * gathered and reported in one ConfigException that names each key and what it expects. YAML
 * aliases can nest a list or mapping in itself or repeat one exponentially, so a document (and an
 * override) must be a tree of at most MAX_VALUES values and MAX_DEPTH levels.
 */
package org.sparkcnn.driver.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

public final class JobConfig {
  /** Values (scalars, lists and mappings) one YAML document or override may hold. */
  static final int MAX_VALUES = 100_000;

  /** Levels of lists and mappings in one another. */
  static final int MAX_DEPTH = 32;

  private static final String TOO_LARGE =
      "the YAML holds more than "
          + MAX_VALUES
          + " values or"
          + " nests more than "
          + MAX_DEPTH
          + " levels deep (an alias of a list or mapping inside"
          + " itself?)";
  private final Map<String, Object> values; // key name -> typed value, in Keys.ALL order

  private JobConfig(Map<String, Object> values) {
    this.values = values;
  }

  /** A bad config: the message lists every problem, one per line. */
  public static final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
      super(message);
    }
  }

  public static JobConfig defaults() {
    return resolve(Map.of(), "defaults");
  }

  /** Reads a YAML file and applies the --set overrides. */
  public static JobConfig load(Path file, List<String> overrides) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("config file " + file + " does not exist");
    }
    try {
      return parse(Files.readString(file), file.toString(), overrides);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read YAML: " + e.getMessage());
    }
  }

  /** Parses YAML text (origin names it in messages) and applies the --set overrides. */
  public static JobConfig parse(String text, String origin, List<String> overrides) {
    Map<String, Object> flat = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    try {
      Object doc = yaml().load(text);
      if (doc != null && !(doc instanceof Map)) {
        throw new ConfigException(origin + ": expected a YAML mapping of keys at the top level");
      }
      if (!isSmallTree(doc, 0, new int[1])) {
        throw new ConfigException(origin + ": " + TOO_LARGE);
      }
      flatten("", doc == null ? Map.of() : (Map<?, ?>) doc, flat, problems);
    } catch (YAMLException | IllegalArgumentException e) { // SnakeYAML throws both
      throw new ConfigException(origin + ": cannot read YAML: " + e.getMessage());
    }
    for (String o : overrides) {
      int eq = o.indexOf('=');
      if (eq <= 0) {
        problems.add("--set '" + o + "': expected key=value");
        continue;
      }
      String value = o.substring(eq + 1);
      Object parsed;
      try {
        parsed = value.isEmpty() ? "" : yaml().load(value);
      } catch (YAMLException | IllegalArgumentException e) { // SnakeYAML throws both
        parsed = value;
      }
      if (!isSmallTree(parsed, 0, new int[1])) {
        problems.add("--set '" + o.substring(0, eq) + "': " + TOO_LARGE);
        continue;
      }
      flat.put(o.substring(0, eq).trim(), parsed);
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(origin + ": " + String.join("\n", problems));
    }
    return resolve(flat, origin);
  }

  /** Checks flat key -> raw value pairs against Keys.ALL. */
  public static JobConfig resolve(Map<String, Object> flat, String origin) {
    Map<String, ConfigKey<?>> known = new LinkedHashMap<>();
    Keys.ALL.forEach(k -> known.put(k.name(), k));
    List<String> problems = new ArrayList<>();
    for (String key : flat.keySet()) {
      if (!known.containsKey(key)) {
        problems.add("unknown key '" + key + "'" + suggestion(key, known.keySet()));
      }
    }
    Map<String, Object> values = new LinkedHashMap<>();
    for (ConfigKey<?> k : Keys.ALL) {
      try {
        values.put(
            k.name(), flat.containsKey(k.name()) ? k.parse(flat.get(k.name())) : k.defaultValue());
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(
          "invalid config " + origin + ":\n  " + String.join("\n  ", problems));
    }
    return new JobConfig(values);
  }

  /** Whether v is a tree of at most MAX_VALUES values (count[0] so far) and MAX_DEPTH levels. */
  private static boolean isSmallTree(Object v, int level, int[] count) {
    if (++count[0] > MAX_VALUES || level > MAX_DEPTH) {
      return false;
    }
    if (v instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!isSmallTree(e.getKey(), level + 1, count)
            || !isSmallTree(e.getValue(), level + 1, count)) {
          return false;
        }
      }
    } else if (v instanceof List<?> l) {
      for (Object x : l) {
        if (!isSmallTree(x, level + 1, count)) {
          return false;
        }
      }
    }
    return true;
  }

  private static void flatten(
      String prefix, Map<?, ?> map, Map<String, Object> out, List<String> problems) {
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String key = prefix + e.getKey();
      if (e.getValue() instanceof Map<?, ?> inner) {
        flatten(key + ".", inner, out, problems);
      } else {
        out.put(key, e.getValue());
      }
    }
  }

  private static String suggestion(String key, Iterable<String> known) {
    String best = null;
    int bestDistance = 4;
    for (String k : known) {
      int d = editDistance(key, k);
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    return best == null ? " (see conf/README.md for the keys)" : " (did you mean '" + best + "'?)";
  }

  private static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static Yaml yaml() {
    return new Yaml(new SafeConstructor(new LoaderOptions()));
  }

  public <T> T get(ConfigKey<T> key) {
    return key.type().cast(values.get(key.name()));
  }

  /** A copy with one key changed (checked like any other value). */
  public JobConfig with(ConfigKey<?> key, Object value) {
    Map<String, Object> flat = new LinkedHashMap<>(values);
    flat.put(key.name(), value);
    return resolve(flat, "override of " + key.name());
  }

  /** The resolved config as nested YAML, every key present: what the run folder keeps. */
  public String toYaml() {
    Map<String, Object> nested = new LinkedHashMap<>();
    values.forEach(
        (k, v) -> {
          String[] parts = k.split("\\.");
          Map<String, Object> m = nested;
          for (int i = 0; i < parts.length - 1; i++) {
            @SuppressWarnings("unchecked")
            Map<String, Object> next =
                (Map<String, Object>) m.computeIfAbsent(parts[i], x -> new LinkedHashMap<>());
            m = next;
          }
          m.put(parts[parts.length - 1], ConfigKey.yamlValue(v));
        });
    DumperOptions opts = new DumperOptions();
    opts.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    return new Yaml(opts).dump(nested);
  }

  public Map<String, Object> asMap() {
    return java.util.Collections.unmodifiableMap(values);
  }
}

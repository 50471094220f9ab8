/*
 * Networks as data. A model definition (YAML in conf/models/, read by the driver into maps and
 * lists) is turned into an Architecture here, walking the shapes as it goes, so that users write
 * new architectures without Java:
 *
 *   input: [3, 32, 32]            optional; checked against the data
 *   blocks:                       optional named blocks, with parameters and their defaults
 *     basic:
 *       params: {out: 16, stride: 1}
 *       layers: [...]             "$out" and "$stride" stand for the parameters
 *   layers:                       the network, in order; each item is one of
 *     - relu                          a layer type with its defaults
 *     - conv2d: {out: 16, kernel: 3}  a layer type with settings (name optional)
 *     - basic: {out: 32, stride: 2}   a named block, its layers inlined with those arguments
 *     - repeat: {times: 3, layers: [...]}
 *     - residual: {body: [...], shortcut: projection}   (or identity, or a list of layers)
 *     - concat: [[...], [...]]        branches stacked along channels
 *
 * "$classes" anywhere stands for the data's number of classes. A projection shortcut is a 1x1
 * convolution (no bias) and a batch norm when the body changes the shape, else the identity, as in
 * He et al. 2016. Layers without a name are named by type and count (conv1, bn2, fc1...), inside a
 * block instance prefixed by it (basic3.conv5). Every error names its place: layers[4].conv2d.
 * The document comes from outside and may be any YAML graph (aliases can share a node or nest it
 * in itself): keys must be text, expanding stops after MAX_STEPS layers, repeats and substituted
 * values or beyond MAX_DEPTH levels of nesting, and a value quoted in a message is cut short.
 */
package org.sparkcnn.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sparkcnn.engine.layers.Concat;
import org.sparkcnn.engine.layers.LayerSpec;
import org.sparkcnn.engine.layers.Residual;

public final class ModelDefinition {
  private static final Set<String> TOP_KEYS = Set.of("input", "blocks", "layers", "description");
  private static final Map<String, String> SHORT_NAMES =
      Map.ofEntries(
          Map.entry("conv2d", "conv"),
          Map.entry("linear", "fc"),
          Map.entry("batch_norm2d", "bn"),
          Map.entry("batch_norm1d", "bn"),
          Map.entry("max_pool2d", "pool"),
          Map.entry("avg_pool2d", "pool"),
          Map.entry("global_avg_pool2d", "gap"),
          Map.entry("adaptive_avg_pool2d", "pool"),
          Map.entry("adaptive_max_pool2d", "pool"),
          Map.entry("local_response_norm", "lrn"),
          Map.entry("conv_transpose2d", "deconv"));

  /** Layers, repeats and substituted values one definition may expand to. */
  static final int MAX_STEPS = 100_000;

  /** Lists of layers nested in each other (blocks, repeats, residuals, concats). */
  static final int MAX_DEPTH = 100;

  private final Map<String, Map<String, Object>> blocks = new LinkedHashMap<>();
  private final Map<String, Integer> counters = new HashMap<>();
  private final int classes;
  private int steps; // layers, repeats and substituted values so far, up to MAX_STEPS
  private int depth; // of the walk in progress

  private ModelDefinition(int classes) {
    this.classes = classes;
  }

  /** The architecture a definition describes, for inputs of the given shape and classes. */
  public static Architecture parse(Map<String, Object> doc, Shape input, int classes) {
    for (String key : map(doc, "the definition").keySet()) {
      if (!TOP_KEYS.contains(key)) {
        throw new IllegalArgumentException(
            "unknown top-level key '" + key + "': expected one of " + TOP_KEYS);
      }
    }
    if (doc.get("input") != null) {
      if (!(doc.get("input") instanceof List<?> dims)
          || !dims.stream().allMatch(x -> x instanceof Integer)) {
        throw new IllegalArgumentException(
            "input: expected a list of sizes like [3, 32, 32],"
                + " got "
                + brief(doc.get("input")));
      }
      Shape declared = Shape.of(dims.stream().mapToInt(x -> (Integer) x).toArray());
      if (!declared.equals(input)) {
        throw new IllegalArgumentException(
            "the model is defined for input " + declared + ", the data is " + input);
      }
    }
    ModelDefinition d = new ModelDefinition(classes);
    if (doc.get("blocks") != null) {
      for (Map.Entry<String, Object> b : map(doc.get("blocks"), "blocks").entrySet()) {
        d.blocks.put(b.getKey(), map(b.getValue(), "blocks." + b.getKey()));
      }
    }
    Object layers = doc.get("layers");
    if (!(layers instanceof List<?> list) || list.isEmpty()) {
      throw new IllegalArgumentException("a model definition needs a non-empty list 'layers'");
    }
    Walk w = d.walk(list, input, "", Map.of("classes", classes), "layers");
    return new Architecture(input, w.specs);
  }

  /** The layer specs of a list, and the shape after them. */
  private record Walk(List<LayerSpec> specs, Shape out) {}

  private Walk walk(List<?> items, Shape in, String prefix, Map<String, Object> vars, String path) {
    if (++depth > MAX_DEPTH) {
      throw new IllegalArgumentException(
          path + ": lists of layers nested more than " + MAX_DEPTH + " deep");
    }
    List<LayerSpec> specs = new ArrayList<>();
    Shape shape = in;
    for (int i = 0; i < items.size(); i++) {
      String where = path + "[" + i + "]";
      step(where);
      Object item = items.get(i);
      String type;
      Object settings;
      if (item instanceof String s) {
        type = s;
        settings = null;
      } else if (item instanceof Map<?, ?> m && m.size() == 1) {
        Map.Entry<?, ?> e = m.entrySet().iterator().next();
        type = String.valueOf(map(m, where).keySet().iterator().next());
        settings = substitute(e.getValue(), vars, where, 0);
      } else {
        throw new IllegalArgumentException(
            where
                + ": expected a layer type or a one-key map"
                + " {type: settings}, got "
                + brief(item));
      }
      where = where + "." + type;
      List<LayerSpec> made =
          switch (type) {
            case "repeat" -> repeat(map(settings, where), shape, prefix, vars, where);
            case "residual" -> List.of(residual(map(settings, where), shape, prefix, vars, where));
            case "concat" -> List.of(concat(settings, shape, prefix, vars, where));
            default ->
                blocks.containsKey(type)
                    ? block(type, settings, shape, prefix, where)
                    : List.of(layer(type, settings, prefix, where));
          };
      for (LayerSpec s : made) {
        shape = s.outputShape(shape);
        specs.add(s);
      }
    }
    depth--;
    return new Walk(specs, shape);
  }

  /** Counts one step of the expansion: a layer, a repeat or a substituted value. */
  private void step(String where) {
    if (++steps > MAX_STEPS) {
      throw new IllegalArgumentException(
          where + ": the definition expands to more than " + MAX_STEPS + " layers and values");
    }
  }

  private List<LayerSpec> repeat(
      Map<String, Object> s, Shape in, String prefix, Map<String, Object> vars, String where) {
    int times = s.get("times") instanceof Integer n ? n : -1;
    if (times < 1 || !(s.get("layers") instanceof List<?> layers)) {
      throw new IllegalArgumentException(where + ": expected {times: N >= 1, layers: [...]}");
    }
    List<LayerSpec> out = new ArrayList<>();
    Shape shape = in;
    for (int t = 0; t < times; t++) {
      step(where);
      Walk w = walk(layers, shape, prefix, vars, where + ".layers");
      out.addAll(w.specs);
      shape = w.out;
    }
    return out;
  }

  private LayerSpec residual(
      Map<String, Object> s, Shape in, String prefix, Map<String, Object> vars, String where) {
    String name = name(s.get("name"), "res", prefix);
    if (!(s.get("body") instanceof List<?> body)) {
      throw new IllegalArgumentException(where + ": expected a list 'body'");
    }
    Walk b = walk(body, in, prefix, vars, where + ".body");
    Object sc = s.getOrDefault("shortcut", "identity");
    List<LayerSpec> shortcut;
    if ("identity".equals(sc)) {
      shortcut = List.of();
    } else if ("projection".equals(sc)) {
      shortcut = b.out.equals(in) ? List.of() : projection(in, b.out, name, where);
    } else if (sc instanceof List<?> list) {
      shortcut = walk(list, in, prefix, vars, where + ".shortcut").specs;
    } else {
      throw new IllegalArgumentException(
          where
              + ": shortcut must be identity, projection or a"
              + " list of layers, got "
              + brief(sc));
    }
    return new Residual.Spec(name, b.specs, shortcut);
  }

  private List<LayerSpec> projection(Shape in, Shape out, String name, String where) {
    if (in.rank() != 3 || out.rank() != 3 || in.h() % out.h() != 0 || in.w() % out.w() != 0) {
      throw new IllegalArgumentException(where + ": no 1x1 projection maps " + in + " to " + out);
    }
    Map<String, Object> conv =
        new LinkedHashMap<>(
            Map.of(
                "type",
                "conv2d",
                "name",
                name + ".proj",
                "out",
                out.c(),
                "kernel",
                1,
                "stride",
                in.h() / out.h(),
                "bias",
                false));
    Map<String, Object> bn = Map.of("type", "batch_norm2d", "name", name + ".proj_bn");
    return List.of(LayerSpecReader.read(conv, where), LayerSpecReader.read(bn, where));
  }

  private LayerSpec concat(
      Object settings, Shape in, String prefix, Map<String, Object> vars, String where) {
    Object branches = settings instanceof Map<?, ?> m ? m.get("branches") : settings;
    String name = name(settings instanceof Map<?, ?> m ? m.get("name") : null, "concat", prefix);
    if (!(branches instanceof List<?> list) || list.size() < 2) {
      throw new IllegalArgumentException(where + ": expected a list of at least two branches");
    }
    List<List<LayerSpec>> out = new ArrayList<>();
    for (int k = 0; k < list.size(); k++) {
      if (!(list.get(k) instanceof List<?> branch)) {
        throw new IllegalArgumentException(where + "[" + k + "]: a branch is a list of layers");
      }
      out.add(walk(branch, in, prefix, vars, where + "[" + k + "]").specs);
    }
    return new Concat.Spec(name, out);
  }

  private List<LayerSpec> block(
      String type, Object settings, Shape in, String prefix, String where) {
    Map<String, Object> def = blocks.get(type);
    Map<String, Object> params =
        def.get("params") == null ? Map.of() : map(def.get("params"), "blocks." + type + ".params");
    Map<String, Object> args = settings == null ? Map.of() : map(settings, where);
    Map<String, Object> vars = new HashMap<>(params);
    for (Map.Entry<String, Object> a : args.entrySet()) {
      if (!params.containsKey(a.getKey())) {
        throw new IllegalArgumentException(
            where
                + ": block '"
                + type
                + "' has no parameter '"
                + a.getKey()
                + "' (its parameters: "
                + params.keySet()
                + ")");
      }
      vars.put(a.getKey(), a.getValue());
    }
    vars.put("classes", classes);
    if (!(def.get("layers") instanceof List<?> layers)) {
      throw new IllegalArgumentException("blocks." + type + ": expected a list 'layers'");
    }
    String instance = prefix + type + next(type) + ".";
    return walk(layers, in, instance, vars, where).specs;
  }

  private LayerSpec layer(String type, Object settings, String prefix, String where) {
    Map<String, Object> fields =
        settings == null ? new LinkedHashMap<>() : new LinkedHashMap<>(map(settings, where));
    fields.put("type", type);
    fields.put("name", name(fields.get("name"), SHORT_NAMES.getOrDefault(type, type), prefix));
    return LayerSpecReader.read(fields, where);
  }

  private String name(Object given, String base, String prefix) {
    if (given != null && !(given instanceof String || given instanceof Number)) {
      throw new IllegalArgumentException(
          prefix + base + ": a name must be text, got " + brief(given));
    }
    return given != null ? prefix + given : prefix + base + next(base);
  }

  private int next(String base) {
    return counters.merge(base, 1, Integer::sum);
  }

  /** A copy of v with "$p" strings replaced by the values of vars (null: none), recursively. */
  private Object substitute(Object v, Map<String, Object> vars, String where, int level) {
    step(where);
    if (level > MAX_DEPTH) {
      throw new IllegalArgumentException(
          where + ": settings nested more than " + MAX_DEPTH + " deep");
    }
    if (vars != null && v instanceof String s && s.startsWith("$")) {
      String key = s.substring(1);
      if (!vars.containsKey(key)) {
        throw new IllegalArgumentException(
            where + ": unknown parameter " + s + " (known: " + vars.keySet() + ")");
      }
      return substitute(vars.get(key), null, where, level + 1);
    }
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<String, Object> e : map(m, where).entrySet()) {
        out.put(e.getKey(), substitute(e.getValue(), vars, where, level + 1));
      }
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      for (Object x : l) {
        out.add(substitute(x, vars, where, level + 1));
      }
      return out;
    }
    return v;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object v, String where) {
    if (v == null) {
      return Map.of();
    }
    if (!(v instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException(
          where + ": expected a mapping of settings, got " + brief(v));
    }
    for (Object key : m.keySet()) {
      if (!(key instanceof String)) {
        throw new IllegalArgumentException(where + ": expected names as keys, got " + brief(key));
      }
    }
    return (Map<String, Object>) v;
  }

  /** v as text for a message, cut short: a YAML value may be a large graph, or hold itself. */
  public static String brief(Object v) {
    StringBuilder b = new StringBuilder();
    append(b, v, 200);
    return b.length() > 200 ? b.substring(0, 200) + "..." : b.toString();
  }

  private static void append(StringBuilder b, Object v, int limit) {
    if (b.length() > limit) {
      return;
    }
    if (v instanceof Map<?, ?> m) {
      appendEach(b, m.entrySet(), "{", "}", limit);
    } else if (v instanceof List<?> l) {
      appendEach(b, l, "[", "]", limit);
    } else if (v instanceof Map.Entry<?, ?> e) {
      append(b, e.getKey(), limit);
      b.append(": ");
      append(b, e.getValue(), limit);
    } else {
      b.append(v);
    }
  }

  private static void appendEach(
      StringBuilder b, Iterable<?> items, String open, String close, int limit) {
    b.append(open);
    String sep = "";
    for (Object x : items) {
      b.append(sep);
      append(b, x, limit);
      sep = ", ";
      if (b.length() > limit) {
        return;
      }
    }
    b.append(close);
  }
}

/*
 * One layer of a model definition (ModelDefinition) from its fields to its LayerSpec record, by
 * Jackson: the type picks the record (LayerSpec's @JsonSubTypes), and a setting the record does not
 * have, an unknown type or a value of the wrong kind is an error naming the place, the setting
 * and what the type takes.
 */
package org.sparkcnn.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.sparkcnn.engine.layers.LayerSpec;

final class LayerSpecReader {
  private static final ObjectMapper JSON = ModelFile.JSON;

  /** Layer type name -> its spec record, from LayerSpec's @JsonSubTypes. */
  private static final Map<String, Class<?>> SPEC_TYPES = new HashMap<>();

  static {
    for (var t :
        LayerSpec.class
            .getAnnotation(com.fasterxml.jackson.annotation.JsonSubTypes.class)
            .value()) {
      SPEC_TYPES.put(t.name(), t.value());
    }
  }

  private LayerSpecReader() {}

  /**
   * The spec of a layer's fields (its type, name and settings, as the YAML gives them); where names
   * the place in the definition for a message.
   */
  static LayerSpec read(Map<String, Object> fields, String where) {
    Class<?> spec = SPEC_TYPES.get(String.valueOf(fields.get("type")));
    if (spec != null) {
      List<String> known =
          java.util.Arrays.stream(spec.getRecordComponents())
              .map(LayerSpecReader::jsonName)
              .toList();
      for (String key : fields.keySet()) {
        if (!key.equals("type") && !known.contains(key)) {
          throw new IllegalArgumentException(
              where
                  + ": unknown setting '"
                  + key
                  + "' ("
                  + fields.get("type")
                  + " takes "
                  + known.stream().filter(k -> !k.equals("name")).toList()
                  + " and an optional name)");
        }
      }
    }
    try {
      return JSON.convertValue(fields, LayerSpec.class);
    } catch (IllegalArgumentException e) {
      String msg = e.getMessage();
      if (msg.contains("known type ids")) {
        throw new IllegalArgumentException(
            where + ": unknown layer type '" + fields.get("type") + "'" + knownTypes(msg), e);
      }
      throw new IllegalArgumentException(where + ": " + firstLine(msg), e);
    }
  }

  /** A record component's JSON name: its @JsonProperty value (snake_case), else its own name. */
  private static String jsonName(java.lang.reflect.RecordComponent rc) {
    try {
      var p =
          rc.getDeclaringRecord()
              .getDeclaredField(rc.getName())
              .getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
      return p != null && !p.value().isEmpty() ? p.value() : rc.getName();
    } catch (NoSuchFieldException e) {
      return rc.getName();
    }
  }

  private static String knownTypes(String jacksonMessage) {
    int at = jacksonMessage.indexOf("known type ids = ");
    if (at < 0) {
      return "";
    }
    int end = jacksonMessage.indexOf(']', at);
    return ": expected a block, repeat, residual, concat or one of "
        + jacksonMessage.substring(at + "known type ids = ".length(), end + 1);
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).replaceAll(" \\(class [^)]*\\)", "");
  }
}

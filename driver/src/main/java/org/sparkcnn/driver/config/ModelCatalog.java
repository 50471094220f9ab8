/*
 * Where model definitions come from: the shipped ones by name (conf/models/NAME.yaml, packaged
 * into the jar under org/sparkcnn/models/ so that spark-submit finds them too) or a user's YAML
 * file. Either is read with SnakeYAML and built by the engine's ModelDefinition.
 */
package org.sparkcnn.driver.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.sparkcnn.engine.Architecture;
import org.sparkcnn.engine.ModelDefinition;
import org.sparkcnn.engine.Shape;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

public final class ModelCatalog {
  /** The shipped definitions, by name. */
  public static final List<String> SHIPPED =
      List.of(
          "lenet5",
          "slides-conv",
          "alexnet",
          "vgg16",
          "resnet18",
          "resnet50",
          "resnet20",
          "resnet56",
          "inception",
          "squeezenet1_1",
          "googlenet");

  private ModelCatalog() {}

  /** The parsed YAML of a shipped model. */
  public static Map<String, Object> shipped(String name) {
    String resource = "/org/sparkcnn/models/" + name + ".yaml";
    try (InputStream in = ModelCatalog.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException(
            "unknown model '" + name + "': expected one of " + SHIPPED + " or model.file");
      }
      return read(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), name);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the shipped model " + name, e);
    }
  }

  /** The parsed YAML of a model definition file. */
  public static Map<String, Object> file(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("model file " + file + " does not exist");
    }
    try {
      return read(Files.readString(file), file.toString());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read model file " + file + ": " + e.getMessage());
    }
  }

  /** Builds an architecture for the data's shape and classes; errors name the source. */
  public static Architecture build(
      Map<String, Object> doc, String source, Shape input, int classes) {
    try {
      return ModelDefinition.parse(doc, input, classes);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
  }

  /** The parsed YAML of a model definition's text; source names it in messages. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> read(String text, String source) {
    Object doc;
    try {
      doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    } catch (YAMLException | IllegalArgumentException e) { // SnakeYAML throws both
      throw new IllegalArgumentException(source + ": not valid YAML: " + e.getMessage());
    }
    if (!(doc instanceof Map)) {
      throw new IllegalArgumentException(source + ": expected a YAML mapping with 'layers'");
    }
    return (Map<String, Object>) doc;
  }
}

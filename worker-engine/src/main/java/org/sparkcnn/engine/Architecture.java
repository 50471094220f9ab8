/*
 * A network as data: the input shape and the ordered layer specs. Building it walks the shapes
 * once, so a layer that does not fit its input is reported with its name and both shapes before
 * any Spark job runs (DESIGN.md contract 5), and fixes each layer's offsets in the flat parameter
 * and buffer vectors (contract 1). Immutable and serializable: this is what executors receive.
 */
package org.sparkcnn.engine;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.sparkcnn.engine.layers.LayerSpec;
import org.sparkcnn.engine.layers.Sequence;

public final class Architecture implements Serializable {
  private final Shape input;
  private final List<LayerSpec> layers;
  private final Shape[] shapes; // shapes[i] is the input of layer i; shapes[n] the output
  private final int[] paramOffsets; // n + 1 entries
  private final int[] bufferOffsets; // n + 1 entries

  @JsonCreator
  public Architecture(
      @JsonProperty("input") Shape input, @JsonProperty("layers") List<LayerSpec> layers) {
    if (input == null || layers == null || layers.isEmpty()) {
      throw new IllegalArgumentException("a model needs an input shape and at least one layer");
    }
    this.input = input;
    this.layers = List.copyOf(layers);
    int n = layers.size();
    shapes = new Shape[n + 1];
    paramOffsets = new int[n + 1];
    bufferOffsets = new int[n + 1];
    shapes[0] = input;
    Set<String> names = new HashSet<>();
    long params = 0;
    long buffers = 0;
    for (int i = 0; i < n; i++) {
      LayerSpec l = layers.get(i);
      if (l.name() == null || !names.add(l.name())) {
        throw new IllegalArgumentException("layer " + i + " needs a unique name, got " + l.name());
      }
      shapes[i + 1] = l.outputShape(shapes[i]);
      paramOffsets[i] = (int) params;
      bufferOffsets[i] = (int) buffers;
      try { // the counts are exact: an int overflow in a layer's arithmetic throws
        params += l.paramCount(shapes[i]);
        buffers += l.bufferCount(shapes[i]);
      } catch (ArithmeticException e) {
        params = Long.MAX_VALUE;
      }
      if (params > Integer.MAX_VALUE - 8 || buffers > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException(
            "model has more than 2^31 parameters or buffer values"
                + " (at layer '"
                + l.name()
                + "')");
      }
    }
    paramOffsets[n] = (int) params;
    bufferOffsets[n] = (int) buffers;
  }

  @JsonProperty
  public Shape input() {
    return input;
  }

  @JsonProperty
  public List<LayerSpec> layers() {
    return layers;
  }

  @JsonIgnore
  public Shape output() {
    return shapes[layers.size()];
  }

  /** The input shape of layer i (i = size() gives the model's output shape). */
  public Shape shapeBefore(int i) {
    return shapes[i];
  }

  public int paramOffset(int i) {
    return paramOffsets[i];
  }

  public int bufferOffset(int i) {
    return bufferOffsets[i];
  }

  @JsonIgnore
  public int paramCount() {
    return paramOffsets[layers.size()];
  }

  @JsonIgnore
  public int bufferCount() {
    return bufferOffsets[layers.size()];
  }

  /** The index of the top-level layer with this name, or -1. */
  public int indexOf(String name) {
    for (int i = 0; i < layers.size(); i++) {
      if (layers.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /** Multiply-adds of one sample's forward pass. */
  @JsonIgnore
  public long macs() {
    long m = 0;
    for (int i = 0; i < layers.size(); i++) {
      m += layers.get(i).macs(shapes[i]);
    }
    return m;
  }

  /** Fresh vectors with every layer initialised from the generator. */
  public Vectors initialise(Init scheme, Rng rng) {
    Vectors v = new Vectors(paramCount(), bufferCount());
    Sequence.initParams(layers, input, v.params, 0, scheme, rng);
    Sequence.initBuffers(layers, input, v.buffers, 0);
    return v;
  }

  /**
   * The table of the course slides: one line per layer with name, type, output shape, weight shape,
   * parameters (weights and biases) and multiply-adds; then the totals. A last column says how the
   * layer's convolutions run (Convolution.path: implicit, phased or lowered; counted for a block
   * that holds several), as EngineOptions.DEFAULT binds it.
   */
  public List<String> summary() {
    return summary(EngineOptions.DEFAULT);
  }

  /** summary, each layer bound with options (its convolution path may differ). */
  public List<String> summary(EngineOptions options) {
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {"layer", "type", "output", "weight", "params", "mult-adds", "conv path"});
    for (int i = 0; i < layers.size(); i++) {
      LayerSpec l = layers.get(i);
      rows.add(
          new String[] {
            l.name(),
            l.getClass().getEnclosingClass().getSimpleName(),
            shapes[i + 1].toString(),
            l.weightShape(shapes[i]),
            String.format("%,d", l.paramCount(shapes[i])),
            String.format("%,d", l.macs(shapes[i])),
            convolutionPaths(l, shapes[i], options)
          });
    }
    rows.add(
        new String[] {
          "total",
          "",
          output().toString(),
          "",
          String.format("%,d", paramCount()),
          String.format("%,d", macs()),
          ""
        });
    int[] width = new int[7];
    rows.forEach(
        r -> {
          for (int c = 0; c < 7; c++) {
            width[c] = Math.max(width[c], r[c].length());
          }
        });
    String format =
        "%-" + width[0] + "s  %-" + width[1] + "s  %-" + width[2] + "s  %-" + width[3] + "s  %"
            + width[4] + "s  %" + width[5] + "s  %-" + width[6] + "s";
    return rows.stream().map(r -> String.format(format, (Object[]) r).stripTrailing()).toList();
  }

  /**
   * "implicit" for a convolution, "2 implicit, 1 lowered" for a block of three, "" for none: the
   * layer bound alone to zero weights with options.
   */
  private static String convolutionPaths(LayerSpec l, Shape in, EngineOptions options) {
    List<String> paths = new ArrayList<>();
    l.bind(in, new Vectors(l.paramCount(in), l.bufferCount(in)), 0, 0, options)
        .convolutionPaths(paths);
    if (paths.size() == 1) {
      return paths.get(0);
    }
    Map<String, Long> counts = new LinkedHashMap<>();
    paths.forEach(p -> counts.merge(p, 1L, Long::sum));
    return counts.entrySet().stream()
        .map(e -> e.getValue() + " " + e.getKey())
        .collect(Collectors.joining(", "));
  }
}

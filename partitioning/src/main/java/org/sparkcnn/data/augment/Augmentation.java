/*
 * A job's augmentation as configured: the training pipeline (an ordered list of ops, each a map
 * {op: NAME, setting: value, ..., p: probability}) and the evaluation pipeline, which may hold
 * only the ops that are not random (resize, center_crop, normalize). Without an evaluation list,
 * evaluation runs those ops of the training list. Parsing walks the shapes as ModelDefinition
 * does for models, and every problem names its place: "data.augment[2].rotate: unknown setting
 * 'angel' (settings: degrees, fill, p)". Both pipelines must make samples of the same shape and
 * normalise alike.
 */
package org.sparkcnn.data.augment;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sparkcnn.engine.Shape;

public record Augmentation(Pipeline train, Pipeline eval) implements Serializable {
  public static final List<String> OPS =
      List.of(
          "random_crop",
          "random_resized_crop",
          "resize",
          "center_crop",
          "hflip",
          "vflip",
          "rotate",
          "affine",
          "color_jitter",
          "cutout",
          "normalize",
          "mixup",
          "cutmix");

  /** Each op's settings. */
  static final Map<String, List<String>> SETTINGS =
      Map.ofEntries(
          Map.entry("random_crop", List.of("size", "padding", "fill")),
          Map.entry("random_resized_crop", List.of("size", "scale", "ratio")),
          Map.entry("resize", List.of("size")),
          Map.entry("center_crop", List.of("size")),
          Map.entry("hflip", List.of("p")),
          Map.entry("vflip", List.of("p")),
          Map.entry("rotate", List.of("degrees", "fill", "p")),
          Map.entry("affine", List.of("degrees", "translate", "scale", "shear", "fill", "p")),
          Map.entry("color_jitter", List.of("brightness", "contrast", "saturation", "hue", "p")),
          Map.entry("cutout", List.of("size", "fill", "p")),
          Map.entry("normalize", List.of("mean", "std")),
          Map.entry("mixup", List.of("alpha", "p")),
          Map.entry("cutmix", List.of("alpha", "p")));

  /** The ops that are not random: they apply to evaluation as well. */
  public static final List<String> EVAL_OPS = List.of("resize", "center_crop", "normalize");

  public static Augmentation none(Shape input) {
    return new Augmentation(Pipeline.identity(input), Pipeline.identity(input));
  }

  /**
   * The pipelines of the items of trainKey and evalKey (config lists, each item a map with 'op' or
   * an op name) for samples of the input shape; an empty eval list means the EVAL_OPS of train.
   */
  public static Augmentation parse(
      List<?> trainItems, String trainKey, List<?> evalItems, String evalKey, Shape input) {
    Pipeline train = training(trainItems, trainKey, input);
    Pipeline eval;
    String evalFrom;
    if (evalItems.isEmpty()) {
      List<Integer> kept = new ArrayList<>();
      for (int i = 0; i < trainItems.size(); i++) {
        if (EVAL_OPS.contains(opName(trainItems.get(i), trainKey + "[" + i + "]"))) {
          kept.add(i);
        }
      }
      eval = walk(trainItems, kept, trainKey, input, false);
      evalFrom =
          evalKey + " (empty, so the " + String.join(", ", EVAL_OPS) + " ops of " + trainKey + ")";
    } else {
      List<Integer> places = new ArrayList<>();
      for (int i = 0; i < evalItems.size(); i++) {
        places.add(i);
      }
      eval = walk(evalItems, places, evalKey, input, false);
      evalFrom = evalKey;
    }
    if (!eval.output().equals(train.output())) {
      throw new IllegalArgumentException(
          evalFrom
              + ": evaluation samples come out "
              + eval.output()
              + " but training samples "
              + train.output()
              + " ("
              + trainKey
              + "); expected the same shape, e.g. "
              + evalKey
              + ": [{op: center_crop, size: "
              + train.output().h()
              + "}]");
    }
    Optional<float[][]> tn = train.normalization();
    Optional<float[][]> en = eval.normalization();
    boolean same =
        tn.isPresent() == en.isPresent()
            && (tn.isEmpty()
                || Arrays.equals(tn.get()[0], en.get()[0])
                    && Arrays.equals(tn.get()[1], en.get()[1]));
    if (!same) {
      throw new IllegalArgumentException(
          evalFrom
              + ": training normalises with "
              + describe(tn)
              + " but evaluation with "
              + describe(en)
              + "; expected the same normalize op in both lists");
    }
    return new Augmentation(train, eval);
  }

  /** The training pipeline of the items of key alone (no evaluation pipeline to match). */
  public static Pipeline training(List<?> items, String key, Shape input) {
    List<Integer> all = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      all.add(i);
    }
    return walk(items, all, key, input, true);
  }

  private static String describe(Optional<float[][]> n) {
    return n.map(m -> "mean " + Arrays.toString(m[0]) + " and std " + Arrays.toString(m[1]))
        .orElse("no normalize op (data.normalize)");
  }

  /** The pipeline of items at the given places of a list. */
  private static Pipeline walk(
      List<?> items, List<Integer> places, String key, Shape input, boolean training) {
    List<SampleOp<?>> ops = new ArrayList<>();
    List<Integer> opPlaces = new ArrayList<>();
    List<BatchMix> mixes = new ArrayList<>();
    List<Integer> mixPlaces = new ArrayList<>();
    Shape shape = input;
    String normalizedAt = null;
    for (int i : places) {
      String at = key + "[" + i + "]";
      String name = opName(items.get(i), at);
      if (!SETTINGS.containsKey(name)) {
        throw new IllegalArgumentException(
            at + ": unknown op '" + name + "'; expected one of " + OPS);
      }
      Settings s = new Settings(at + "." + name, settings(items.get(i)), SETTINGS.get(name));
      if (!training && !EVAL_OPS.contains(name)) {
        throw s.error(
            "a random op is for training only; evaluation takes " + String.join(", ", EVAL_OPS));
      }
      if (name.equals("mixup") || name.equals("cutmix")) {
        mixes.add(BatchMix.parse(s, name.equals("cutmix")));
        mixPlaces.add(i);
        continue;
      }
      if (!mixes.isEmpty()) {
        throw s.error(
            "mixup and cutmix mix finished samples, so they come last; move this op"
                + " before "
                + key
                + "["
                + mixPlaces.get(0)
                + "]");
      }
      if (name.equals("color_jitter") && normalizedAt != null) {
        throw s.error(
            "colour jitter works on pixels in [0, 1]; move it before the normalize"
                + " op at "
                + normalizedAt);
      }
      SampleOp<?> op =
          switch (name) {
            case "random_crop" -> RandomCrop.parse(s, shape);
            case "random_resized_crop" -> RandomResizedCrop.parse(s, shape);
            case "resize" -> Resize.parse(s, shape);
            case "center_crop" -> CenterCrop.parse(s, shape);
            case "hflip" -> Flip.parse(s, shape, false);
            case "vflip" -> Flip.parse(s, shape, true);
            case "rotate" -> Rotate.parse(s, shape);
            case "affine" -> Affine.parse(s, shape);
            case "color_jitter" -> ColorJitter.parse(s, shape);
            case "cutout" -> Cutout.parse(s, shape);
            case "normalize" -> Normalize.parse(s, shape);
            default -> throw new IllegalStateException("no parser for op " + name);
          };
      if (op instanceof Normalize) {
        if (normalizedAt != null) {
          throw s.error(
              "a second normalize op; expected at most one (the first is at " + normalizedAt + ")");
        }
        normalizedAt = at;
      }
      ops.add(op);
      opPlaces.add(i);
      shape = op.outputShape();
    }
    return new Pipeline(
        input,
        ops,
        opPlaces.stream().mapToInt(Integer::intValue).toArray(),
        mixes,
        mixPlaces.stream().mapToInt(Integer::intValue).toArray());
  }

  /** The op name of an item: the string itself, or the map's 'op'. */
  private static String opName(Object item, String at) {
    if (item instanceof String s) {
      return s;
    }
    if (item instanceof Map<?, ?> m && m.get("op") instanceof String s) {
      return s;
    }
    throw new IllegalArgumentException(
        at
            + ": expected an op, {op: NAME, setting: value, ...}"
            + " or NAME, with NAME one of "
            + OPS
            + "; got "
            + item);
  }

  private static Map<String, Object> settings(Object item) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (item instanceof Map<?, ?> m) {
      m.forEach((k, v) -> out.put(String.valueOf(k), v));
      out.remove("op");
    }
    return out;
  }
}

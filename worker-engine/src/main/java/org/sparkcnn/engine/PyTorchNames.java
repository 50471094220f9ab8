/*
 * PyTorch's module names for the layers with weights of the shipped models, one per leaf of
 * ModelTensors.leaves in the same order, so that a state_dict saved by PyTorch loads by name
 * (a tensor is MODULE.weight, MODULE.bias, MODULE.running_mean...). The tables, documented in
 * conf/models/README.md:
 *   lenet5, the W1 network (nn.Sequential):     0, 3, 7, 9
 *   resnet20/56, the W2 network (nn.Sequential): stem 0 and 1; block k is 3 + k with c1, b1, c2,
 *                                                b2, short.0, short.1; the head 3 + blocks + 2
 *   resnet18/50 (torchvision):   conv1, bn1; layerS.B.conv1/bn1/conv2/bn2/conv3/bn3 and
 *                                layerS.B.downsample.0/1 (a stage starts at a projection); fc
 *   vgg16 (torchvision):         features.I for the layer at index I before the flatten,
 *                                classifier.J for index J after it
 *   alexnet (torchvision):       features.0/3/6/8/10, classifier.1/4/6
 *   squeezenet1_1 (torchvision): features.0; features.F.squeeze/expand1x1/expand3x3 for the fire
 *                                modules F = 3, 4, 6, 7, 9, 10, 11, 12; classifier.1
 *   googlenet (torchvision):     conv1..3 and inceptionXY.branch1, branch2.0/1, branch3.0/1,
 *                                branch4.1, each .conv and .bn; fc
 * Any other model uses sparkcnn's own layer names (conv1, basic1.conv2, ...).
 */
package org.sparkcnn.engine;

import java.util.ArrayList;
import java.util.List;
import org.sparkcnn.engine.layers.BatchNorm;
import org.sparkcnn.engine.layers.Flatten;
import org.sparkcnn.engine.layers.LayerSpec;
import org.sparkcnn.engine.layers.Linear;
import org.sparkcnn.engine.layers.Residual;

public final class PyTorchNames {
  private PyTorchNames() {}

  /** The module name of every leaf of arch, for a shipped model's name (else sparkcnn's). */
  public static List<String> modules(String model, Architecture arch) {
    List<ModelTensors.Leaf> leaves = ModelTensors.leaves(arch);
    List<String> names =
        switch (model == null ? "" : model) {
          case "lenet5" -> leaves.stream().map(l -> String.valueOf(l.top())).toList();
          case "resnet20", "resnet56" -> resnet(arch, false);
          case "resnet18", "resnet50" -> resnet(arch, true);
          case "vgg16" -> vgg(arch, leaves);
          case "alexnet" ->
              byKind(
                  leaves,
                  List.of("features.0", "features.3", "features.6", "features.8", "features.10"),
                  List.of("classifier.1", "classifier.4", "classifier.6"));
          case "squeezenet1_1" -> squeezenet();
          case "googlenet" -> googlenet();
          default -> leaves.stream().map(l -> l.spec().name()).toList();
        };
    if (names.size() != leaves.size()) {
      throw new IllegalArgumentException(
          "the PyTorch names of "
              + model
              + " cover "
              + names.size()
              + " layers with weights, this model has "
              + leaves.size()
              + ": it is not the shipped "
              + model);
    }
    return names;
  }

  /** torchvision's ResNet (tv) or the W2 network of ../shared/bench/pytorch_reference.py. */
  private static List<String> resnet(Architecture arch, boolean tv) {
    List<String> out = new ArrayList<>();
    int blocks = (int) arch.layers().stream().filter(l -> l instanceof Residual.Spec).count();
    int block = 0;
    int stage = 0;
    int inStage = 0;
    for (int i = 0; i < arch.layers().size(); i++) {
      LayerSpec l = arch.layers().get(i);
      if (l instanceof Residual.Spec r) {
        if (block == 0 || !r.shortcut().isEmpty()) {
          stage++;
          inStage = 0;
        }
        String prefix = tv ? "layer" + stage + "." + inStage : String.valueOf(3 + block);
        int conv = 0;
        int bn = 0;
        for (LayerSpec s : r.body()) {
          if (s instanceof BatchNorm.Spec) {
            add(out, s, prefix + (tv ? ".bn" : ".b") + ++bn);
          } else if (isConv(s)) {
            out.add(prefix + (tv ? ".conv" : ".c") + ++conv);
          }
        }
        int k = 0;
        for (LayerSpec s : r.shortcut()) {
          if (isConv(s) || s instanceof BatchNorm.Spec) {
            add(out, s, prefix + (tv ? ".downsample." : ".short.") + k++);
          }
        }
        block++;
        inStage++;
      } else if (isConv(l) || l instanceof BatchNorm.Spec) {
        boolean bn = l instanceof BatchNorm.Spec;
        add(out, l, tv ? (bn ? "bn1" : "conv1") : bn ? "1" : "0");
      } else if (l instanceof Linear.Spec) {
        out.add(tv ? "fc" : String.valueOf(3 + blocks + 2));
      }
    }
    return out;
  }

  /**
   * Adds the name of a module unless it is a batch norm without tensors (no affine, no
   * track_running_stats), which keeps its place in PyTorch's numbering but is no leaf.
   */
  private static void add(List<String> out, LayerSpec s, String name) {
    if (!(s instanceof BatchNorm.Spec b) || b.affine() || b.trackRunningStats()) {
      out.add(name);
    }
  }

  private static boolean isConv(LayerSpec s) {
    return s instanceof org.sparkcnn.engine.layers.ConvSpec;
  }

  private static List<String> vgg(Architecture arch, List<ModelTensors.Leaf> leaves) {
    int flatten = -1;
    for (int i = 0; i < arch.layers().size() && flatten < 0; i++) {
      flatten = arch.layers().get(i) instanceof Flatten.Spec ? i : -1;
    }
    int f = flatten;
    return leaves.stream()
        .map(l -> f < 0 || l.top() < f ? "features." + l.top() : "classifier." + (l.top() - f - 1))
        .toList();
  }

  /** Convolutions take the first list's names in order, linear layers the second's. */
  private static List<String> byKind(
      List<ModelTensors.Leaf> leaves, List<String> convs, List<String> linears) {
    List<String> out = new ArrayList<>();
    int c = 0;
    int f = 0;
    for (ModelTensors.Leaf l : leaves) {
      if (isConv(l.spec()) && c < convs.size()) {
        out.add(convs.get(c++));
      } else if (l.spec() instanceof Linear.Spec && f < linears.size()) {
        out.add(linears.get(f++));
      } else {
        out.add(l.spec().name());
      }
    }
    return out;
  }

  private static List<String> squeezenet() {
    List<String> out = new ArrayList<>(List.of("features.0"));
    for (int fire : new int[] {3, 4, 6, 7, 9, 10, 11, 12}) {
      for (String part : List.of("squeeze", "expand1x1", "expand3x3")) {
        out.add("features." + fire + "." + part);
      }
    }
    out.add("classifier.1");
    return out;
  }

  private static List<String> googlenet() {
    List<String> convs = new ArrayList<>(List.of("conv1", "conv2", "conv3"));
    for (String m : List.of("3a", "3b", "4a", "4b", "4c", "4d", "4e", "5a", "5b")) {
      for (String b :
          List.of("branch1", "branch2.0", "branch2.1", "branch3.0", "branch3.1", "branch4.1")) {
        convs.add("inception" + m + "." + b);
      }
    }
    List<String> out = new ArrayList<>();
    for (String c : convs) {
      out.add(c + ".conv");
      out.add(c + ".bn");
    }
    out.add("fc");
    return out;
  }
}

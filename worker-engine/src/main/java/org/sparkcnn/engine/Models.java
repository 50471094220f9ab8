/*
 * The built-in architectures by name. LeNet-5 is the network of the course table and of
 * ../shared/golden/lenet5_step.json: Conv(C->20, k5, p2) ReLU MaxPool(2, 2) Conv(20->50, k5, p2)
 * ReLU MaxPool(2, 2) Flatten Linear(->500) ReLU Linear(500->classes); on 1x28x28 input it has
 * 1,256,080 parameters. Its linear layer takes its input size from the data, so the same
 * definition trains on 3x32x32 images.
 */
package org.sparkcnn.engine;

import java.util.List;
import org.sparkcnn.engine.layers.Conv2d;
import org.sparkcnn.engine.layers.Flatten;
import org.sparkcnn.engine.layers.LayerSpec;
import org.sparkcnn.engine.layers.Linear;
import org.sparkcnn.engine.layers.MaxPool2d;
import org.sparkcnn.engine.layers.ReLU;

public final class Models {
  public static final List<String> NAMES = List.of("lenet5");

  private Models() {}

  public static Architecture byName(String name, Shape input, int classes) {
    return switch (name) {
      case "lenet5" -> lenet5(input, classes);
      default ->
          throw new IllegalArgumentException(
              "unknown model '" + name + "': expected one of " + NAMES);
    };
  }

  public static Architecture lenet5(Shape input, int classes) {
    List<LayerSpec> layers =
        List.of(
            Conv2d.Spec.of("conv1", 0, 20, 5, 1, 2),
            new ReLU.Spec("relu1"),
            new MaxPool2d.Spec("pool1", 2, 2, 0),
            Conv2d.Spec.of("conv2", 20, 50, 5, 1, 2),
            new ReLU.Spec("relu2"),
            new MaxPool2d.Spec("pool2", 2, 2, 0),
            new Flatten.Spec("flatten"),
            Linear.Spec.of("fc1", 0, 500),
            new ReLU.Spec("relu3"),
            Linear.Spec.of("fc2", 500, classes));
    return new Architecture(input, layers);
  }
}

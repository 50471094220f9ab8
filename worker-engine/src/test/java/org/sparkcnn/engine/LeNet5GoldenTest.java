/*
 * The most important check of the engine: one LocalStep of LeNet-5 against PyTorch
 * (../shared/golden/lenet5_step.json). The parameters come from the flat float32 file that PyTorch
 * wrote, so this also checks that our flat layout (layers in order, weight then bias, PyTorch's
 * shapes) is exactly the one in the file's "layout". Our gradient is that of the summed loss;
 * PyTorch's is of the mean, so ours is divided by n.
 */
package org.sparkcnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.sparkcnn.engine.layers.Conv2d;
import org.sparkcnn.engine.layers.LayerSpec;
import org.sparkcnn.engine.layers.Linear;

class LeNet5GoldenTest {
  private static final String CASE = "lenet5_step.json";

  @Test
  void flatLayoutMatchesPyTorch() {
    JsonNode c = Golden.read(CASE);
    Architecture arch = Models.lenet5(Shape.of(1, 28, 28), 10);
    assertEquals(c.get("size").intValue(), arch.paramCount());
    int end = 0;
    for (JsonNode entry : c.get("layout")) {
      String name = entry.get("name").asText(); // "<layer index>.weight" or ".bias"
      int layer = Integer.parseInt(name.substring(0, name.indexOf('.')));
      boolean weight = name.endsWith(".weight");
      int[] shape = ourShape(arch, layer, weight);
      assertArrayEquals(Golden.intArray(entry.get("shape")), shape, name + " shape");
      int offset = arch.paramOffset(layer) + (weight ? 0 : size(ourShape(arch, layer, true)));
      assertEquals(entry.get("offset").intValue(), offset, name + " offset");
      assertEquals(end, offset, name + " follows the previous tensor");
      end = offset + size(shape);
    }
    assertEquals(arch.paramCount(), end, "the layout covers the whole vector");
  }

  private static int size(int[] shape) {
    return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
  }

  /** PyTorch's shape of layer i's weight ([Cout, Cin, K, K] or [out, in]) or bias ([out]). */
  private static int[] ourShape(Architecture arch, int i, boolean weight) {
    LayerSpec l = arch.layers().get(i);
    Shape in = arch.shapeBefore(i);
    if (l instanceof Conv2d.Spec s) {
      return weight
          ? new int[] {s.out(), in.c(), s.kernel().get(0), s.kernel().get(1)}
          : new int[] {s.out()};
    }
    if (l instanceof Linear.Spec s) {
      return weight ? new int[] {s.out(), in.size()} : new int[] {s.out()};
    }
    throw new AssertionError("layer " + i + " (" + l.name() + ") has no parameters");
  }

  @Test
  void oneStepMatchesPyTorch() {
    JsonNode c = Golden.read(CASE);
    Architecture arch = Models.lenet5(Shape.of(1, 28, 28), 10);
    float[] params = Golden.f32File(c.get("parameters_file").asText());
    double[] expected =
        Golden.toDouble(Golden.f32File(c.get("gradients_file").asText()), arch.paramCount());
    assertEquals(arch.paramCount(), params.length, "parameters file size");

    Model model = Model.empty(arch);
    model.setParams(params);
    int[] labels = Golden.intArray(c.get("target"));
    int n = labels.length;
    assertArrayEquals(new int[] {n, 1, 28, 28}, Golden.shape(c.get("input")));
    LocalStep.Stats s = new LocalStep().gradient(model, Golden.floats(c.get("input")), labels, n);

    double loss = c.get("loss").doubleValue();
    assertEquals(n, s.count());
    assertEquals(loss, s.lossSum() / n, Golden.FORWARD_TOL * Math.max(1, loss), "mean loss");
    double[] mean = new double[arch.paramCount()];
    float[] g = model.vectors().grads;
    for (int i = 0; i < mean.length; i++) {
      mean[i] = (double) g[i] / n;
    }
    Golden.assertClose("gradient vector", expected, mean, Golden.GRAD_TOL);
    // and each tensor relative to its own magnitude: these gradients are all well below 1, where
    // the README's floor of 1 would make the check an absolute one
    for (JsonNode entry : c.get("layout")) {
      int off = entry.get("offset").intValue();
      int len = size(Golden.intArray(entry.get("shape")));
      Golden.assertClose(
          "gradient of " + entry.get("name").asText(),
          Arrays.copyOfRange(expected, off, off + len),
          Arrays.copyOfRange(mean, off, off + len),
          Golden.GRAD_TOL,
          0);
    }
  }
}

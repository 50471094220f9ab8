/*
 * Footprint: LeNet-5's memory at batch 64 counted by hand, and, for a model of every layer type,
 * that Model.heldFloats is what the layers really keep: after a training step the arrays reachable
 * from a model's layers (their own and the shared input gradients) grow by exactly heldFloats per
 * added sample.
 */
package org.sparkcnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FootprintTest {
  @Test
  void lenet5AtBatch64CountedByHand() {
    Architecture a = Models.lenet5(Shape.of(1, 28, 28), 10);
    // floats kept per sample, layer by layer (y: output, argmax of the pools; conv1 computes no
    // input gradient, nobody needs the images'), then the pair of arrays all the layers' input
    // gradients share, each as long as the largest (relu1's and pool1's: 20 x 28 x 28), and the
    // loss's gradient and targets
    long perSample =
        20 * 28 * 28 // conv1
            + 20 * 28 * 28 // relu1
            + 2 * 20 * 14 * 14 // pool1
            + 50 * 14 * 14 // conv2
            + 50 * 14 * 14 // relu2
            + 2 * 50 * 7 * 7 // pool2
            // flatten: a view
            + 500 // fc1
            + 500 // relu3
            + 10 // fc2
            + 2 * 20 * 28 * 28 // the shared input gradients
            + 2 * 10; // the loss
    assertEquals(96_090, perSample);
    assertEquals(perSample, Footprint.activationFloats(a));

    Footprint f = Footprint.of(a, 64, true);
    assertEquals(64L * 784 * 4, f.inputBytes());
    assertEquals(64L * 96_090 * 4, f.activationBytes());
    assertEquals(1_256_080L * 4, f.paramBytes());
    assertEquals(f.paramBytes(), f.gradBytes());
    assertEquals(f.paramBytes(), f.optimizerBytes());
    assertEquals(0, Footprint.of(a, 64, false).optimizerBytes());
    assertEquals(
        List.of(
            "memory to train at batch 64 (float32; MB = 10^6 bytes):",
            "Input size (MB): 0.20",
            "Forward/backward pass size (MB): 24.60",
            "Params size (MB): 5.02",
            "Gradients size (MB): 5.02",
            "Optimizer state size (MB): 5.02",
            "Buffers size (MB): 0.00",
            "Estimated Total Size (MB): 39.87"),
        f.lines());
  }

  /** Every layer type, and a reflect-padded convolution and dropout, which it lacks. */
  static final String MORE_LAYERS =
      """
      {"layers": [
        {"conv2d": {"out": 4, "kernel": 3, "padding": 1, "padding_mode": "reflect"}},
        "elu", {"conv2d": {"out": 6, "kernel": 3, "stride": 2, "padding": 1}}, "relu",
        {"adaptive_max_pool2d": {"output_size": 3}}, "flatten", {"dropout": {"p": 0.5}},
        {"linear": {"out": "$classes"}}]}""";

  @Test
  void heldFloatsIsWhatTheLayersKeep() throws Exception {
    checkHeld(OnnxExportTest.EVERY_LAYER, Shape.of(3, 12, 12));
    checkHeld(MORE_LAYERS, Shape.of(2, 9, 9));
    checkHeld(null, Shape.of(1, 28, 28));
  }

  /** The arrays a model keeps after a step of 5 samples, less those after 2, per sample. */
  private static void checkHeld(String json, Shape in) throws Exception {
    @SuppressWarnings("unchecked")
    Architecture a =
        json == null
            ? Models.lenet5(in, 10)
            : ModelDefinition.parse(ModelFile.JSON.readValue(json, Map.class), in, 10);
    long perSample = Footprint.activationFloats(a) - 2 * 10; // less the loss's (LocalStep's)
    assertEquals(3 * perSample, keptAfter(a, 5, true) - keptAfter(a, 2, true), json);
    assertEquals(2 * perSample, Model.empty(a).heldFloats(2));
    assertEquals(
        3 * Footprint.inferenceFloats(a), keptAfter(a, 5, false) - keptAfter(a, 2, false), json);
  }

  /** The arrays of a fresh model after a training step, or an inference pass, of n samples. */
  private static long keptAfter(Architecture a, int n, boolean training) throws Exception {
    Model m = new Model(a, a.initialise(Init.HE, Rng.of(1)));
    float[] x = new float[n * a.input().size()];
    Rng r = Rng.of(2);
    for (int i = 0; i < x.length; i++) {
      x[i] = r.uniform(-1f, 1f);
    }
    if (training) {
      new LocalStep().gradient(m, x, new int[n], n, 3L);
    } else {
      m.forward(x, n, false);
    }
    Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Vectors v = m.vectors();
    seen.addAll(List.of(x, v.params, v.grads, v.buffers, a));
    return elements(m, seen);
  }

  /**
   * The elements of the primitive arrays reachable from o through the fields of the engine's
   * objects (not static ones) and lists, each array once.
   */
  private static long elements(Object root, Set<Object> seen) throws IllegalAccessException {
    long total = 0;
    Deque<Object> todo = new ArrayDeque<>(List.of(root));
    while (!todo.isEmpty()) {
      Object o = todo.pop();
      if (o == null || !seen.add(o)) {
        continue;
      }
      Class<?> c = o.getClass();
      if (c.isArray()) {
        if (c.getComponentType().isPrimitive()) {
          total += java.lang.reflect.Array.getLength(o);
        } else {
          for (Object e : (Object[]) o) {
            if (e != null) {
              todo.push(e);
            }
          }
        }
      } else if (o instanceof List<?> list) {
        list.forEach(todo::push);
      } else if (c.getName().startsWith("org.sparkcnn.engine")) {
        for (; c != null; c = c.getSuperclass()) {
          for (Field f : c.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers()) && !f.getType().isPrimitive()) {
              f.setAccessible(true);
              Object value = f.get(o);
              if (value != null) {
                todo.push(value);
              }
            }
          }
        }
      }
    }
    return total;
  }
}

/*
 * A ReLU taken over by the layer before it (batch norm in 2D and 1D, a residual block) changes no
 * bit of a chain's output, input gradient, parameter gradients or running statistics, in training
 * and in evaluation, against the same chain with every ReLU bound as a layer of its own; a ReLU
 * after any other layer stays one.
 */
package org.sparkcnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparkcnn.engine.EngineOptions;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

class FusedReLUTest {
  private static final Shape IN = Shape.of(3, 9, 7);
  private static final List<LayerSpec> CHAIN =
      List.of(
          Conv2d.Spec.of("stem", 3, 8, 3, 1, 1),
          BatchNorm2d.Spec.of("bn", 8),
          new ReLU.Spec("r0"),
          new Residual.Spec(
              "block",
              List.of(
                  Conv2d.Spec.of("c1", 8, 8, 3, 2, 1),
                  BatchNorm2d.Spec.of("bn1", 8),
                  new ReLU.Spec("r1"),
                  Conv2d.Spec.of("c2", 8, 8, 3, 1, 1),
                  BatchNorm2d.Spec.of("bn2", 8)),
              List.of(Conv2d.Spec.of("proj", 8, 8, 1, 2, 0), BatchNorm2d.Spec.of("bnp", 8))),
          new ReLU.Spec("r2"),
          Conv2d.Spec.of("c3", 8, 4, 3, 1, 1),
          new ReLU.Spec("r3"), // after a convolution: a layer of its own
          new Flatten.Spec("flat"),
          Linear.Spec.of("fc", 4 * 5 * 4, 6),
          BatchNorm1d.Spec.of("bn1d", 6),
          new ReLU.Spec("r4"));

  @Test
  void fusingChangesNoBit() {
    for (boolean training : new boolean[] {true, false}) {
      Object[] apart = step(training, EngineOptions.DEFAULT.withFuseReLU(false));
      Object[] fused = step(training, EngineOptions.DEFAULT);
      String[] what = {"output", "input gradient", "parameter gradients", "buffers"};
      for (int i = 0; i < what.length; i++) {
        assertArrayEquals(
            (float[]) apart[i],
            (float[]) fused[i],
            what[i] + (training ? " in training" : " in evaluation"));
      }
    }
  }

  @Test
  void onlyReLUsAfterBatchNormAndResidualBlocksPassThrough() {
    Vectors v = new Vectors(Sequence.paramCount(CHAIN, IN), Sequence.bufferCount(CHAIN, IN));
    Sequence chain = Sequence.bind(CHAIN, IN, v, 0, 0, EngineOptions.DEFAULT);
    assertEquals(CHAIN.size(), chain.layers().size(), "every spec keeps its layer");
    float[] x = GradCheck.uniform(Rng.of(3), 2 * IN.size() * 8, -1f, 1f);
    for (int i : new int[] {2, 4, 10}) { // after batch norm, the residual block, batch norm 1d
      assertSame(x, chain.layers().get(i).forward(x, 2, true), CHAIN.get(i) + " passes through");
    }
    assertNotSame(
        x,
        chain.layers().get(6).forward(x, 2, true),
        "the ReLU after a convolution is a layer of its own");
  }

  /** Output, input gradient, gradients and buffers after one step of the chain on 2 samples. */
  private static Object[] step(boolean training, EngineOptions options) {
    Rng rng = Rng.of(9);
    Vectors v = new Vectors(Sequence.paramCount(CHAIN, IN), Sequence.bufferCount(CHAIN, IN));
    float[] p = GradCheck.uniform(rng, v.params.length, -0.5f, 0.5f);
    System.arraycopy(p, 0, v.params, 0, p.length);
    Sequence.initBuffers(CHAIN, IN, v.buffers, 0);
    Sequence chain = Sequence.bind(CHAIN, IN, v, 0, 0, options);
    chain.setNeedInputGrad(true);
    int n = 2;
    float[] x = GradCheck.uniform(rng, n * IN.size(), -1f, 1f);
    float[] y = chain.forward(x, n, training);
    float[] out = Arrays.copyOf(y, n * chain.outputShape().size());
    float[] dy = GradCheck.uniform(rng, out.length, -1f, 1f);
    float[] dx = chain.backward(dy, n).clone();
    return new Object[] {out, dx, v.grads.clone(), v.buffers.clone()};
  }
}

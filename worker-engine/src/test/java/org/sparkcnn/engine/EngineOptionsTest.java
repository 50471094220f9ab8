/*
 * EngineOptions: what each setting resolves to, the checks of its values, and models bound with
 * the scalar SGEMM or with every convolution lowered computing LeNet-5's step as the default
 * model does, up to rounding; its threads only change the pool the passes run on.
 */
package org.sparkcnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparkcnn.engine.kernels.Gemm;

class EngineOptionsTest {
  @Test
  void settingsResolveAndBadValuesAreRefused() {
    assertEquals(Gemm.IMPL, EngineOptions.DEFAULT.gemmImpl(), "auto: the best kernel present");
    assertEquals(
        Gemm.Impl.SCALAR,
        EngineOptions.DEFAULT.withGemm(EngineOptions.GemmKernel.SCALAR).gemmImpl());
    assertEquals(768 << 10, EngineOptions.DEFAULT.convChunkBytes());
    IllegalArgumentException threads =
        assertThrows(IllegalArgumentException.class, () -> EngineOptions.DEFAULT.withThreads(0));
    assertTrue(threads.getMessage().contains("threads must be >= 1, got 0"), threads.getMessage());
    IllegalArgumentException chunk =
        assertThrows(
            IllegalArgumentException.class, () -> EngineOptions.DEFAULT.withConvChunkBytes(0));
    assertTrue(chunk.getMessage().contains("convChunkBytes must be >= 1"), chunk.getMessage());
  }

  @Test
  void theScalarKernelAndLoweredConvolutionsComputeTheSameStep() {
    Architecture arch = Models.lenet5(Shape.of(1, 28, 28), 10);
    int n = 8;
    float[] x = new float[n * arch.input().size()];
    Rng r = Rng.of(5);
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextFloat();
    }
    int[] y = {0, 1, 2, 3, 4, 5, 6, 7};
    float[] want = grads(arch, x, y, n, EngineOptions.DEFAULT);
    for (EngineOptions o :
        new EngineOptions[] {
          EngineOptions.DEFAULT.withGemm(EngineOptions.GemmKernel.SCALAR),
          EngineOptions.DEFAULT.withConv(EngineOptions.ConvPaths.LOWERED),
          EngineOptions.DEFAULT.withThreads(2)
        }) {
      float[] got = grads(arch, x, y, n, o);
      if (o.threads() == 2) {
        assertArrayEquals(want, got, "threads change no bit");
      } else {
        assertArrayEquals(want, got, 1e-4f, o + ": the same gradient up to rounding");
      }
    }
  }

  /** The parameter gradient of one step of LeNet-5 (seeded weights) bound with o. */
  private static float[] grads(Architecture arch, float[] x, int[] y, int n, EngineOptions o) {
    Model m = new Model(arch, arch.initialise(Init.HE, Rng.of(9)), o);
    new LocalStep().gradient(m, x, y, n);
    return m.vectors().grads.clone();
  }
}

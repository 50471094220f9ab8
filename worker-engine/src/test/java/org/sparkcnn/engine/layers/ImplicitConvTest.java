/*
 * The grid paths of convolutions (Implicit on PaddedGrid for stride 1, Phased on
 * PhaseGrid for strides) beyond what the reference comparison shows: which layers take them, that
 * the thread count changes no bit of forward, dx or dW (in one chunk or in several), that chunks
 * change no bit of forward and dx (only dW's order of sums), and that the per-thread grids,
 * shared by all layers, carry nothing from one layer to the next (every zero of a grid is written
 * each time).
 */
package org.sparkcnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sparkcnn.engine.EngineOptions;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;
import org.sparkcnn.engine.kernels.Parallel;

class ImplicitConvTest {
  @AfterEach
  void oneThread() {
    Parallel.exit(null);
  }

  @Test
  void whichLayersTakeAGridPath() {
    Rng rng = Rng.of(1);
    assertEquals(true, implicit(Conv2d.Spec.of("c", 3, 4, 3, 1, 1), Shape.of(3, 9, 9), rng));
    assertEquals(true, implicit(Conv2d.Spec.of("c", 3, 4, 1, 1, 0), Shape.of(3, 9, 9), rng));
    assertEquals(
        true,
        implicit(
            new Conv1d.Spec("c", 3, 4, PerAxis.of(5), null, Padding.SAME, true, PerAxis.of(2), 0),
            Shape.of(3, 17),
            rng));
    // strided: the phased path (Phased), without dilation
    assertEquals(true, implicit(Conv2d.Spec.of("c", 3, 4, 3, 2, 1), Shape.of(3, 9, 9), rng));
    assertEquals(true, implicit(Conv2d.Spec.of("c", 3, 4, 1, 2, 0), Shape.of(3, 9, 9), rng));
    assertEquals(
        false,
        implicit(
            new Conv2d.Spec(
                "c", 3, 4, PerAxis.of(3), PerAxis.of(2), Padding.of(1), true, PerAxis.of(2), 0),
            Shape.of(3, 9, 9),
            rng));
    assertEquals(
        false,
        implicit(
            new Conv2d.Spec(
                "c", 3, 4, PerAxis.of(3), PerAxis.of(2, 1), Padding.of(1), true, null, 0),
            Shape.of(3, 9, 9),
            rng));
    // padding past the kernel's reach, d(k - 1): no room for the flipped convolution of dx
    assertEquals(false, implicit(Conv2d.Spec.of("c", 3, 4, 1, 1, 1), Shape.of(3, 9, 9), rng));
    assertEquals(
        false,
        implicit(
            new Conv3d.Spec("c", 2, 2, PerAxis.of(3), null, Padding.of(1), true, null, 0),
            Shape.of(2, 5, 5, 5),
            rng));
  }

  private static boolean implicit(ConvSpec spec, Shape in, Rng rng) {
    return ((Convolution) ConvCases.bindRandom(spec, in, rng)).isImplicit();
  }

  private static final ConvSpec[] GRID_LAYERS = {
    new Conv2d.Spec("c", 6, 10, PerAxis.of(3), null, Padding.of(1), true, null, 2),
    new Conv2d.Spec("c", 6, 10, PerAxis.of(3), PerAxis.of(2), Padding.of(1), true, null, 2),
    Conv2d.Spec.of("1x1", 6, 8, 1, 1, 0), // a grid that is the images themselves
    Conv2d.Spec.of("1x1/2", 6, 8, 1, 2, 0),
    // groups of 32 output channels: dW by tap products where the vector build runs
    new Conv2d.Spec("c", 6, 64, PerAxis.of(3), null, Padding.of(1), true, null, 2),
    Conv2d.Spec.of("c/2", 6, 32, 3, 2, 1)
  };

  @Test
  void theThreadCountChangesNoBit() {
    Shape in = Shape.of(6, 17, 13);
    for (String path : new String[] {"grid", "grid in chunks of one sample"}) {
      EngineOptions options = Conv2dReferenceTest.options(path);
      for (ConvSpec spec : GRID_LAYERS) {
        float[][] one = run(spec, in, 5, 1, options);
        for (int threads : new int[] {2, 3}) {
          float[][] many = run(spec, in, 5, threads, options);
          for (int i = 0; i < one.length; i++) {
            assertArrayEquals(
                one[i],
                many[i],
                spec + ", " + path + ": output " + i + " with " + threads + " threads");
          }
        }
      }
    }
  }

  @Test
  void chunksChangeNoBitOfForwardAndDx() {
    Shape in = Shape.of(6, 17, 13);
    int n = 7;
    for (ConvSpec spec : GRID_LAYERS) {
      EngineOptions inOne = EngineOptions.DEFAULT.withConvChunkBytes(Long.MAX_VALUE);
      Convolution whole =
          (Convolution) ConvCases.bindRandom(spec, in, Rng.of(7), new Vectors[1], inOne);
      assertTrue(whole.chunk() >= n, spec + ": one chunk");
      float[][] one = run(spec, in, n, 2, inOne);
      // chunks of 3 samples (the last of 1), and of 1
      for (long bytes : new long[] {3 * whole.gridBytesPerSample(), 1}) {
        EngineOptions chunks = EngineOptions.DEFAULT.withConvChunkBytes(bytes);
        Convolution chunked =
            (Convolution) ConvCases.bindRandom(spec, in, Rng.of(7), new Vectors[1], chunks);
        assertEquals(bytes == 1 ? 1 : 3, chunked.chunk(), spec + ": samples per chunk");
        float[][] many = run(spec, in, n, 2, chunks);
        assertArrayEquals(one[0], many[0], spec + ": forward in chunks of " + chunked.chunk());
        assertArrayEquals(one[1], many[1], spec + ": dx in chunks of " + chunked.chunk());
        for (int i = 0; i < one[2].length; i++) {
          assertEquals(
              one[2][i],
              many[2][i],
              1e-5 * n * 17 * 13,
              spec + ": gradient " + i + " in chunks of " + chunked.chunk());
        }
      }
    }
  }

  /** forward, dx and the gradients of one step of a fresh layer with seed 7 on n samples. */
  private static float[][] run(ConvSpec spec, Shape in, int n, int threads) {
    return run(spec, in, n, threads, EngineOptions.DEFAULT);
  }

  /** As run, the layer bound with options, on the pool of threads. */
  private static float[][] run(ConvSpec spec, Shape in, int n, int threads, EngineOptions options) {
    Parallel.of(threads).enter();
    Rng rng = Rng.of(7);
    Vectors[] vs = new Vectors[1];
    Layer conv = ConvCases.bindRandom(spec, in, rng, vs, options);
    conv.setNeedInputGrad(true);
    float[] x = GradCheck.uniform(rng, n * in.size(), -1f, 1f);
    float[] y = conv.forward(x, n, true).clone();
    float[] dy = GradCheck.uniform(rng, y.length, -1f, 1f);
    float[] dx = conv.backward(dy, n).clone();
    return new float[][] {y, dx, vs[0].grads.clone()};
  }

  @Test
  void phasesNoTapReadsCarryNothingEither() {
    // a 1 x 4 kernel of stride 2 reads phases (0, 0) and (0, 1) only, and the wide grid's
    // columns past the last row's end of phase (0, 1) run into phase (1, 0): it must hold zeros,
    // not what was there
    ConvSpec spec =
        new Conv2d.Spec(
            "1x4/2", 2, 3, PerAxis.of(1, 4), PerAxis.of(2), Padding.of(0, 1), true, null, 0);
    Shape in = Shape.of(2, 7, 9);
    float[][] clean = run(spec, in, 3, 1);
    for (int slot = 0; slot < 3; slot++) {
      Arrays.fill(Grids.grid(slot, 1 << 16), Float.NaN);
    }
    float[][] again = run(spec, in, 3, 1);
    for (int i = 0; i < clean.length; i++) {
      assertArrayEquals(clean[i], again[i], spec + ": output " + i + " after NaN in the grids");
    }
  }

  @Test
  void theSharedGridsCarryNothingBetweenLayers() {
    ConvSpec wide =
        new Conv2d.Spec("wide", 4, 4, PerAxis.of(5), null, Padding.of(4), true, PerAxis.of(2), 0);
    for (ConvSpec small :
        new ConvSpec[] {
          Conv2d.Spec.of("small", 2, 3, 3, 1, 1), Conv2d.Spec.of("strided", 2, 3, 3, 2, 1)
        }) {
      float[][] first = run(small, Shape.of(2, 7, 5), 3, 1);
      float[][] between = run(wide, Shape.of(4, 11, 9), 4, 1); // fills the grids with other data
      float[][] again = run(small, Shape.of(2, 7, 5), 3, 1);
      for (int i = 0; i < first.length; i++) {
        assertArrayEquals(first[i], again[i], small + ": output " + i);
      }
      assertEquals(false, Arrays.equals(between[0], new float[between[0].length]));
    }
  }
}

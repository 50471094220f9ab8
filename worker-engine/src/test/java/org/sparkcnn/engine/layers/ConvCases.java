/*
 * Reading the options of a convolution golden case (../shared/golden, README.md): stride, padding,
 * dilation (and output_padding) as lists, groups, and the kernel from the weight's shape
 * [Cout, Cin/groups, K...] (transposed: [Cin, Cout/groups, K...]); and random parameters for the
 * parity and gradient tests.
 */
package org.sparkcnn.engine.layers;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import org.sparkcnn.engine.EngineOptions;
import org.sparkcnn.engine.Golden;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

final class ConvCases {
  private ConvCases() {}

  static PerAxis ints(JsonNode c, String field) {
    return PerAxis.of(Golden.intArray(c.get(field)));
  }

  static PerAxis kernel(JsonNode c) {
    int[] w = Golden.shape(c.get("weight"));
    return PerAxis.of(Arrays.copyOfRange(w, 2, w.length));
  }

  static int weightDim(JsonNode c, int i) {
    return Golden.shape(c.get("weight"))[i];
  }

  /** Binds spec at offset 0 of fresh vectors holding uniform random parameters in [-1, 1). */
  static Layer bindRandom(LayerSpec spec, Shape in, Rng rng) {
    return bindRandom(spec, in, rng, new Vectors[1]);
  }

  /** As bindRandom, handing the vectors back in vs[0]. */
  static Layer bindRandom(LayerSpec spec, Shape in, Rng rng, Vectors[] vs) {
    return bindRandom(spec, in, rng, vs, EngineOptions.DEFAULT);
  }

  /** As bindRandom, bound with options. */
  static Layer bindRandom(LayerSpec spec, Shape in, Rng rng, Vectors[] vs, EngineOptions options) {
    Vectors v = new Vectors(spec.paramCount(in), 0);
    System.arraycopy(
        GradCheck.uniform(rng, v.params.length, -1f, 1f), 0, v.params, 0, v.params.length);
    vs[0] = v;
    return spec.bind(in, v, 0, 0, options);
  }

  /** Finite-difference check of spec on a random batch of n samples of shape in. */
  static void gradCheck(LayerSpec spec, Shape in, int n, Rng rng) {
    Vectors[] vs = new Vectors[1];
    Layer layer = bindRandom(spec, in, rng, vs);
    for (int i = 0; i < vs[0].params.length; i++) {
      vs[0].params[i] *= 0.5f;
    }
    GradCheck.check(
        layer, vs[0], GradCheck.uniform(rng, n * in.size(), -1f, 1f), n, 1e-2, 1e-3, rng);
  }
}

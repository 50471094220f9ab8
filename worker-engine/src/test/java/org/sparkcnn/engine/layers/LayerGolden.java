/*
 * Runs one golden case (../shared/golden, README.md) through a layer bound directly at offset 0:
 * loads "weight" then "bias" (if present) into the flat parameters, checks the forward "output",
 * then backward of "grad_output": "grad_input", "grad_weight" and "grad_bias". A layer with buffers
 * (batch norm) gets the buffers given, and the caller checks them afterwards in the vectors.
 */
package org.sparkcnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import org.sparkcnn.engine.Golden;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

final class LayerGolden {
  private LayerGolden() {}

  /** The shape of one sample of the case's input: its shape without the batch dimension. */
  static Shape sampleShape(JsonNode c) {
    int[] s = Golden.shape(c.get("input"));
    return Shape.of(Arrays.copyOfRange(s, 1, s.length));
  }

  static void check(String name, LayerSpec spec, JsonNode c) {
    check(name, spec, c, true, null);
  }

  /**
   * As check, in training or inference mode, starting from the given buffers (null: the spec's
   * initial ones); returns the vectors after backward.
   */
  static Vectors check(String name, LayerSpec spec, JsonNode c, boolean training, float[] buffers) {
    Shape in = sampleShape(c);
    int n = Golden.shape(c.get("input"))[0];
    Vectors v = new Vectors(spec.paramCount(in), spec.bufferCount(in));
    if (buffers != null) {
      System.arraycopy(buffers, 0, v.buffers, 0, v.buffers.length);
    } else {
      spec.initBuffers(v.buffers, 0, in);
    }
    int wLen = 0;
    if (c.has("weight")) {
      float[] w = Golden.floats(c.get("weight"));
      System.arraycopy(w, 0, v.params, 0, w.length);
      wLen = w.length;
      if (c.has("bias")) {
        float[] b = Golden.floats(c.get("bias"));
        System.arraycopy(b, 0, v.params, wLen, b.length);
      }
    }
    assertEquals(
        v.params.length,
        wLen + (c.has("bias") ? c.get("bias").get("data").size() : 0),
        name + ": parameter count of " + spec);
    Layer layer = spec.bind(in, v, 0, 0);
    int[] outShape = Golden.shape(c.get("output"));
    assertEquals(
        Shape.of(Arrays.copyOfRange(outShape, 1, outShape.length)),
        layer.outputShape(),
        name + ": output shape");

    float[] y = layer.forward(Golden.floats(c.get("input")), n, training);
    Golden.assertClose(name + " output", Golden.doubles(c.get("output")), y, Golden.FORWARD_TOL);

    float[] dx = layer.backward(Golden.floats(c.get("grad_output")), n);
    Golden.assertClose(
        name + " grad_input", Golden.doubles(c.get("grad_input")), dx, Golden.GRAD_TOL);
    if (c.has("grad_weight")) {
      Golden.assertClose(
          name + " grad_weight",
          Golden.doubles(c.get("grad_weight")),
          Arrays.copyOfRange(v.grads, 0, wLen),
          Golden.GRAD_TOL);
    }
    if (c.has("grad_bias")) {
      Golden.assertClose(
          name + " grad_bias",
          Golden.doubles(c.get("grad_bias")),
          Arrays.copyOfRange(v.grads, wLen, v.grads.length),
          Golden.GRAD_TOL);
    }
    return v;
  }
}

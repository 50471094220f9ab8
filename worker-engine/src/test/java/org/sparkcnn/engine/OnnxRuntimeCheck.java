/*
 * The reference for ONNX export: a model exported by OnnxExport is run in ONNX Runtime on a random
 * batch and compared with sparkcnn's own forward pass in evaluation mode, relative to the largest
 * output (TOLERANCE). Weights are drawn at random, batch norm statistics and affine parameters
 * included, so that every layer does something. Shared with the driver's tests (test-jar).
 */
package org.sparkcnn.engine;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;

public final class OnnxRuntimeCheck {
  public static final double TOLERANCE = 1e-5;

  private OnnxRuntimeCheck() {}

  /** Weights for arch from seed: the initialiser's, with batch norms made non-trivial. */
  public static Vectors randomWeights(Architecture arch, long seed) {
    Vectors v = arch.initialise(Init.HE, Rng.of(seed));
    Rng rng = Rng.of(seed + 1);
    for (ModelTensors.Leaf leaf : ModelTensors.leaves(arch)) {
      for (ModelTensors.Tensor t : ModelTensors.tensors(leaf)) {
        boolean bn = leaf.spec() instanceof org.sparkcnn.engine.layers.BatchNorm.Spec;
        for (int i = 0; bn && i < t.size(); i++) {
          double u = rng.nextGaussian();
          float value =
              switch (t.suffix()) {
                case "running_var" -> (float) (0.5 + Math.abs(u));
                case "weight" -> (float) (1 + 0.2 * u);
                default -> (float) (0.1 * u);
              };
          (t.buffer() ? v.buffers : v.params)[t.offset() + i] = value;
        }
      }
    }
    return v;
  }

  /** The largest |ORT - sparkcnn| over the batch, relative to the largest |sparkcnn| output. */
  public static double maxRelError(Architecture arch, Vectors v, int n, long seed)
      throws OrtException {
    byte[] onnx = OnnxExport.model(arch, v, Map.of("check", "1")).toByteArray();
    Rng rng = Rng.of(seed);
    float[] x = new float[n * arch.input().size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextGaussian();
    }
    float[] expected = new Model(arch, v).forward(x, n, false).clone();
    long[] shape = new long[arch.input().rank() + 1];
    shape[0] = n;
    for (int i = 0; i < arch.input().rank(); i++) {
      shape[i + 1] = arch.input().dim(i);
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
      opts.setIntraOpNumThreads(2);
      try (OrtSession s = env.createSession(onnx, opts);
          OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
          OrtSession.Result r = s.run(Map.of("input", in))) {
        FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
        double scale = 0;
        double err = 0;
        int size = n * arch.output().size();
        if (out.remaining() != size) {
          return Double.POSITIVE_INFINITY;
        }
        for (int i = 0; i < size; i++) {
          scale = Math.max(scale, Math.abs(expected[i]));
          double d = Math.abs(out.get(i) - expected[i]);
          err = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(err, d);
        }
        return err / Math.max(scale, Float.MIN_NORMAL);
      }
    }
  }
}

/*
 * The memory a model takes to train at a batch size, as the engine holds it: the flat vectors of
 * DESIGN.md contract 1 (parameters, their gradients, SGD's momentum when momentum > 0, the
 * buffers), the input batch, and what a training step keeps: the arrays each layer holds between
 * forward and backward (Layer.heldFloats: outputs, input gradients, max indices, masks) and the
 * loss's gradient and targets (LocalStep). Left out: the compute threads' scratch (convolution
 * grids, a few MiB a thread whatever the batch) and objects' headers. `summary` prints it in
 * torchinfo's words; the driver checks a job against the heap with it (MemoryPlan). float32
 * throughout; MB are 10^6 bytes, as torchinfo counts them.
 */
package org.sparkcnn.engine;

import java.util.List;
import java.util.Locale;
import org.sparkcnn.engine.layers.Sequence;

public record Footprint(
    int batch,
    long paramBytes,
    long gradBytes,
    long optimizerBytes,
    long bufferBytes,
    long inputBytes,
    long activationBytes) {

  /** The footprint of training arch on batches of batch samples, with or without momentum. */
  public static Footprint of(Architecture arch, int batch, boolean momentum) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batch);
    }
    long params = 4L * arch.paramCount();
    return new Footprint(
        batch,
        params,
        params,
        momentum ? params : 0,
        4L * arch.bufferCount(),
        4L * batch * arch.input().size(),
        4L * batch * activationFloats(arch));
  }

  /**
   * Floats a training step keeps per sample: the layers' (bound as Model binds them, on empty
   * vectors: binding reads no weights) and the loss's gradient and one-hot targets.
   */
  public static long activationFloats(Architecture arch) {
    return Sequence.bindModel(arch.layers(), arch.input(), new Vectors(0, 0), EngineOptions.DEFAULT)
            .heldFloats(1)
        + 2L * arch.output().size();
  }

  /** Floats a forward pass in inference mode (evaluation) keeps per sample: the layers' outputs. */
  public static long inferenceFloats(Architecture arch) {
    return Sequence.bindModel(arch.layers(), arch.input(), new Vectors(0, 0), EngineOptions.DEFAULT)
        .forwardFloats(1);
  }

  /** The model's vectors: parameters, gradients, optimizer state and buffers. */
  public long modelBytes() {
    return paramBytes + gradBytes + optimizerBytes + bufferBytes;
  }

  public long totalBytes() {
    return modelBytes() + inputBytes + activationBytes;
  }

  /** The lines of `summary`, torchinfo's names with gradients and optimizer state added. */
  public List<String> lines() {
    return List.of(
        String.format(
            Locale.ROOT, "memory to train at batch %d (float32; MB = 10^6 bytes):", batch),
        mb("Input size (MB)", inputBytes),
        mb("Forward/backward pass size (MB)", activationBytes),
        mb("Params size (MB)", paramBytes),
        mb("Gradients size (MB)", gradBytes),
        mb("Optimizer state size (MB)", optimizerBytes),
        mb("Buffers size (MB)", bufferBytes),
        mb("Estimated Total Size (MB)", totalBytes()));
  }

  private static String mb(String name, long bytes) {
    return String.format(Locale.ROOT, "%s: %.2f", name, bytes / 1e6);
  }
}

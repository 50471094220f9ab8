/*
 * How a bound model computes, as values handed to Model and from there to every layer it binds:
 * the compute threads of its passes, the SGEMM micro-kernel, whether convolutions may run on
 * their images' grids, how many bytes of grids a chunk of samples may fill on a thread, and
 * whether a ReLU after batch norm or a residual block is applied by that layer. threads and
 * fuseReLU change no bit of the results; gemm, conv and convChunkBytes change the order of some
 * sums, so their rounding. The driver fills them from the job's engine.* keys; DEFAULT is what a
 * model gets otherwise.
 */
package org.sparkcnn.engine;

import java.io.Serializable;
import org.sparkcnn.engine.kernels.Gemm;

public record EngineOptions(
    int threads, GemmKernel gemm, ConvPaths conv, long convChunkBytes, boolean fuseReLU)
    implements Serializable {

  /** Which SGEMM micro-kernel the products run on, resolved in the JVM that computes. */
  public enum GemmKernel {
    /** The best one that JVM has (Gemm.IMPL: the Vector API's where jdk.incubator.vector is). */
    AUTO,
    /** The scalar one. */
    SCALAR
  }

  /** Which ways a convolution may take (Convolution.path). */
  public enum ConvPaths {
    /** A grid path where the layer has one (implicit or phased), else lowering. */
    AUTO,
    /** Every convolution lowered (im2col in the GEMM's packing). */
    LOWERED
  }

  /**
   * Three quarters of a 1 MiB L2, the rest left to the weights and dW (docs/performance.md has the
   * measurements behind it).
   */
  public static final long DEFAULT_CHUNK_BYTES = 768L << 10;

  /** One thread, the best SGEMM present, grid paths, chunks of DEFAULT_CHUNK_BYTES, fused ReLUs. */
  public static final EngineOptions DEFAULT =
      new EngineOptions(1, GemmKernel.AUTO, ConvPaths.AUTO, DEFAULT_CHUNK_BYTES, true);

  public EngineOptions {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    if (gemm == null || conv == null) {
      throw new IllegalArgumentException("gemm and conv must be given");
    }
    if (convChunkBytes < 1) {
      throw new IllegalArgumentException("convChunkBytes must be >= 1, got " + convChunkBytes);
    }
  }

  /** The micro-kernel the products of a model bound here run on. */
  public Gemm.Impl gemmImpl() {
    return gemm == GemmKernel.SCALAR ? Gemm.Impl.SCALAR : Gemm.IMPL;
  }

  public EngineOptions withThreads(int n) {
    return new EngineOptions(n, gemm, conv, convChunkBytes, fuseReLU);
  }

  public EngineOptions withGemm(GemmKernel g) {
    return new EngineOptions(threads, g, conv, convChunkBytes, fuseReLU);
  }

  public EngineOptions withConv(ConvPaths c) {
    return new EngineOptions(threads, gemm, c, convChunkBytes, fuseReLU);
  }

  public EngineOptions withConvChunkBytes(long bytes) {
    return new EngineOptions(threads, gemm, conv, bytes, fuseReLU);
  }

  public EngineOptions withFuseReLU(boolean fuse) {
    return new EngineOptions(threads, gemm, conv, convChunkBytes, fuse);
  }
}

/*
 * The products of a convolution run on grids of its images, for one chunk of samples on the
 * calling thread (Convolution): Implicit for stride 1, Phased for a strided 2D convolution.
 */
package org.sparkcnn.engine.layers;

import org.sparkcnn.engine.kernels.ConvGeometry;
import org.sparkcnn.engine.kernels.TapProducts;

/**
 * The products of a convolution run on grids of its images (an implicit path), for the chunk of n
 * samples from sample s0 of the batch, on the calling thread's grids.
 */
interface GridPath {
  /** Bytes of grids a sample of a chunk takes, in the forward or the backward pass. */
  long bytesPerSample();

  /** y[s0.., Cout, Ho, Wo] = W x col for the chunk, with the weights at p[pOff..]. */
  void forward(float[] p, int pOff, float[] x, int s0, int n, float[] y);

  /** Rearranges the weights at p[pOff..] for the input gradients of the next chunks. */
  void prepareInputGrad(float[] p, int pOff);

  /**
   * dw[dwOff..] = the chunk's dY x col^T (overwritten), each group's block transposed where
   * transposedGrad; and dx[s0.., Cin, H, W] = the chunk's input gradient, unless dx is null.
   */
  void backward(
      float[] p, int pOff, float[] x, float[] dy, int s0, int n, float[] dw, int dwOff, float[] dx);

  /** The convolution's geometry on one sample. */
  ConvGeometry g();

  /** Output channels. */
  int cout();

  int groups();

  /**
   * Whether backward writes each group's dW transposed, [Cin/G * K, Cout/G]: the layout of the tap
   * products (TapProducts), which take groups of whole tiles of output channels.
   */
  default boolean transposedGrad() {
    return TapProducts.handles(cout() / groups());
  }

  /** Floats of the transposed dy that the tap products take per sample, or 0. */
  default long tapFloatsPerSample() {
    return transposedGrad() ? (long) cout() * g().ho() * g().wo() : 0;
  }
}

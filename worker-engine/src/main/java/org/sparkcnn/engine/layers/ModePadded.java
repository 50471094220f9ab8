/*
 * The runtime of a convolution whose padding is not zeros (padding_mode reflect, replicate or
 * circular), as PyTorch runs it: the input is padded by the mode (PaddingMode) into xp, and the
 * same convolution without padding (ConvSpec.unpadded, a Convolution on the same weights) runs on
 * xp. Each position of xp is a copy of one input position, so backward folds the gradient of xp
 * back: dx[source(p)] += dxp[p] over every padded position p.
 */
package org.sparkcnn.engine.layers;

import java.util.Arrays;
import java.util.List;
import org.sparkcnn.engine.EngineOptions;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;
import org.sparkcnn.engine.kernels.ConvAxis;
import org.sparkcnn.engine.kernels.Parallel;

final class ModePadded extends Layer {
  private final Convolution conv; // the unpadded convolution on xp
  private final int channels;
  private final int[] dims; // input [D, H, W], 1 for the axes a lower rank lacks
  private final int[] padded; // xp's [D, H, W]
  private final int[][] src; // per axis, the input index each padded index copies
  private final int paddedSize; // C * D * H * W of xp
  private float[] xp; // [n, C, D', H', W']
  private float[] dx; // [n, C, D, H, W]

  ModePadded(ConvSpec spec, Shape in, Vectors v, int pOff, EngineOptions o) {
    super(in, spec.outputShape(in), v, pOff, 0);
    ConvAxis[] axes = spec.axes(in);
    channels = in.c();
    dims = new int[] {1, 1, 1};
    padded = new int[] {1, 1, 1};
    src = new int[][] {{0}, {0}, {0}};
    int[] paddedShape = new int[axes.length + 1];
    paddedShape[0] = channels;
    for (int i = 0; i < axes.length; i++) {
      int at = 3 - axes.length + i;
      src[at] = PaddingMode.sources(spec.paddingMode(), axes[i]);
      dims[at] = axes[i].in();
      padded[at] = src[at].length;
      paddedShape[i + 1] = padded[at];
    }
    Shape p = Shape.of(paddedShape);
    paddedSize = p.size();
    ConvSpec inner = spec.unpadded();
    conv = new Convolution(inner, p, v, pOff, inner.lowering(p), o);
  }

  @Override
  public void setNeedInputGrad(boolean need) {
    super.setNeedInputGrad(need);
    conv.setNeedInputGrad(need);
  }

  @Override
  protected long keptFloats(int n) { // xp
    return (long) n * paddedSize;
  }

  @Override
  protected long inputGradFloats(int n) {
    return needInputGrad ? super.inputGradFloats(n) : 0;
  }

  @Override
  public void convolutionPaths(List<String> out) {
    conv.convolutionPaths(out);
  }

  @Override
  public long heldFloats(int n) { // and the convolution's, which keeps its own input gradient
    return super.heldFloats(n) + conv.heldFloats(n);
  }

  @Override
  public long forwardFloats(int n) {
    return super.forwardFloats(n) + conv.forwardFloats(n);
  }

  @Override
  public float[] forward(float[] x, int n, boolean training) {
    xp = ensure(xp, n * paddedSize);
    Parallel.forEach(n, s -> pad(x, s * in.size(), xp, s * paddedSize));
    return conv.forward(xp, n, training);
  }

  @Override
  public float[] backward(float[] dy, int n) {
    float[] dxp = conv.backward(dy, n);
    if (!needInputGrad) {
      return null;
    }
    dx = inputGrad(dx, n, dxp);
    Parallel.forEach(
        n,
        s -> {
          Arrays.fill(dx, s * in.size(), (s + 1) * in.size(), 0f);
          fold(dxp, s * paddedSize, dx, s * in.size());
        });
    return dx;
  }

  /** One sample: xp[c, z, i, j] = x[c, src0[z], src1[i], src2[j]]. */
  private void pad(float[] x, int xOff, float[] xp, int xpOff) {
    int[] sd = src[0];
    int[] sh = src[1];
    int[] sw = src[2];
    for (int c = 0, to = xpOff; c < channels; c++) {
      for (int z = 0; z < padded[0]; z++) {
        for (int i = 0; i < padded[1]; i++, to += padded[2]) {
          int from = xOff + ((c * dims[0] + sd[z]) * dims[1] + sh[i]) * dims[2];
          for (int j = 0; j < padded[2]; j++) {
            xp[to + j] = x[from + sw[j]];
          }
        }
      }
    }
  }

  /** One sample: dx[c, src0[z], src1[i], src2[j]] += dxp[c, z, i, j]. */
  private void fold(float[] dxp, int xpOff, float[] dx, int xOff) {
    int[] sd = src[0];
    int[] sh = src[1];
    int[] sw = src[2];
    for (int c = 0, from = xpOff; c < channels; c++) {
      for (int z = 0; z < padded[0]; z++) {
        for (int i = 0; i < padded[1]; i++, from += padded[2]) {
          int to = xOff + ((c * dims[0] + sd[z]) * dims[1] + sh[i]) * dims[2];
          for (int j = 0; j < padded[2]; j++) {
            dx[to + sw[j]] += dxp[from + j];
          }
        }
      }
    }
  }
}

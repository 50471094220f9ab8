/*
 * The runtime of Conv1d, Conv2d and Conv3d: a grouped convolution as im2col + GEMM, one sample at
 * a time (the direct loops of ConvReference are what it is tested against). The Lowering lays a
 * sample out as col[Cin*K, P] (K: kernel taps, P: output positions), rows grouped by channel, so
 * group g is the row block [g*Cin/G*K, (g+1)*Cin/G*K) and, for the weights W[Cout, Cin/G*K] and the
 * output, the row block of its Cout/G channels:
 *   forward:  y_g[Cout/G, P] = W_g[Cout/G, Cin/G*K] x col_g[Cin/G*K, P] + b
 *   backward: dW_g += dy_g x col_g^T;  db += row sums of dy;  dcol_g = W_g^T x dy_g;
 *             dx = col2im(dcol)
 */
package org.sparkcnn.engine.layers;

import java.util.Arrays;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;
import org.sparkcnn.engine.kernels.Gemm;
import org.sparkcnn.engine.kernels.Lowering;

final class Convolution extends Layer {
  private final Lowering low;
  private final int groups;
  private final int coutG; // output channels per group
  private final int kdimG; // Cin/G * K: rows of col per group
  private final int pos; // P: output positions per channel
  private final int biasOff;
  private float[] x; // input of the last forward: [n, Cin, ...]
  private float[] y; // [n, Cout, ...]
  private float[] dx; // [n, Cin, ...]
  private final float[] col; // [Cin*K, P]
  private final float[] dcol; // [Cin*K, P]

  Convolution(ConvSpec spec, Shape in, Vectors v, int pOff, Lowering low) {
    super(in, spec.outputShape(in), v, pOff, 0);
    this.low = low;
    this.groups = spec.groups();
    this.coutG = spec.out() / groups;
    this.kdimG = low.colRows() / groups;
    this.pos = low.colCols();
    this.biasOff = spec.bias() ? pOff + spec.out() * kdimG : -1;
    this.col = new float[low.colRows() * pos];
    this.dcol = new float[low.colRows() * pos];
  }

  @Override
  public float[] forward(float[] x, int n, boolean training) {
    this.x = x;
    y = ensure(y, n * out.size());
    float[] p = v.params;
    for (int i = 0; i < n; i++) {
      low.im2col(x, i * in.size(), col);
      int yOff = i * out.size();
      for (int g = 0; g < groups; g++) {
        Gemm.sgemm(false, false, coutG, pos, kdimG, p, pOff + g * coutG * kdimG, kdimG,
            col, g * kdimG * pos, pos, 0f, y, yOff + g * coutG * pos, pos);
      }
      if (biasOff >= 0) {
        addBias(p, biasOff, y, yOff, out.c(), pos);
      }
    }
    return y;
  }

  @Override
  public float[] backward(float[] dy, int n) {
    float[] p = v.params;
    float[] gr = v.grads;
    if (needInputGrad) {
      dx = ensure(dx, n * in.size());
      Arrays.fill(dx, 0, n * in.size(), 0f);
    }
    for (int i = 0; i < n; i++) {
      int dyOff = i * out.size();
      low.im2col(x, i * in.size(), col);
      for (int g = 0; g < groups; g++) {
        int wOff = pOff + g * coutG * kdimG;
        int dyG = dyOff + g * coutG * pos;
        // dW_g[Cout/G, Cin/G*K] += dy_g[Cout/G, P] x col_g^T[P, Cin/G*K]
        Gemm.sgemm(false, true, coutG, kdimG, pos, dy, dyG, pos, col, g * kdimG * pos, pos, 1f,
            gr, wOff, kdimG);
        if (needInputGrad) {
          // dcol_g[Cin/G*K, P] = W_g^T[Cin/G*K, Cout/G] x dy_g[Cout/G, P]
          Gemm.sgemm(true, false, kdimG, pos, coutG, p, wOff, kdimG, dy, dyG, pos, 0f, dcol,
              g * kdimG * pos, pos);
        }
      }
      if (biasOff >= 0) {
        addBiasGrad(dy, dyOff, gr, biasOff, out.c(), pos);
      }
      if (needInputGrad) {
        low.col2im(dcol, dx, i * in.size());
      }
    }
    return needInputGrad ? dx : null;
  }

  /** y[c, :] += b[c] for each of channels planes of plane floats at yOff. */
  static void addBias(float[] b, int bOff, float[] y, int yOff, int channels, int plane) {
    for (int c = 0; c < channels; c++) {
      float bc = b[bOff + c];
      for (int j = yOff + c * plane, end = j + plane; j < end; j++) {
        y[j] += bc;
      }
    }
  }

  /** db[c] += sum of dy[c, :], for each of channels planes of plane floats at dyOff. */
  static void addBiasGrad(float[] dy, int dyOff, float[] db, int dbOff, int channels, int plane) {
    for (int c = 0; c < channels; c++) {
      float s = 0f;
      for (int j = dyOff + c * plane, end = j + plane; j < end; j++) {
        s += dy[j];
      }
      db[dbOff + c] += s;
    }
  }
}

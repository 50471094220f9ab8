/*
 * The runtime of Conv1d, Conv2d and Conv3d: a grouped convolution as GEMMs over the whole batch,
 * with im2col folded into the GEMM's packing (Operand.lowered), so the column matrix of the batch,
 * col[Cin*K, n*P] (K: kernel taps, P: output positions per sample), is never stored. Rows of col
 * are grouped by channel, so group g owns the row block [g*Cin/G*K, (g+1)*Cin/G*K) and the Cout/G
 * output channels of the weight block W_g[Cout/G, Cin/G*K]. Over the batch, with dY_g the
 * [Cout/G, n*P] view of dy's group channels (Operand.batched):
 *   forward:  y_g = W_g x col_g + b                      (written per sample into y[n, Cout, P])
 *   backward: dW_g += dY_g x col_g^T;  db += sums of dy;  dcol_g = W_g^T x dY_g;  dx = col2im(dcol)
 * dcol is made for a few samples at a time in a per-thread buffer. The direct loops of
 * ConvReference are what this is tested against.
 */
package org.sparkcnn.engine.layers;

import java.util.Arrays;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;
import org.sparkcnn.engine.kernels.Gemm;
import org.sparkcnn.engine.kernels.Lowering;
import org.sparkcnn.engine.kernels.Operand;
import org.sparkcnn.engine.kernels.Parallel;

final class Convolution extends Layer {
  /** Floats of dcol made at once per thread: few enough to stay in L2 for col2im. */
  private static final int DCOL_FLOATS = 1 << 18;
  /** dcol[samples, Cin*K, P] of the backward pass, shared by the layers run on one thread. */
  private static final ThreadLocal<float[]> DCOL = ThreadLocal.withInitial(() -> new float[0]);
  private final Lowering low;
  private final int groups;
  private final int coutG; // output channels per group
  private final int kdimG; // Cin/G * K: rows of col per group
  private final int pos; // P: output positions per channel
  private final int biasOff;
  private float[] x; // input of the last forward: [n, Cin, ...]
  private float[] y; // [n, Cout, ...]
  private float[] dx; // [n, Cin, ...]

  Convolution(ConvSpec spec, Shape in, Vectors v, int pOff, Lowering low) {
    super(in, spec.outputShape(in), v, pOff, 0);
    this.low = low;
    this.groups = spec.groups();
    this.coutG = spec.out() / groups;
    this.kdimG = low.colRows() / groups;
    this.pos = low.colCols();
    this.biasOff = spec.bias() ? pOff + spec.out() * kdimG : -1;
  }

  @Override
  public float[] forward(float[] x, int n, boolean training) {
    this.x = x;
    y = ensure(y, n * out.size());
    float[] p = v.params;
    for (int g = 0; g < groups; g++) {
      // y_g[Cout/G, n*P] = W_g[Cout/G, Cin/G*K] x col_g[Cin/G*K, n*P]
      Gemm.multiply(coutG, n * pos, kdimG, Operand.dense(p, pOff + g * coutG * kdimG, kdimG),
          Operand.lowered(low, x, 0, in.size(), g * kdimG), y, g * coutG * pos, pos, pos,
          out.size(), false);
    }
    if (biasOff >= 0) {
      Parallel.forEach(n, i -> addBias(p, biasOff, y, i * out.size(), out.c(), pos));
    }
    return y;
  }

  @Override
  public float[] backward(float[] dy, int n) {
    float[] p = v.params;
    float[] gr = v.grads;
    for (int g = 0; g < groups; g++) {
      // dW_g[Cout/G, Cin/G*K] += dY_g[Cout/G, n*P] x col_g^T[n*P, Cin/G*K]
      Gemm.multiplyTransposed(coutG, kdimG, n * pos, dyOf(dy, 0, g),
          Operand.lowered(low, x, 0, in.size(), g * kdimG), gr, pOff + g * coutG * kdimG, kdimG,
          true);
    }
    if (biasOff >= 0) {
      Parallel.forEach(out.c(), c -> {
        for (int i = 0; i < n; i++) {
          addBiasGrad(dy, i * out.size() + c * pos, gr, biasOff + c, 1, pos);
        }
      });
    }
    if (!needInputGrad) {
      return null;
    }
    dx = ensure(dx, n * in.size());
    int colSize = low.colRows() * pos;
    // at least a sample per thread, so col2im runs on all of them (chunks change no sum)
    int chunk = Math.min(n, Math.max(Parallel.threads(), DCOL_FLOATS / colSize));
    float[] dcol = DCOL.get();
    if (dcol.length < chunk * colSize) {
      dcol = new float[chunk * colSize];
      DCOL.set(dcol);
    }
    float[] dc = dcol;
    for (int s0 = 0; s0 < n; s0 += chunk) {
      int count = Math.min(chunk, n - s0);
      for (int g = 0; g < groups; g++) {
        // dcol_g[Cin/G*K, count*P] = W_g^T[Cin/G*K, Cout/G] x dY_g[Cout/G, count*P]
        Gemm.multiply(kdimG, count * pos, coutG,
            Operand.dense(p, pOff + g * coutG * kdimG, kdimG).transpose(), dyOf(dy, s0, g), dc,
            g * kdimG * pos, pos, pos, colSize, false);
      }
      int first = s0;
      Parallel.forEach(count, i -> {
        int at = (first + i) * in.size();
        Arrays.fill(dx, at, at + in.size(), 0f);
        low.col2im(dc, i * colSize, dx, at);
      });
    }
    return dx;
  }

  /** dY_g: group g's channels of dy from sample s0 on, as a [Cout/G, samples*P] matrix. */
  private Operand dyOf(float[] dy, int s0, int g) {
    return Operand.batched(dy, s0 * out.size() + g * coutG * pos, pos, pos, out.size());
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

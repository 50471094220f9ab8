/*
 * The runtime of Conv1d, Conv2d and Conv3d: a grouped convolution as GEMMs over the whole batch,
 * with im2col folded into the GEMM's packing, so the column matrix of the batch,
 * col[Cin*K, n*P] (K: kernel taps, P: output positions per sample), is never stored. Rows of col
 * are grouped by channel, so group g owns the row block [g*Cin/G*K, (g+1)*Cin/G*K) and the Cout/G
 * output channels of the weight block W_g[Cout/G, Cin/G*K]. Over the batch, with dY_g the
 * [Cout/G, n*P] view of dy's group channels (Operand.batched):
 *   forward:  y_g = W_g x col_g + b                      (written per sample into y[n, Cout, P])
 *   backward: dW_g += dY_g x col_g^T;  db += sums of dy;  dcol_g = W_g^T x dY_g;  dx = col2im(dcol)
 * Two ways to make col:
 * - stride 1 in 1D or 2D (most layers of a CNN): the implicit path. The batch is copied once into
 *   a zero-padded grid and col is a set of shifted views of it (PaddedGrid, Operand.shifted); the
 *   products run over the grid's wide rows and crop keeps the real outputs. dx is itself a stride-1
 *   convolution of the padded dy with the flipped, channel-swapped kernels, so there is no dcol
 *   and no col2im. The grids live in two per-thread scratch arrays shared by all layers.
 * - stride s in 2D, no dilation: the phased path (Phased, PhaseGrid). The batch is cut into its
 *   s x s phases, over which every tap is again a shifted run, and dx is one stride-1 product per
 *   phase; no lowering and no col2im either.
 * - any other (mixed strides, dilated strides, 3D): Operand.lowered generates col's blocks while
 *   packing (im2col), and dcol is made for a few samples at a time in a per-thread buffer, then
 *   added back by col2im.
 * EngineOptions.conv LOWERED forces the last way. The direct loops of ConvReference are what all
 * are tested against.
 * The grid paths run the batch in chunks of a few samples, each chunk on one thread from grid to
 * output (pad, products, crop), so that its grids stay in L2: over a whole batch of 128, the
 * grids of a 16-channel 32 x 32 layer are 9 MB and the products ran at half the speed, waiting on
 * memory. dW is summed per chunk, then over the chunks in their order: the chunk size depends on
 * the layer alone, so the result does not depend on the thread count.
 */
package org.sparkcnn.engine.layers;

import java.util.Arrays;
import java.util.List;
import org.sparkcnn.engine.EngineOptions;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;
import org.sparkcnn.engine.kernels.ConvGeometry;
import org.sparkcnn.engine.kernels.Gemm;
import org.sparkcnn.engine.kernels.Lowering;
import org.sparkcnn.engine.kernels.Operand;
import org.sparkcnn.engine.kernels.Parallel;
import org.sparkcnn.engine.kernels.Sums;

final class Convolution extends Layer {
  /** Floats of dcol made at once per thread: few enough to stay in L2 for col2im. */
  private static final int DCOL_FLOATS = 1 << 18;

  /** dcol[samples, Cin*K, P] of the backward pass, shared by the layers run on one thread. */
  private static final ThreadLocal<float[]> DCOL = ThreadLocal.withInitial(() -> new float[0]);

  /**
   * A grid path's dW per chunk, [chunks, Cout * Cin/G * K], shared by the layers whose backward
   * pass runs on one thread (the step's).
   */
  private static final ThreadLocal<float[]> PARTIALS = ThreadLocal.withInitial(() -> new float[0]);

  private final Lowering low;
  private final int groups;
  private final int coutG; // output channels per group
  private final int kdimG; // Cin/G * K: rows of col per group
  private final int pos; // P: output positions per channel
  private final int biasOff;
  private final GridPath implicit; // null: the lowering path
  private final int chunk; // samples per chunk at most on a grid path
  private final Gemm.Impl gemm;
  private float[] x; // input of the last forward: [n, Cin, ...]
  private float[] y; // [n, Cout, ...]
  private float[] dx; // [n, Cin, ...]

  /**
   * The layer on v from pOff; a grid path where it has one and options.conv allows, in chunks of
   * options.convChunkBytes of grids per thread.
   */
  Convolution(ConvSpec spec, Shape in, Vectors v, int pOff, Lowering low, EngineOptions options) {
    super(in, spec.outputShape(in), v, pOff, 0);
    this.low = low;
    this.groups = spec.groups();
    this.coutG = spec.out() / groups;
    this.kdimG = low.colRows() / groups;
    this.pos = low.colCols();
    this.biasOff = spec.bias() ? pOff + spec.out() * kdimG : -1;
    this.gemm = options.gemmImpl();
    this.implicit =
        options.conv() == EngineOptions.ConvPaths.AUTO && low instanceof ConvGeometry g
            ? gridPath(g, spec.out(), groups, gemm)
            : null;
    this.chunk =
        implicit == null
            ? 0
            : (int)
                Math.max(
                    1,
                    Math.min(
                        Integer.MAX_VALUE, options.convChunkBytes() / implicit.bytesPerSample()));
  }

  /** Whether this layer runs on grids of its images (a grid path) rather than lowering. */
  boolean isImplicit() {
    return implicit != null;
  }

  /**
   * How this layer runs its products: implicit (stride 1 on a padded grid), phased (a strided 2D
   * convolution on its phases' grids) or lowered (im2col in the GEMM's packing).
   */
  String path() {
    return implicit == null ? "lowered" : implicit instanceof Phased ? "phased" : "implicit";
  }

  @Override
  public void convolutionPaths(List<String> out) {
    out.add(path());
  }

  /** Samples per chunk at most on a grid path (0 on the lowering path). */
  int chunk() {
    return chunk;
  }

  /** Whether dW takes the tap products (TapProducts) of a grid path. */
  boolean transposedGrad() {
    return implicit != null && implicit.transposedGrad();
  }

  /** Bytes of grids per sample of a chunk on the grid path. */
  long gridBytesPerSample() {
    return implicit.bytesPerSample();
  }

  /** The stride-1 path, else the phased path of a strided convolution, else null. */
  private static GridPath gridPath(ConvGeometry g, int cout, int groups, Gemm.Impl gemm) {
    GridPath path = Implicit.of(g, cout, groups, gemm);
    return path != null ? path : Phased.of(g, cout, groups, gemm);
  }

  @Override
  protected long inputGradFloats(int n) {
    return needInputGrad ? super.inputGradFloats(n) : 0;
  }

  @Override
  public float[] forward(float[] x, int n, boolean training) {
    this.x = x;
    y = ensure(y, n * out.size());
    float[] p = v.params;
    if (implicit != null) {
      float[] yn = y;
      int chunks = chunks(n);
      Parallel.forEach(
          chunks,
          c ->
              implicit.forward(
                  p,
                  pOff,
                  x,
                  chunkStart(n, chunks, c),
                  chunkStart(n, chunks, c + 1) - chunkStart(n, chunks, c),
                  yn));
      if (biasOff >= 0) {
        Parallel.forEach(n, i -> addBias(p, biasOff, y, i * out.size(), out.c(), pos));
      }
      return y;
    }
    for (int g = 0; g < groups; g++) {
      // y_g[Cout/G, n*P] = W_g[Cout/G, Cin/G*K] x col_g[Cin/G*K, n*P]
      Gemm.multiply(
          gemm,
          coutG,
          n * pos,
          kdimG,
          Operand.dense(p, pOff + g * coutG * kdimG, kdimG),
          Operand.lowered(low, x, 0, in.size(), g * kdimG),
          y,
          g * coutG * pos,
          pos,
          pos,
          out.size(),
          false);
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
    if (implicit != null) {
      gridBackward(dy, n);
    } else {
      for (int g = 0; g < groups; g++) {
        // dW_g[Cout/G, Cin/G*K] += dY_g[Cout/G, n*P] x col_g^T[n*P, Cin/G*K]
        Gemm.multiplyTransposed(
            gemm,
            coutG,
            kdimG,
            n * pos,
            dyOf(dy, 0, g),
            Operand.lowered(low, x, 0, in.size(), g * kdimG),
            gr,
            pOff + g * coutG * kdimG,
            kdimG,
            true);
      }
    }
    if (biasOff >= 0) { // db[c] += the sum of channel c's planes of dy, in double
      Parallel.forEach(
          out.c(), c -> gr[biasOff + c] += (float) Sums.sum(dy, c * pos, pos, n, out.size()));
    }
    if (!needInputGrad) {
      return null;
    }
    if (implicit != null) {
      return dx;
    }
    dx = inputGrad(dx, n, dy);
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
        Gemm.multiply(
            gemm,
            kdimG,
            count * pos,
            coutG,
            Operand.dense(p, pOff + g * coutG * kdimG, kdimG).transpose(),
            dyOf(dy, s0, g),
            dc,
            g * kdimG * pos,
            pos,
            pos,
            colSize,
            false);
      }
      int first = s0;
      Parallel.forEach(
          count,
          i -> {
            int at = (first + i) * in.size();
            Arrays.fill(dx, at, at + in.size(), 0f);
            low.col2im(dc, i * colSize, dx, at);
          });
    }
    return dx;
  }

  /**
   * The chunks of a batch of n: as few as chunk allows, rounded up to an even count where there are
   * samples enough, so that two threads, which claim chunks as they finish, take as many.
   */
  private int chunks(int n) {
    int chunks = (int) (((long) n + chunk - 1) / chunk); // chunk may be Integer.MAX_VALUE
    return chunks > 1 && chunks % 2 == 1 && chunks < n ? chunks + 1 : chunks;
  }

  /**
   * Where chunk c of a batch of n in chunks starts: the sizes differ by one sample at most, so that
   * the threads end together.
   */
  private static int chunkStart(int n, int chunks, int c) {
    return (int) ((long) c * n / chunks);
  }

  /**
   * A grid path's backward pass: dW and dx chunk by chunk, then dW += the chunks' dW in their order
   * (each element's sum the same whatever the threads); the tap products' transposed blocks are
   * first summed in that order, then added transposed.
   */
  private void gridBackward(float[] dy, int n) {
    float[] p = v.params;
    float[] gr = v.grads;
    int chunks = chunks(n);
    int wLen = out.c() * kdimG;
    float[] partials = PARTIALS.get();
    if (partials.length < chunks * wLen) {
      partials = new float[chunks * wLen];
      PARTIALS.set(partials);
    }
    float[] dw = partials;
    float[] d = null;
    if (needInputGrad) {
      dx = inputGrad(dx, n, dy);
      implicit.prepareInputGrad(p, pOff);
      d = dx;
    }
    float[] dxOut = d;
    Parallel.forEach(
        chunks,
        c ->
            implicit.backward(
                p,
                pOff,
                x,
                dy,
                chunkStart(n, chunks, c),
                chunkStart(n, chunks, c + 1) - chunkStart(n, chunks, c),
                dw,
                c * wLen,
                dxOut));
    int parts = Math.min(Parallel.parts(), (wLen + 63) / 64);
    if (implicit.transposedGrad()) {
      // the chunks' sums in their order into the first's, then each group's block transposed
      Parallel.forEach(
          parts,
          t -> {
            for (int i = Parallel.split(wLen, parts, 64, t),
                    end = Parallel.split(wLen, parts, 64, t + 1);
                i < end;
                i++) {
              float sum = dw[i];
              for (int c = 1; c < chunks; c++) {
                sum += dw[c * wLen + i];
              }
              dw[i] = sum;
            }
          });
      Parallel.forEach(
          out.c(),
          o -> {
            int g = o / coutG;
            int from = g * kdimG * coutG + o % coutG;
            for (int k = 0, to = pOff + o * kdimG; k < kdimG; k++) {
              gr[to + k] += dw[from + k * coutG];
            }
          });
      return;
    }
    Parallel.forEach(
        parts,
        t -> {
          int i0 = Parallel.split(wLen, parts, 64, t);
          int i1 = Parallel.split(wLen, parts, 64, t + 1);
          for (int c = 0; c < chunks; c++) {
            for (int i = i0, from = c * wLen; i < i1; i++) {
              gr[pOff + i] += dw[from + i];
            }
          }
        });
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
}

/*
 * Batch normalisation (Ioffe and Szegedy, "Batch Normalization", ICML 2015, Algorithm 1 and
 * section 3) over the channels of an input [C, L] per sample, L being 1 for [F] features, the
 * length for [C, L] sequences (BatchNorm1d) and H * W for images (BatchNorm2d). For channel c, over
 * the m = N L values of the batch:
 *   training:  mean = sum x / m, var = sum (x - mean)^2 / m (biased), xhat = (x - mean) / sqrt(var
 *              + eps), y = w xhat + b; the running statistics move by momentum towards mean and
 *              the unbiased variance var m / (m - 1), as in PyTorch;
 *   inference: xhat = (x - running_mean) / sqrt(running_var + eps), y = w xhat + b.
 *   backward:  db += sum dy, dw += sum dy xhat; with batch statistics (the paper's section 3)
 *              dx = w / sqrt(var + eps) (dy - sum dy / m - xhat sum(dy xhat) / m), with running
 *              statistics dx = w dy / sqrt(running_var + eps).
 * xhat is not stored: backward makes it again from x, which the layer keeps (no layer writes its
 * input), in the same pass as it reads dy: sum dy and sum dy (x - mean) over a channel in one
 * pass, then dx in another. Forward is y = x w / sqrt(var + eps) + (b - mean w / sqrt(var + eps)),
 * as PyTorch's CPU kernel computes it. A ReLU right after is taken over (fuseReLU): forward
 * writes max(0, y), and backward gates dy where y <= 0, y made again from x, in the same passes.
 * Parameters: weight [C] then bias [C], or none without affine (w 1, b 0). Buffers (not trained):
 * running_mean [C] then running_var [C], starting at 0 and 1, or none without
 * track_running_stats, which then normalises with batch statistics in inference too, as PyTorch.
 * momentum null (CUMULATIVE here) is PyTorch's cumulative moving average: a third buffer,
 * num_batches_tracked [1] (a float, exact to 2^24 steps), counts the training passes, and each
 * pass moves the statistics by 1 / num_batches_tracked. Each partition updates its own buffers,
 * and DESIGN.md contract 1 has the driver average them: the average of the counters is the
 * count, since every partition runs the same passes per step, and the running statistics become
 * the cumulative average of each step's mean over the partitions of their batch statistics (the
 * update is linear in them); with one partition that is PyTorch's.
 */
package org.sparkcnn.engine.layers;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Arrays;
import org.sparkcnn.engine.Init;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;
import org.sparkcnn.engine.kernels.Parallel;
import org.sparkcnn.engine.kernels.Sums;

public abstract class BatchNorm extends Layer {
  /**
   * momentum for PyTorch's momentum=None, the cumulative moving average; a spec turns a momentum
   * left out into 0.1, and JSON writes this one as null (MomentumJson).
   */
  public static final double CUMULATIVE = Double.NaN;

  /** What BatchNorm1d.Spec and BatchNorm2d.Spec share: C is the first dimension of the input. */
  public interface Spec extends LayerSpec {
    Double eps();

    /** A value in [0, 1], or CUMULATIVE. */
    Double momentum();

    /** Left out of JSON when true (as trackRunningStats), so files of older models read alike. */
    @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = TrueFilter.class)
    Boolean affine();

    @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = TrueFilter.class)
    Boolean trackRunningStats();

    /** For JsonInclude: true, the default, which is not written. */
    final class TrueFilter {
      @Override
      public boolean equals(Object o) {
        return Boolean.TRUE.equals(o);
      }

      @Override
      public int hashCode() {
        return Boolean.TRUE.hashCode();
      }
    }

    /** Whether the running statistics are the cumulative average (momentum null in PyTorch). */
    default boolean cumulative() {
      return trackRunningStats() && momentum().isNaN();
    }

    @Override
    default int paramCount(Shape in) {
      return affine() ? Math.multiplyExact(2, in.dim(0)) : 0;
    }

    /** running_mean and running_var [C], then num_batches_tracked [1] if cumulative. */
    @Override
    default int bufferCount(Shape in) {
      return trackRunningStats()
          ? Math.addExact(Math.multiplyExact(2, in.dim(0)), cumulative() ? 1 : 0)
          : 0;
    }

    /** weight 1, bias 0, as in PyTorch. */
    @Override
    default void init(float[] p, int off, Shape in, Init scheme, Rng rng) {
      if (affine()) {
        Arrays.fill(p, off, off + in.dim(0), 1f);
        Arrays.fill(p, off + in.dim(0), off + 2 * in.dim(0), 0f);
      }
    }

    /** running_mean 0, running_var 1, num_batches_tracked 0. */
    @Override
    default void initBuffers(float[] b, int off, Shape in) {
      Arrays.fill(b, off, off + bufferCount(in), 0f);
      if (trackRunningStats()) {
        Arrays.fill(b, off + in.dim(0), off + 2 * in.dim(0), 1f);
      }
    }
  }

  /** Checks the hyper-parameters common to both specs. */
  static void check(String type, String name, int features, double eps, double momentum) {
    if (features < 0 || !(eps > 0) || !(momentum >= 0 && momentum <= 1 || Double.isNaN(momentum))) {
      throw new IllegalArgumentException(
          type
              + " '"
              + name
              + "': features must be non-negative,"
              + " eps positive and momentum in [0, 1] or null for the cumulative average (features="
              + features
              + ", eps="
              + eps
              + ", momentum="
              + momentum
              + ")");
    }
  }

  private final String name;
  private final int c; // channels
  private final int l; // values per channel and sample
  private final double eps;
  private final double momentum; // or CUMULATIVE
  private final boolean affine; // whether weight and bias are parameters (else 1 and 0)
  private final boolean track; // whether running statistics are kept and used in inference
  private final int biasOff; // bias [C] in params, after weight [C] at pOff
  private final int varOff; // running_var [C] in buffers, after running_mean [C] at bOff
  private final int countOff; // num_batches_tracked in buffers, after running_var, if cumulative
  private final float[] mean; // [C]: the mean the last forward subtracted
  private final float[] invStd; // [C]: 1 / sqrt(var + eps) of the last forward
  private final double[] sums; // [C, 2]: sum dy and sum dy (x - mean) of the last backward
  private boolean batchStats; // whether the last forward normalised with batch statistics
  private boolean relu; // whether the ReLU after this layer is applied here
  private float[] x; // [n, C, L]: the input of the last forward
  private float[] y; // [n, C, L]
  private float[] dx; // [n, C, L]

  /** c channels of l values each per sample. */
  BatchNorm(Spec spec, Shape in, Vectors v, int pOff, int bOff, int c, int l) {
    super(in, in, v, pOff, bOff);
    this.name = spec.name();
    this.c = c;
    this.l = l;
    this.eps = spec.eps();
    this.momentum = spec.momentum();
    this.affine = spec.affine();
    this.track = spec.trackRunningStats();
    this.biasOff = pOff + c;
    this.varOff = bOff + c;
    this.countOff = bOff + 2 * c;
    this.mean = new float[c];
    this.invStd = new float[c];
    this.sums = new double[2 * c];
  }

  /**
   * x: [n, C, L]; in training with running statistics also updates running_mean and running_var
   * (and num_batches_tracked) in v.buffers.
   */
  @Override
  protected long inputGradFloats(int n) {
    return needInputGrad ? super.inputGradFloats(n) : 0;
  }

  @Override
  public float[] forward(float[] x, int n, boolean training) {
    int len = n * c * l;
    this.x = x;
    y = ensure(y, len);
    boolean batch = training || !track;
    boolean update = training && track;
    batchStats = batch;
    float[] buf = v.buffers;
    int m = n * l;
    if (batch && m < 2) {
      throw new IllegalArgumentException(
          "batch norm '"
              + name
              + "': "
              + (training ? "training" : "inference without running statistics")
              + " needs more than one value per channel, got "
              + m);
    }
    double factor = momentum;
    if (update && Double.isNaN(momentum)) { // PyTorch: 1 / num_batches_tracked after adding 1
      buf[countOff] += 1f;
      factor = 1.0 / buf[countOff];
    }
    double f = factor;
    // channel by channel, so the normalising pass finds the channel in cache after its sums
    Parallel.forEach(
        c,
        ch -> {
          if (batch) {
            double mu = Sums.sum(x, ch * l, l, n, c * l) / m;
            double var = Sums.squares(x, ch * l, l, n, c * l, mu) / m;
            mean[ch] = (float) mu;
            invStd[ch] = (float) (1 / Math.sqrt(var + eps));
            if (update) {
              buf[bOff + ch] = (float) ((1 - f) * buf[bOff + ch] + f * mu);
              buf[varOff + ch] = (float) ((1 - f) * buf[varOff + ch] + f * var * m / (m - 1));
            }
          } else {
            mean[ch] = buf[bOff + ch];
            invStd[ch] = (float) (1 / Math.sqrt(buf[varOff + ch] + eps));
          }
          normalise(x, n, ch);
        });
    return y;
  }

  /** The weight of channel ch: its parameter, or 1 without affine. */
  private float weight(int ch) {
    return affine ? v.params[pOff + ch] : 1f;
  }

  /** The bias of channel ch: its parameter, or 0 without affine. */
  private float bias(int ch) {
    return affine ? v.params[biasOff + ch] : 0f;
  }

  @Override
  boolean fuseReLU() {
    relu = true;
    return true;
  }

  /** y of channel ch, in each of the n samples (then max(0, y) with the ReLU taken over). */
  private void normalise(float[] x, int n, int ch) {
    float[] out = y;
    float scale = weight(ch) * invStd[ch];
    float shift = bias(ch) - mean[ch] * scale;
    float floor = relu ? 0f : Float.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      for (int j = (i * c + ch) * l, e = j + l; j < e; j++) {
        out[j] = Math.max(x[j] * scale + shift, floor);
      }
    }
  }

  @Override
  public float[] backward(float[] dy, int n) {
    float[] gr = v.grads;
    if (needInputGrad) {
      dx = inputGrad(dx, n, dy);
    }
    double m = (double) n * l;
    float[] d = dx;
    float[] in = x;
    Parallel.forEach(
        c,
        ch -> {
          float mu = mean[ch];
          float is = invStd[ch];
          // the ReLU's gate: dy passes unless x w is + b - mean w is <= 0 (as forward made y); or
          // x 0 + 1, which never is (infinities and NaN give NaN, which passes too)
          float gate = relu ? weight(ch) * is : 0f;
          float shift = relu ? bias(ch) - mu * gate : 1f;
          Sums.sumAndProducts(dy, in, mu, gate, shift, ch * l, l, n, c * l, sums, 2 * ch);
          double sumDy = sums[2 * ch];
          double sumDyXhat = sums[2 * ch + 1] * is;
          if (affine) {
            gr[pOff + ch] += (float) sumDyXhat;
            gr[biasOff + ch] += (float) sumDy;
          }
          if (!needInputGrad) {
            return;
          }
          float scale = weight(ch) * is;
          // with batch statistics the mean and variance depend on x too (Ioffe and Szegedy, sec.
          // 3):
          // dx = scale (dy - meanDy - xhat meanDyXhat), xhat = (x - mu) is
          float meanDy = batchStats ? (float) (sumDy / m) : 0f;
          float k = batchStats ? (float) (sumDyXhat / m) * is : 0f;
          Sums.normGrad(dy, in, mu, gate, shift, scale, meanDy, k, ch * l, l, n, c * l, d);
        });
    return needInputGrad ? dx : null;
  }
}

/*
 * Transposed 2D convolution (torch.nn.ConvTranspose2d, "deconvolution"): the adjoint of Conv2d's
 * map from input to output, used to upsample. Each input value scatters its kernel onto the output
 * (ConvReference.transposeForward). Weight [Cin, Cout/groups, KH, KW] then bias [Cout], as in
 * PyTorch. Its output size inverts DESIGN.md contract 5:
 *   H' = (H - 1)S - 2P + D(K - 1) + output_padding + 1,
 * where output_padding (< max(S, D)) picks one of the S sizes that a strided convolution maps to H
 * (Dumoulin and Visin, "A guide to convolution arithmetic for deep learning", 2016, section 4.6).
 * With the ConvGeometry of the convolution from [Cout, H', W'] to [Cin, H, W] (top-left padding P,
 * bottom-right P - output_padding), the maths is Conv2d's backward and forward swapped:
 *   forward:  col_g[Cout/G*KK, HW] = W_g^T[Cout/G*KK, Cin/G] x x_g[Cin/G, HW];  y = col2im(col) + b
 *   backward: dcol = im2col(dy);  dW_g += x_g x dcol_g^T;  dx_g = W_g x dcol_g;  db += sums of dy
 */
package org.sparkcnn.engine.layers;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import java.util.List;
import org.sparkcnn.engine.EngineOptions;
import org.sparkcnn.engine.Init;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;
import org.sparkcnn.engine.kernels.ConvGeometry;
import org.sparkcnn.engine.kernels.Gemm;
import org.sparkcnn.engine.kernels.Sums;

public final class ConvTranspose2d extends Layer {
  /**
   * in = 0 takes the channel count from the input. Left out (null, or 0 for groups): stride 1,
   * padding 0, output_padding 0, groups 1, bias true, dilation 1.
   */
  public record Spec(
      String name,
      int in,
      int out,
      PerAxis kernel,
      PerAxis stride,
      PerAxis padding,
      @JsonProperty("output_padding") PerAxis outputPadding,
      int groups,
      Boolean bias,
      PerAxis dilation)
      implements LayerSpec {
    public Spec {
      stride = stride == null ? PerAxis.ONE : stride;
      padding = padding == null ? PerAxis.ZERO : padding;
      outputPadding = outputPadding == null ? PerAxis.ZERO : outputPadding;
      groups = groups == 0 ? 1 : groups;
      bias = bias == null || bias;
      dilation = dilation == null ? PerAxis.ONE : dilation;
      String at = "conv_transpose2d '" + name + "': ";
      if (kernel == null) {
        throw new IllegalArgumentException(at + "kernel is required");
      }
      for (PerAxis p : new PerAxis[] {kernel, stride, padding, outputPadding, dilation}) {
        if (!p.fits(2)) {
          throw new IllegalArgumentException(
              at
                  + "kernel, stride, padding, output_padding and"
                  + " dilation must be one int or [h, w], got "
                  + p);
        }
      }
      if (out <= 0
          || in < 0
          || kernel.min() <= 0
          || stride.min() <= 0
          || dilation.min() <= 0
          || padding.min() < 0
          || outputPadding.min() < 0) {
        throw new IllegalArgumentException(
            at
                + "out, kernel, stride and dilation must be positive"
                + " and the paddings non-negative (out="
                + out
                + ", kernel="
                + kernel
                + ", stride="
                + stride
                + ", padding="
                + padding
                + ", output_padding="
                + outputPadding
                + ", dilation="
                + dilation
                + ")");
      }
      for (int i = 0; i < 2; i++) {
        if (outputPadding.get(i) >= Math.max(stride.get(i), dilation.get(i))) {
          throw new IllegalArgumentException(
              at
                  + "output_padding must be smaller than the stride"
                  + " or the dilation (output_padding="
                  + outputPadding
                  + ", stride="
                  + stride
                  + ", dilation="
                  + dilation
                  + "), as in PyTorch");
        }
      }
      if (groups <= 0 || out % groups != 0 || in % groups != 0) {
        throw new IllegalArgumentException(
            at
                + "groups must be positive and divide the input and"
                + " output channels (groups="
                + groups
                + ", in="
                + in
                + ", out="
                + out
                + ")");
      }
    }

    public static Spec of(
        String name, int in, int out, int kernel, int stride, int padding, int outputPadding) {
      return new Spec(
          name,
          in,
          out,
          PerAxis.of(kernel),
          PerAxis.of(stride),
          PerAxis.of(padding),
          PerAxis.of(outputPadding),
          1,
          true,
          null);
    }

    /** The convolution from the output [Cout, H', W'] back to the input [Cin, H, W]. */
    ConvGeometry geometry(Shape o) {
      return new ConvGeometry(
          out,
          o.h(),
          o.w(),
          kernel.get(0),
          kernel.get(1),
          stride.get(0),
          stride.get(1),
          padding.get(0),
          padding.get(1),
          dilation.get(0),
          dilation.get(1),
          padding.get(0) - outputPadding.get(0),
          padding.get(1) - outputPadding.get(1));
    }

    @Override
    public Shape outputShape(Shape s) {
      if (s.rank() != 3) {
        throw new ShapeMismatch(this, s, "expected [C, H, W]");
      }
      if (in != 0 && s.c() != in) {
        throw new ShapeMismatch(this, s, "expected " + in + " input channels");
      }
      if (s.c() % groups != 0) {
        throw new ShapeMismatch(this, s, "expected input channels divisible by groups=" + groups);
      }
      int[] hw = new int[2];
      for (int i = 0; i < 2; i++) {
        hw[i] =
            (s.dim(i + 1) - 1) * stride.get(i)
                - 2 * padding.get(i)
                + dilation.get(i) * (kernel.get(i) - 1)
                + outputPadding.get(i)
                + 1;
      }
      if (hw[0] < 1 || hw[1] < 1) {
        throw new ShapeMismatch(
            this,
            s,
            "padding " + padding + " leaves no output (" + out + "x" + hw[0] + "x" + hw[1] + ")");
      }
      return Shape.of(out, hw[0], hw[1]);
    }

    @Override
    public int paramCount(Shape s) {
      int w =
          Math.multiplyExact(
              Math.multiplyExact(s.c(), out / groups),
              Math.multiplyExact(kernel.get(0), kernel.get(1))); // Architecture names an overflow
      return Math.addExact(w, bias ? out : 0);
    }

    @Override
    public long macs(Shape s) {
      return (long) s.size() * (out / groups) * kernel.get(0) * kernel.get(1);
    }

    /** [Cin, Cout / groups, KH, KW], as in PyTorch. */
    @Override
    public String weightShape(Shape s) {
      return s.c() + "x" + out / groups + "x" + kernel.get(0) + "x" + kernel.get(1);
    }

    /** Fans as PyTorch computes them for [Cin, Cout/G, KH, KW]: Cout/G*KK in, Cin*KK out. */
    @Override
    public void init(float[] p, int off, Shape s, Init scheme, Rng rng) {
      int kk = kernel.get(0) * kernel.get(1);
      int count = s.c() * (out / groups) * kk;
      scheme.fill(p, off, count, out / groups * kk, s.c() * kk, rng);
      if (bias) {
        Arrays.fill(p, off + count, off + count + out, 0f);
      }
    }

    @Override
    public Layer bind(Shape s, Vectors v, int pOff, int bOff, EngineOptions o) {
      return new ConvTranspose2d(this, s, v, pOff, o.gemmImpl());
    }
  }

  private final ConvGeometry g; // the convolution from y back to x
  private final int groups;
  private final int cinG; // input channels per group
  private final int kdimG; // Cout/G * KH * KW: rows of col per group
  private final int hw; // H * W of the input
  private final int biasOff;
  private final Gemm.Impl gemm;
  private float[] x; // input of the last forward: [n, Cin, H, W]
  private float[] y; // [n, Cout, H', W']
  private float[] dx; // [n, Cin, H, W]
  private final float[] col; // [Cout*KH*KW, H*W]

  private ConvTranspose2d(Spec spec, Shape in, Vectors v, int pOff, Gemm.Impl gemm) {
    super(in, spec.outputShape(in), v, pOff, 0);
    this.g = spec.geometry(out);
    this.groups = spec.groups();
    this.gemm = gemm;
    this.cinG = in.c() / groups;
    this.kdimG = g.colRows() / groups;
    this.hw = in.h() * in.w();
    this.biasOff = spec.bias() ? pOff + in.c() * kdimG : -1;
    if (g.ho() != in.h() || g.wo() != in.w()) {
      throw new IllegalStateException("transposed geometry " + g + " does not invert " + in);
    }
    this.col = new float[g.colRows() * hw];
  }

  /** Always on columns: im2col and col2im around the GEMMs (Convolution.path's "lowered"). */
  @Override
  public void convolutionPaths(List<String> out) {
    out.add("lowered");
  }

  @Override
  protected long inputGradFloats(int n) {
    return needInputGrad ? super.inputGradFloats(n) : 0;
  }

  @Override
  public float[] forward(float[] x, int n, boolean training) {
    this.x = x;
    y = ensure(y, n * out.size());
    Arrays.fill(y, 0, n * out.size(), 0f);
    float[] p = v.params;
    for (int i = 0; i < n; i++) {
      for (int gi = 0; gi < groups; gi++) {
        // col_g[Cout/G*KK, HW] = W_g^T[Cout/G*KK, Cin/G] x x_g[Cin/G, HW]
        Gemm.sgemm(
            gemm,
            true,
            false,
            kdimG,
            hw,
            cinG,
            p,
            pOff + gi * cinG * kdimG,
            kdimG,
            x,
            i * in.size() + gi * cinG * hw,
            hw,
            0f,
            col,
            gi * kdimG * hw,
            hw);
      }
      g.col2im(col, 0, y, i * out.size());
      if (biasOff >= 0) {
        Convolution.addBias(p, biasOff, y, i * out.size(), out.c(), out.h() * out.w());
      }
    }
    return y;
  }

  @Override
  public float[] backward(float[] dy, int n) {
    float[] p = v.params;
    float[] gr = v.grads;
    if (needInputGrad) {
      dx = inputGrad(dx, n, dy);
    }
    for (int i = 0; i < n; i++) {
      g.im2col(dy, i * out.size(), col);
      for (int gi = 0; gi < groups; gi++) {
        int wOff = pOff + gi * cinG * kdimG;
        int xOff = i * in.size() + gi * cinG * hw;
        // dW_g[Cin/G, Cout/G*KK] += x_g[Cin/G, HW] x dcol_g^T[HW, Cout/G*KK]
        Gemm.sgemm(
            gemm,
            false,
            true,
            cinG,
            kdimG,
            hw,
            x,
            xOff,
            hw,
            col,
            gi * kdimG * hw,
            hw,
            1f,
            gr,
            wOff,
            kdimG);
        if (needInputGrad) {
          // dx_g[Cin/G, HW] = W_g[Cin/G, Cout/G*KK] x dcol_g[Cout/G*KK, HW]
          Gemm.sgemm(
              gemm,
              false,
              false,
              cinG,
              hw,
              kdimG,
              p,
              wOff,
              kdimG,
              col,
              gi * kdimG * hw,
              hw,
              0f,
              dx,
              xOff,
              hw);
        }
      }
    }
    if (biasOff >= 0) { // db[c] += the sum of channel c's planes of dy, as in Convolution
      int plane = out.h() * out.w();
      for (int c = 0; c < out.c(); c++) {
        gr[biasOff + c] += (float) Sums.sum(dy, c * plane, plane, n, out.size());
      }
    }
    return needInputGrad ? dx : null;
  }
}

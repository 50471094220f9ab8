/*
 * 2D convolution over NCHW batches, with PyTorch's options (torch.nn.Conv2d): kernel, stride,
 * padding and dilation per axis (one int or [h, w]), padding also "valid", "same" or "full"
 * (Padding), groups, optional bias, and padding_mode: zeros, reflect, replicate or circular
 * (PaddingMode). Weight [Cout, Cin/groups, KH, KW] then bias [Cout]. The maths of the shapes is
 * in ConvSpec; the runtime is Convolution (im2col + GEMM) on a ConvGeometry, on the input padded
 * by the mode (ModePadded) where that is not zeros:
 *   y[o, i, j] = b[o] + sum_{c, u, v} w[o, c, u, v] x[g*Cin/G + c, i*SH - PH + u*DH,
 *                                                     j*SW - PW + v*DW],  g = o / (Cout/G)
 */
package org.sparkcnn.engine.layers;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.kernels.ConvGeometry;
import org.sparkcnn.engine.kernels.Lowering;

public final class Conv2d {
  private Conv2d() {}

  /**
   * in = 0 takes the channel count from the input. Left out (null, or 0 for groups): stride 1,
   * padding 0, bias true, dilation 1, groups 1, padding_mode 'zeros'.
   */
  public record Spec(
      String name,
      int in,
      int out,
      PerAxis kernel,
      PerAxis stride,
      Padding padding,
      Boolean bias,
      PerAxis dilation,
      int groups,
      @JsonProperty("padding_mode") String paddingMode)
      implements ConvSpec {
    public Spec {
      stride = stride == null ? PerAxis.ONE : stride;
      padding = padding == null ? Padding.of(0) : padding;
      bias = bias == null || bias;
      dilation = dilation == null ? PerAxis.ONE : dilation;
      groups = groups == 0 ? 1 : groups;
      paddingMode = paddingMode == null ? PaddingMode.ZEROS : paddingMode;
      ConvSpec.check(
          "conv2d", name, 2, in, out, kernel, stride, padding, dilation, groups, paddingMode);
    }

    /** With zero padding (padding_mode 'zeros'). */
    public Spec(
        String name,
        int in,
        int out,
        PerAxis kernel,
        PerAxis stride,
        Padding padding,
        Boolean bias,
        PerAxis dilation,
        int groups) {
      this(name, in, out, kernel, stride, padding, bias, dilation, groups, null);
    }

    /** The first form: a square kernel, one stride (0 means 1) and one padding for both axes. */
    public Spec(String name, int in, int out, int kernel, int stride, int padding, Boolean bias) {
      this(
          name,
          in,
          out,
          PerAxis.of(kernel),
          PerAxis.of(stride == 0 ? 1 : stride),
          Padding.of(padding),
          bias,
          null,
          0);
    }

    /** As the first form, with a bias. */
    public static Spec of(String name, int in, int out, int kernel, int stride, int padding) {
      return new Spec(name, in, out, kernel, stride, padding, true);
    }

    @Override
    public Spec unpadded() {
      return new Spec(name, in, out, kernel, stride, Padding.of(0), bias, dilation, groups);
    }

    @Override
    public int rank() {
      return 2;
    }

    @Override
    public Lowering lowering(Shape s) {
      var a = axes(s);
      return ConvGeometry.of(s.c(), a[0], a[1]);
    }
  }
}

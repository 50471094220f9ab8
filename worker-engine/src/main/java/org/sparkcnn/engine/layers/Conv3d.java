/*
 * 3D convolution over [N, C, D, H, W] batches (torch.nn.Conv3d), for video and volumes: kernel,
 * stride, padding and dilation per axis (one int or [d, h, w]), padding also "valid", "same" or
 * "full", groups, optional bias, padding_mode as Conv2d. Weight [Cout, Cin/groups, KD, KH, KW]
 * then bias [Cout]. The runtime is Convolution (im2col + GEMM) on a VolGeometry (vol2col):
 *   y[o, z, i, j] = b[o] + sum_{c, a, u, v} w[o, c, a, u, v]
 *                   x[g*Cin/G + c, z*SD - PD + a*DD, i*SH - PH + u*DH, j*SW - PW + v*DW]
 */
package org.sparkcnn.engine.layers;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.kernels.Lowering;
import org.sparkcnn.engine.kernels.VolGeometry;

public final class Conv3d {
  private Conv3d() {}

  /** As Conv2d.Spec, with three spatial axes. */
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
          "conv3d", name, 3, in, out, kernel, stride, padding, dilation, groups, paddingMode);
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

    public static Spec of(String name, int in, int out, int kernel, int stride, int padding) {
      return new Spec(
          name,
          in,
          out,
          PerAxis.of(kernel),
          PerAxis.of(stride == 0 ? 1 : stride),
          Padding.of(padding),
          true,
          null,
          0);
    }

    @Override
    public Spec unpadded() {
      return new Spec(name, in, out, kernel, stride, Padding.of(0), bias, dilation, groups);
    }

    @Override
    public int rank() {
      return 3;
    }

    @Override
    public Lowering lowering(Shape s) {
      var a = axes(s);
      return new VolGeometry(s.c(), a[0], a[1], a[2]);
    }
  }
}

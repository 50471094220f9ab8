/*
 * 1D convolution over [N, C, L] batches (torch.nn.Conv1d): kernel, stride, padding ("valid",
 * "same", "full" or an int), dilation, groups, optional bias and padding_mode as Conv2d. Weight
 * [Cout, Cin/groups, K] then bias [Cout]. A [C, L] sample is laid out as a [C, 1, L] image, so
 * the runtime is the 2D one (Convolution on a ConvGeometry) with a 1 x K kernel:
 *   y[o, j] = b[o] + sum_{c, v} w[o, c, v] x[g*Cin/G + c, j*S - P + v*D]
 */
package org.sparkcnn.engine.layers;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.kernels.ConvAxis;
import org.sparkcnn.engine.kernels.ConvGeometry;
import org.sparkcnn.engine.kernels.Lowering;

public final class Conv1d {
  private Conv1d() {}

  /** As Conv2d.Spec, with one spatial axis. */
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
          "conv1d", name, 1, in, out, kernel, stride, padding, dilation, groups, paddingMode);
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
      return 1;
    }

    @Override
    public Lowering lowering(Shape s) {
      return ConvGeometry.of(s.c(), ConvAxis.UNIT, axes(s)[0]);
    }
  }
}

/*
 * What the specs of Conv1d, Conv2d and Conv3d share: PyTorch's options and the shapes that follow
 * from them. Per spatial axis (ConvAxis), the output size is DESIGN.md contract 5,
 * out = floor((in + lo + hi - d(k - 1) - 1) / s) + 1, with lo and hi from the Padding. The weight
 * is [Cout, Cin/groups, K...] then the bias [Cout], as in PyTorch (torch.nn.Conv2d): groups splits
 * the channels into independent convolutions (groups == Cin is a depthwise convolution). The
 * padding_mode says what the padding holds (PaddingMode): zeros, or the input reflected,
 * replicated or wrapped around, as torch.nn.Conv2d's.
 */
package org.sparkcnn.engine.layers;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Arrays;
import org.sparkcnn.engine.EngineOptions;
import org.sparkcnn.engine.Init;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;
import org.sparkcnn.engine.kernels.ConvAxis;
import org.sparkcnn.engine.kernels.Lowering;

public interface ConvSpec extends LayerSpec {
  /** Input channels, or 0 to take them from the input. */
  int in();

  int out();

  PerAxis kernel();

  PerAxis stride();

  Padding padding();

  Boolean bias();

  PerAxis dilation();

  int groups();

  /**
   * 'zeros', 'reflect', 'replicate' or 'circular' (PaddingMode); left out of JSON when 'zeros', so
   * that a file of zero-padded layers reads as before.
   */
  @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = ZerosFilter.class)
  String paddingMode();

  /** For JsonInclude: equal to the default padding_mode, which is not written. */
  final class ZerosFilter {
    @Override
    public boolean equals(Object o) {
      return PaddingMode.ZEROS.equals(o);
    }

    @Override
    public int hashCode() {
      return PaddingMode.ZEROS.hashCode();
    }
  }

  /** The same convolution without padding: what runs on an input padded by the mode. */
  ConvSpec unpadded();

  /** Spatial axes: 1, 2 or 3. */
  int rank();

  /** The im2col of one sample of shape s (which fits). */
  Lowering lowering(Shape s);

  /** Checks the options, in each spec's constructor: a message naming the layer and the value. */
  static void check(
      String type,
      String name,
      int rank,
      int in,
      int out,
      PerAxis kernel,
      PerAxis stride,
      Padding padding,
      PerAxis dilation,
      int groups,
      String paddingMode) {
    String at = type + " '" + name + "': ";
    if (!PaddingMode.NAMES.contains(paddingMode)) {
      throw new IllegalArgumentException(
          at + "padding_mode must be one of " + PaddingMode.NAMES + ", got '" + paddingMode + "'");
    }
    if (kernel == null) {
      throw new IllegalArgumentException(at + "kernel is required");
    }
    if (!kernel.fits(rank) || !stride.fits(rank) || !dilation.fits(rank) || !padding.fits(rank)) {
      throw new IllegalArgumentException(
          at
              + "kernel, stride, padding and dilation must be one int"
              + " or "
              + rank
              + " ints (kernel="
              + kernel
              + ", stride="
              + stride
              + ", padding="
              + padding
              + ", dilation="
              + dilation
              + ")");
    }
    boolean negativePadding = false;
    for (int i = 0; i < rank; i++) {
      negativePadding |= padding.before(i, 1, 1) < 0;
    }
    if (out <= 0
        || in < 0
        || kernel.min() <= 0
        || stride.min() <= 0
        || dilation.min() <= 0
        || negativePadding) {
      throw new IllegalArgumentException(
          at
              + "out, kernel, stride and dilation must be positive"
              + " and padding non-negative (out="
              + out
              + ", kernel="
              + kernel
              + ", stride="
              + stride
              + ", padding="
              + padding
              + ", dilation="
              + dilation
              + ")");
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
    if (padding.isSame() && stride.max() > 1) {
      throw new IllegalArgumentException(
          at
              + "padding 'same' is not supported for strided"
              + " convolutions (stride="
              + stride
              + "), as in PyTorch; give the padding explicitly");
    }
  }

  /** One axis per spatial dimension of s: size, kernel, stride, padding, dilation. */
  default ConvAxis[] axes(Shape s) {
    ConvAxis[] a = new ConvAxis[rank()];
    for (int i = 0; i < a.length; i++) {
      int k = kernel().get(i);
      int d = dilation().get(i);
      a[i] =
          new ConvAxis(
              s.dim(i + 1),
              k,
              stride().get(i),
              padding().before(i, k, d),
              padding().after(i, k, d),
              d);
    }
    return a;
  }

  @Override
  default Shape outputShape(Shape s) {
    if (s.rank() != rank() + 1) {
      throw new ShapeMismatch(
          this, s, "expected " + new String[] {"[C, L]", "[C, H, W]", "[C, D, H, W]"}[rank() - 1]);
    }
    if (in() != 0 && s.c() != in()) {
      throw new ShapeMismatch(this, s, "expected " + in() + " input channels");
    }
    if (s.c() % groups() != 0) {
      throw new ShapeMismatch(this, s, "expected input channels divisible by groups=" + groups());
    }
    int[] dims = new int[rank() + 1];
    dims[0] = out();
    ConvAxis[] a = axes(s);
    String tooWide = PaddingMode.check(paddingMode(), a);
    if (tooWide != null) {
      throw new ShapeMismatch(this, s, tooWide);
    }
    for (int i = 0; i < a.length; i++) {
      dims[i + 1] = a[i].out();
      if (dims[i + 1] < 1) {
        throw new ShapeMismatch(
            this,
            s,
            "kernel "
                + kernel()
                + " with dilation "
                + dilation()
                + " and padding "
                + padding()
                + " leaves no output ("
                + Arrays.toString(dims)
                + ")");
      }
    }
    return Shape.of(dims);
  }

  /** Weights per output channel: Cin/groups * prod(K). */
  /** [Cout, Cin / groups, K...], as in PyTorch. */
  @Override
  default String weightShape(Shape s) {
    StringBuilder b = new StringBuilder().append(out()).append('x').append(s.c() / groups());
    for (int i = 0; i < rank(); i++) {
      b.append('x').append(kernel().get(i));
    }
    return b.toString();
  }

  default int fanIn(Shape s) {
    int f = s.c() / groups();
    for (int i = 0; i < rank(); i++) {
      f = Math.multiplyExact(f, kernel().get(i)); // Architecture names an overflow
    }
    return f;
  }

  @Override
  default int paramCount(Shape s) {
    return Math.addExact(Math.multiplyExact(out(), fanIn(s)), bias() ? out() : 0);
  }

  @Override
  default long macs(Shape s) {
    return (long) outputShape(s).size() * fanIn(s);
  }

  /** Fans as PyTorch computes them for a weight [Cout, Cin/groups, K...]. */
  @Override
  default void init(float[] p, int off, Shape s, Init scheme, Rng rng) {
    int fanIn = fanIn(s);
    int kernelSize = fanIn / (s.c() / groups());
    scheme.fill(p, off, out() * fanIn, fanIn, out() * kernelSize, rng);
    if (bias()) {
      Arrays.fill(p, off + out() * fanIn, off + out() * fanIn + out(), 0f);
    }
  }

  /** Whether the input is padded by the mode before an unpadded convolution (ModePadded). */
  default boolean padsByMode(Shape s) {
    if (paddingMode().equals(PaddingMode.ZEROS)) {
      return false;
    }
    for (ConvAxis a : axes(s)) {
      if (a.lo() > 0 || a.hi() > 0) {
        return true;
      }
    }
    return false;
  }

  @Override
  default Layer bind(Shape s, Vectors v, int pOff, int bOff, EngineOptions o) {
    return padsByMode(s)
        ? new ModePadded(this, s, v, pOff, o)
        : new Convolution(this, s, v, pOff, lowering(s), o);
  }
}

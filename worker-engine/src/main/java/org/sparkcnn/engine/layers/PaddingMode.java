/*
 * What the padding of a convolution holds, as PyTorch's padding_mode (torch.nn.Conv2d pads its
 * input with torch.nn.functional.pad, then convolves without padding): "zeros"; "reflect", the
 * input mirrored about its first and last element, which is not repeated (1 2 3 padded by 2 on
 * both sides is 3 2 | 1 2 3 | 2 1); "replicate", the edge repeated (1 1 | 1 2 3 | 3 3);
 * "circular", the input wrapped around (2 3 | 1 2 3 | 1 2). As in PyTorch, reflect needs the
 * padding on each side below the input size on that axis, and circular at most that size.
 */
package org.sparkcnn.engine.layers;

import java.util.List;
import org.sparkcnn.engine.kernels.ConvAxis;

final class PaddingMode {
  static final String ZEROS = "zeros";
  static final List<String> NAMES = List.of(ZEROS, "reflect", "replicate", "circular");

  private PaddingMode() {}

  /**
   * The index into an axis of n values that position i of that axis padded by lo before holds, for
   * a mode other than zeros (which copies nothing); i in [0, lo + n + hi) for a padding the mode
   * allows (check).
   */
  static int source(String mode, int i, int lo, int n) {
    int j = i - lo;
    return switch (mode) {
      case "reflect" -> j < 0 ? -j : j >= n ? 2 * (n - 1) - j : j;
      case "replicate" -> Math.max(0, Math.min(n - 1, j));
      case "circular" -> Math.floorMod(j, n);
      default -> throw new IllegalArgumentException("padding_mode '" + mode + "' copies no input");
    };
  }

  /** source for every position of the padded axis a. */
  static int[] sources(String mode, ConvAxis a) {
    int[] src = new int[a.lo() + a.in() + a.hi()];
    for (int i = 0; i < src.length; i++) {
      src[i] = source(mode, i, a.lo(), a.in());
    }
    return src;
  }

  /** Why the paddings of axes do not suit mode, as PyTorch refuses them; null if they do. */
  static String check(String mode, ConvAxis[] axes) {
    boolean reflect = mode.equals("reflect");
    if (!reflect && !mode.equals("circular")) {
      return null;
    }
    for (int i = 0; i < axes.length; i++) {
      ConvAxis a = axes[i];
      int most = Math.max(a.lo(), a.hi());
      if (reflect ? most >= a.in() : most > a.in()) {
        return "expected padding_mode '"
            + mode
            + "' to pad each side of an axis by "
            + (reflect ? "less than" : "at most")
            + " its size, but spatial axis "
            + i
            + " of size "
            + a.in()
            + " is padded by "
            + a.lo()
            + " before and "
            + a.hi()
            + " after";
      }
    }
    return null;
  }
}

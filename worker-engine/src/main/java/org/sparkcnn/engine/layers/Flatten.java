/*
 * Merges the axes start_dim to end_dim into one, as PyTorch's Flatten(start_dim=1, end_dim=-1):
 * dims count the batch as axis 0 and negative values count from the end, so the defaults flatten
 * [C, H, W] to [C*H*W], and start_dim 2 makes [C, H*W]. Start 0 would merge the batch and is
 * refused. NCHW is contiguous per sample, so no data moves: the output is the input, dx is dy.
 */
package org.sparkcnn.engine.layers;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.sparkcnn.engine.EngineOptions;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

public final class Flatten extends Layer {
  /** start_dim 1 and end_dim -1 by default (left out of JSON), as in PyTorch. */
  public record Spec(
      String name,
      @JsonProperty("start_dim")
          @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = OneFilter.class)
          Integer startDim,
      @JsonProperty("end_dim")
          @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = LastFilter.class)
          Integer endDim)
      implements LayerSpec {
    public Spec {
      startDim = startDim == null ? 1 : startDim;
      endDim = endDim == null ? -1 : endDim;
      if (startDim == 0) {
        throw new IllegalArgumentException(
            "flatten '"
                + name
                + "': start_dim 0 would merge the"
                + " batch into the sample; use start_dim 1 or more (or negative, from the last axis)");
      }
    }

    public Spec(String name) {
      this(name, null, null);
    }

    /** For JsonInclude: 1, the default start_dim, which is not written. */
    static final class OneFilter {
      @Override
      public boolean equals(Object o) {
        return Integer.valueOf(1).equals(o);
      }

      @Override
      public int hashCode() {
        return 1;
      }
    }

    /** For JsonInclude: -1, the default end_dim, which is not written. */
    static final class LastFilter {
      @Override
      public boolean equals(Object o) {
        return Integer.valueOf(-1).equals(o);
      }

      @Override
      public int hashCode() {
        return -1;
      }
    }

    /**
     * The flatten that takes in to out, out being in with one run of consecutive axes multiplied
     * into one, or null if there is none.
     */
    public static Spec between(String name, Shape in, Shape out) {
      int p = 0; // axes equal at the front
      while (p < out.rank() - 1 && p < in.rank() && out.dim(p) == in.dim(p)) {
        p++;
      }
      int q = 0; // and at the back
      while (p + q < out.rank() - 1
          && q < in.rank() - p
          && out.dim(out.rank() - 1 - q) == in.dim(in.rank() - 1 - q)) {
        q++;
      }
      if (out.rank() - p - q != 1 || in.rank() - q - 1 < p) {
        return null;
      }
      Spec f = new Spec(name, p + 1, in.rank() - q);
      return f.outputShape(in).equals(out) ? f : null;
    }

    /** start_dim as an axis of the batched input [N, ...in], in [1, in.rank()]. */
    public int start(Shape in) {
      return axis(in, "start_dim", startDim);
    }

    /** end_dim as an axis of the batched input [N, ...in], in [start, in.rank()]. */
    public int end(Shape in) {
      int s = start(in);
      int e = axis(in, "end_dim", endDim);
      if (e < s) {
        throw new ShapeMismatch(
            this,
            in,
            "start_dim "
                + startDim
                + " (axis "
                + s
                + ") comes after end_dim "
                + endDim
                + " (axis "
                + e
                + ")");
      }
      return e;
    }

    private int axis(Shape in, String key, int dim) {
      int a = dim < 0 ? dim + in.rank() + 1 : dim;
      if (a < 1 || a > in.rank()) {
        throw new ShapeMismatch(
            this,
            in,
            key
                + " "
                + dim
                + " names no axis after the batch (1 to "
                + in.rank()
                + ", or -"
                + in.rank()
                + " to -1)");
      }
      return a;
    }

    /** in with its axes start..end (the batch being axis 0) merged into one. */
    @Override
    public Shape outputShape(Shape in) {
      int s = start(in) - 1; // among the sample's axes
      int e = end(in) - 1;
      int[] out = new int[in.rank() - (e - s)];
      for (int d = 0; d < s; d++) {
        out[d] = in.dim(d);
      }
      out[s] = 1;
      for (int d = s; d <= e; d++) {
        out[s] *= in.dim(d);
      }
      for (int d = e + 1; d < in.rank(); d++) {
        out[d - (e - s)] = in.dim(d);
      }
      return Shape.of(out);
    }

    @Override
    public Layer bind(Shape in, Vectors v, int pOff, int bOff, EngineOptions o) {
      return new Flatten(in, outputShape(in), v);
    }
  }

  private Flatten(Shape in, Shape out, Vectors v) {
    super(in, out, v, 0, 0);
  }

  @Override
  protected long keptFloats(int n) { // a view of its input, and of dy
    return 0;
  }

  @Override
  protected long inputGradFloats(int n) {
    return 0;
  }

  // x: [n, in] is [n, out] in the same order
  @Override
  public float[] forward(float[] x, int n, boolean training) {
    return x;
  }

  // dy: [n, out] is [n, in]
  @Override
  public float[] backward(float[] dy, int n) {
    return dy;
  }
}

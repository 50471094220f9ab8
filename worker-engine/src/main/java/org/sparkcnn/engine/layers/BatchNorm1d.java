/*
 * Batch normalisation of flat features [F] or of sequences [C, L], as PyTorch's BatchNorm1d: each
 * of the F (or C) channels is normalised over the batch (and the length). The maths, the
 * parameters (weight, bias) and the buffers (running_mean, running_var, num_batches_tracked) are
 * BatchNorm's.
 */
package org.sparkcnn.engine.layers;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import org.sparkcnn.engine.EngineOptions;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

public final class BatchNorm1d extends BatchNorm {
  /**
   * features = 0 takes the channels from the input; eps 1e-5, momentum 0.1 (null in JSON, or
   * CUMULATIVE, for the cumulative average), affine and track_running_stats true by default.
   */
  public record Spec(
      String name,
      int features,
      Double eps,
      @JsonDeserialize(using = MomentumJson.class) @JsonSerialize(using = MomentumJson.Writer.class)
          Double momentum,
      Boolean affine,
      @JsonProperty("track_running_stats") Boolean trackRunningStats)
      implements BatchNorm.Spec {
    public Spec {
      eps = eps == null ? 1e-5 : eps;
      momentum = momentum == null ? 0.1 : momentum;
      affine = affine == null || affine;
      trackRunningStats = trackRunningStats == null || trackRunningStats;
      check("batch_norm1d", name, features, eps, momentum);
    }

    /** With weight and bias and running statistics. */
    public Spec(String name, int features, Double eps, Double momentum) {
      this(name, features, eps, momentum, null, null);
    }

    public static Spec of(String name, int features) {
      return new Spec(name, features, null, null, null, null);
    }

    @Override
    public Shape outputShape(Shape in) {
      if (in.rank() > 2) {
        throw new ShapeMismatch(this, in, "expected [F] or [C, L] (batch_norm2d takes [C, H, W])");
      }
      if (features != 0 && in.dim(0) != features) {
        throw new ShapeMismatch(this, in, "expected " + features + " features");
      }
      return in;
    }

    @Override
    public Layer bind(Shape in, Vectors v, int pOff, int bOff, EngineOptions o) {
      return new BatchNorm1d(this, outputShape(in), v, pOff, bOff);
    }
  }

  private BatchNorm1d(Spec spec, Shape in, Vectors v, int pOff, int bOff) {
    super(spec, in, v, pOff, bOff, in.dim(0), in.rank() == 2 ? in.dim(1) : 1);
  }
}

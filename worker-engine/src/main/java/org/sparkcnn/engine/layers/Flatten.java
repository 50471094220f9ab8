/* Flattens [C, H, W] to [C*H*W]. NCHW is already contiguous per sample, so no data moves. */
package org.sparkcnn.engine.layers;

import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

public final class Flatten extends Layer {
  public record Spec(String name) implements LayerSpec {
    @Override
    public Shape outputShape(Shape in) {
      return Shape.of(in.size());
    }

    @Override
    public Layer bind(Shape in, Vectors v, int pOff, int bOff) {
      return new Flatten(in, outputShape(in), v);
    }
  }

  private Flatten(Shape in, Shape out, Vectors v) {
    super(in, out, v, 0, 0);
  }

  @Override
  public float[] forward(float[] x, int n, boolean training) {
    return x;
  }

  @Override
  public float[] backward(float[] dy, int n) {
    return dy;
  }
}

/* A layer that does not fit its input: reported when the model is built, before any Spark job. */
package org.sparkcnn.engine.layers;

import org.sparkcnn.engine.Shape;

public final class ShapeMismatch extends IllegalArgumentException {
  public ShapeMismatch(LayerSpec layer, Shape in, String expected) {
    super("layer '" + layer.name() + "' does not fit its input: got input " + in + ", " + expected);
  }
}

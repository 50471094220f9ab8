/*
 * What a layer is, apart from any numbers: its kind, name and hyper-parameters. A spec is an
 * immutable, serializable record that knows its parameter count, its output shape for an input
 * shape and its multiply-adds; bind() makes the runtime object that does the maths on views of the
 * model's flat vectors. Specs travel as JSON inside model files ("type" names the kind).
 */
package org.sparkcnn.engine.layers;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.io.Serializable;
import org.sparkcnn.engine.EngineOptions;
import org.sparkcnn.engine.Init;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.Vectors;

@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = Conv2d.Spec.class, name = "conv2d"),
  @JsonSubTypes.Type(value = Conv1d.Spec.class, name = "conv1d"),
  @JsonSubTypes.Type(value = Conv3d.Spec.class, name = "conv3d"),
  @JsonSubTypes.Type(value = ConvTranspose2d.Spec.class, name = "conv_transpose2d"),
  @JsonSubTypes.Type(value = Linear.Spec.class, name = "linear"),
  @JsonSubTypes.Type(value = ReLU.Spec.class, name = "relu"),
  @JsonSubTypes.Type(value = MaxPool2d.Spec.class, name = "max_pool2d"),
  @JsonSubTypes.Type(value = Flatten.Spec.class, name = "flatten"),
  @JsonSubTypes.Type(value = Residual.Spec.class, name = "residual"),
  @JsonSubTypes.Type(value = Concat.Spec.class, name = "concat"),
  @JsonSubTypes.Type(value = AvgPool2d.Spec.class, name = "avg_pool2d"),
  @JsonSubTypes.Type(value = GlobalAvgPool2d.Spec.class, name = "global_avg_pool2d"),
  @JsonSubTypes.Type(value = AdaptiveAvgPool2d.Spec.class, name = "adaptive_avg_pool2d"),
  @JsonSubTypes.Type(value = AdaptiveMaxPool2d.Spec.class, name = "adaptive_max_pool2d"),
  @JsonSubTypes.Type(value = LeakyReLU.Spec.class, name = "leaky_relu"),
  @JsonSubTypes.Type(value = ELU.Spec.class, name = "elu"),
  @JsonSubTypes.Type(value = Sigmoid.Spec.class, name = "sigmoid"),
  @JsonSubTypes.Type(value = Tanh.Spec.class, name = "tanh"),
  @JsonSubTypes.Type(value = Softmax.Spec.class, name = "softmax"),
  @JsonSubTypes.Type(value = BatchNorm1d.Spec.class, name = "batch_norm1d"),
  @JsonSubTypes.Type(value = BatchNorm2d.Spec.class, name = "batch_norm2d"),
  @JsonSubTypes.Type(value = Dropout.Spec.class, name = "dropout"),
  @JsonSubTypes.Type(value = LocalResponseNorm.Spec.class, name = "local_response_norm"),
  @JsonSubTypes.Type(value = PixelShuffle.Spec.class, name = "pixel_shuffle"),
})
public interface LayerSpec extends Serializable {
  String name();

  /** The shape this layer produces; throws {@link ShapeMismatch} if the input does not fit. */
  Shape outputShape(Shape in);

  default int paramCount(Shape in) {
    return 0;
  }

  default int bufferCount(Shape in) {
    return 0;
  }

  /** The shape of the layer's weight for the summary table, e.g. "10x3x5x5", or "" if none. */
  default String weightShape(Shape in) {
    return "";
  }

  /** Multiply-adds of the forward pass for one sample. */
  default long macs(Shape in) {
    return 0;
  }

  /** Initialises this layer's slice params[off, off + paramCount(in)). */
  default void init(float[] params, int off, Shape in, Init scheme, Rng rng) {}

  /** Sets this layer's slice of the buffer vector to its starting values. */
  default void initBuffers(float[] buffers, int off, Shape in) {}

  /** The runtime on v's slices from paramOffset and bufferOffset, computing as options says. */
  Layer bind(Shape in, Vectors v, int paramOffset, int bufferOffset, EngineOptions options);

  /** bind with EngineOptions.DEFAULT. */
  default Layer bind(Shape in, Vectors v, int paramOffset, int bufferOffset) {
    return bind(in, v, paramOffset, bufferOffset, EngineOptions.DEFAULT);
  }
}

/*
 * A batch norm's momentum in JSON (model definitions and model files): a number, or null for
 * PyTorch's momentum=None, the cumulative moving average, which the spec holds as
 * BatchNorm.CUMULATIVE. A momentum left out is not null: it stays absent here, and the spec takes
 * PyTorch's default 0.1.
 */
package org.sparkcnn.engine.layers;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;

final class MomentumJson extends StdDeserializer<Double> {
  MomentumJson() {
    super(Double.class);
  }

  @Override
  public Double deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
    return p.currentToken().isNumeric()
        ? p.getDoubleValue()
        : (Double) ctxt.handleUnexpectedToken(Double.class, p);
  }

  @Override
  public Double getNullValue(DeserializationContext ctxt) {
    return BatchNorm.CUMULATIVE;
  }

  @Override
  public Object getAbsentValue(DeserializationContext ctxt) {
    return null;
  }

  /** Writes CUMULATIVE as null, any other momentum as its number. */
  static final class Writer extends StdSerializer<Double> {
    Writer() {
      super(Double.class);
    }

    @Override
    public void serialize(Double m, JsonGenerator g, SerializerProvider p) throws IOException {
      if (m.isNaN()) {
        g.writeNull();
      } else {
        g.writeNumber(m);
      }
    }
  }
}

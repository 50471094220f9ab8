/*
 * One labelled image on its way into a partition block: dense id (0..N-1 within its split), class
 * label and the pixels as unsigned bytes in CHW order. The rows of a source's DataFrame have the
 * same three columns (id long, label int, pixels binary).
 */
package org.sparkcnn.data;

import java.io.Serializable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

public record Sample(long id, int label, byte[] pixels) implements Serializable {
  public static final StructType SCHEMA =
      new StructType()
          .add("id", DataTypes.LongType, false)
          .add("label", DataTypes.IntegerType, false)
          .add("pixels", DataTypes.BinaryType, false);

  public static Sample fromRow(Row r) {
    return new Sample(r.getLong(0), r.getInt(1), (byte[]) r.get(2));
  }

  public Row toRow() {
    return RowFactory.create(id, label, pixels);
  }
}

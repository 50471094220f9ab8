/*
 * One labelled image kept as its encoded file (JPEG, PNG, ...) on its way into an encoded
 * partition block (data.cache: encoded): dense id and label as Sample has them, the file's bytes,
 * and where it came from, so that a file that fails to decode in a training step is named. The
 * rows of a source's encoded DataFrame have the same four columns (id long, label int, bytes
 * binary, path string).
 */
package org.sparkcnn.data;

import java.io.Serializable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

public record EncodedSample(long id, int label, byte[] bytes, String path) implements Serializable {
  public static final StructType SCHEMA =
      new StructType()
          .add("id", DataTypes.LongType, false)
          .add("label", DataTypes.IntegerType, false)
          .add("bytes", DataTypes.BinaryType, false)
          .add("path", DataTypes.StringType, false);

  public static EncodedSample fromRow(Row r) {
    return new EncodedSample(r.getLong(0), r.getInt(1), (byte[]) r.get(2), r.getString(3));
  }

  public Row toRow() {
    return RowFactory.create(id, label, bytes, path);
  }
}

/*
 * The classes of a label column: their count and names from the column's ML metadata where it has
 * them (StringIndexer writes a nominal attribute with the label strings), else k = the largest
 * label + 1 with no names. One aggregation checks every label before training: a null, a negative
 * or fractional value, or one past the metadata's classes is an IllegalArgumentException naming
 * the column and what was expected.
 */
package org.sparkcnn.ml;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.List;
import java.util.Locale;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;

record Labels(int classes, List<String> names) {
  static Labels of(Dataset<Row> frame, StructField field) {
    String name = field.name();
    Column label = col(name).cast("double");
    Row r =
        frame
            .agg(
                count("*"),
                count(label),
                min(label),
                max(label),
                sum(when(label.notEqual(floor(label)), 1).otherwise(0)))
            .first();
    long rows = r.getLong(0);
    if (rows == 0) {
      throw new IllegalArgumentException("the DataFrame has no rows to train on");
    }
    if (r.getLong(1) != rows) {
      throw new IllegalArgumentException(
          "label column '"
              + name
              + "' holds "
              + (rows - r.getLong(1))
              + " nulls; expected a class index in every row");
    }
    double lo = r.getDouble(2);
    double hi = r.getDouble(3);
    long fractional = r.isNullAt(4) ? 0 : r.getLong(4);
    if (lo < 0 || fractional > 0) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "label column '%s' holds"
                  + " %s; expected class indices 0, 1, 2, ... (index string labels with StringIndexer)",
              name,
              lo < 0 ? "the negative value " + lo : fractional + " values that are not whole"));
    }
    List<String> names = List.of();
    int classes = (int) hi + 1;
    Attribute a = Attribute.fromStructField(field);
    if (a instanceof NominalAttribute n) {
      if (n.values().isDefined()) {
        names = List.of(n.values().get());
      }
      int declared =
          n.values().isDefined()
              ? names.size()
              : n.numValues().isDefined() ? (Integer) n.numValues().get() : classes;
      if (hi >= declared) {
        throw new IllegalArgumentException(
            "label column '"
                + name
                + "' holds the label "
                + (long) hi
                + " but its metadata declares "
                + declared
                + " classes");
      }
      classes = declared;
    }
    if (classes < 2) {
      throw new IllegalArgumentException(
          "label column '"
              + name
              + "' holds one class (0);"
              + " expected at least two classes to tell apart");
    }
    return new Labels(classes, names);
  }
}

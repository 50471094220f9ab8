/*
 * The generated quickstart dataset (see ShapesGenerator) as a Source. The images are rendered on
 * the executors from (seed, id), so nothing but the sample count leaves the driver. Train ids are
 * 0..train-1; the test split renders ids from a separate range of the same distribution.
 */
package org.sparkcnn.data;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkcnn.engine.Shape;

public record ShapesSource(long seed, int trainSize, int testSize) implements Source {
  /** Test ids start here, far above any train id. */
  static final long TEST_ID_BASE = 1L << 40;

  public ShapesSource {
    if (trainSize <= 0 || testSize <= 0) {
      throw new IllegalArgumentException("the shapes dataset needs positive train and test sizes");
    }
  }

  @Override
  public Shape shape() {
    return Shape.of(ShapesGenerator.CHANNELS, ShapesGenerator.SIZE, ShapesGenerator.SIZE);
  }

  @Override
  public int classes() {
    return ShapesGenerator.CLASSES;
  }

  @Override
  public List<String> classNames() {
    return ShapesGenerator.CLASS_NAMES;
  }

  @Override
  public void check() {}

  @Override
  public Dataset<Row> load(SparkSession spark, Split split) {
    return spark.createDataFrame(samples(spark, split).map(Sample::toRow), Sample.SCHEMA);
  }

  @Override
  public JavaRDD<Sample> samples(SparkSession spark, Split split) {
    int n = split == Split.TRAIN ? trainSize : testSize;
    long base = split == Split.TRAIN ? 0 : TEST_ID_BASE;
    long s = seed;
    int slices = Math.max(1, Math.min(n / 1000 + 1, spark.sparkContext().defaultParallelism()));
    List<int[]> ranges = new ArrayList<>();
    for (int i = 0; i < slices; i++) {
      ranges.add(new int[] {(int) ((long) n * i / slices), (int) ((long) n * (i + 1) / slices)});
    }
    return JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(ranges, slices)
        .flatMap(r -> render(s, base, r[0], r[1]));
  }

  /** Samples from..to - 1, each drawn as the caller takes it. */
  private static Iterator<Sample> render(long seed, long base, int from, int to) {
    return IntStream.range(from, to)
        .mapToObj(
            id ->
                new Sample(
                    id,
                    ShapesGenerator.label(seed, base + id),
                    ShapesGenerator.render(seed, base + id)))
        .iterator();
  }
}

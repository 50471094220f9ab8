/*
 * How samples are spread over partitions and cached. Sample id i goes to partition i mod P: with
 * dense ids the partition sizes differ by at most one, and a source sorted by class still gives
 * every partition the same class mix. Each partition becomes one Block, its samples sorted by id so
 * that the block is the same whatever order the shuffle delivered them in (DESIGN.md contract 3).
 * A source's encoded files (data.cache: encoded) are spread the same way into encoded blocks.
 */
package org.sparkcnn.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.sparkcnn.engine.Shape;
import scala.Tuple2;

public final class Partitioning {
  private Partitioning() {}

  /** The partition of sample id among p partitions. */
  public static int partitionOf(long id, int partitions) {
    return (int) Math.floorMod(id, (long) partitions);
  }

  /** Routes keys (sample ids) to partitionOf(id). */
  static final class ById extends Partitioner {
    private final int partitions;

    ById(int partitions) {
      this.partitions = partitions;
    }

    @Override
    public int numPartitions() {
      return partitions;
    }

    @Override
    public int getPartition(Object key) {
      return partitionOf((Long) key, partitions);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ById b && b.partitions == partitions;
    }

    @Override
    public int hashCode() {
      return partitions;
    }
  }

  /** The rows of a source split as P cached blocks (not yet materialised). */
  public static JavaRDD<Block> blocks(Dataset<Row> rows, Shape shape, int partitions,
      StorageLevel level) {
    if (partitions <= 0) {
      throw new IllegalArgumentException("partitions must be positive, got " + partitions);
    }
    return rows.javaRDD()
        .mapToPair(r -> {
          Sample s = Sample.fromRow(r);
          return new Tuple2<>(s.id(), s);
        })
        .partitionBy(new ById(partitions))
        .mapPartitionsWithIndex((p, it) -> pack(p, shape, it), true)
        .persist(level);
  }

  private static Iterator<Block> pack(int p, Shape shape, Iterator<Tuple2<Long, Sample>> it) {
    List<Sample> samples = new ArrayList<>();
    it.forEachRemaining(t -> samples.add(t._2()));
    samples.sort(Comparator.comparingLong(Sample::id));
    return List.of(Block.of(p, shape, samples)).iterator();
  }

  /** The encoded rows (EncodedSample.SCHEMA) of a source split as P cached encoded blocks. */
  public static JavaRDD<Block> encodedBlocks(Dataset<Row> rows, Shape shape, int partitions,
      StorageLevel level) {
    if (partitions <= 0) {
      throw new IllegalArgumentException("partitions must be positive, got " + partitions);
    }
    return rows.javaRDD()
        .mapToPair(r -> {
          EncodedSample s = EncodedSample.fromRow(r);
          return new Tuple2<>(s.id(), s);
        })
        .partitionBy(new ById(partitions))
        .mapPartitionsWithIndex((p, it) -> {
          List<EncodedSample> samples = new ArrayList<>();
          it.forEachRemaining(t -> samples.add(t._2()));
          samples.sort(Comparator.comparingLong(EncodedSample::id));
          return List.of(Block.ofEncoded(p, shape, samples)).iterator();
        }, true)
        .persist(level);
  }
}

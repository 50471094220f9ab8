/*
 * How samples are spread over partitions and cached. blocks() builds the first layout straight
 * from a source's rows: sample id i goes to partition i mod P, one shuffle, decoding every sample
 * once. The driver then collects the (id, label) pairs of what arrived (members(): a source may
 * have skipped undecodable samples, leaving gaps in the ids), computes the Assignment it wants
 * (balanced or stratified, reshuffle round) and arrange() moves the cached samples there with a
 * second shuffle of the blocks' bytes, or keeps the blocks as they are when they already match
 * (no gaps, balanced, round 0: the common case costs nothing). Each partition becomes one Block,
 * its samples sorted by id, so that the block is the same whatever order the shuffle delivered
 * them in (DESIGN.md contract 3). A source's encoded files (data.cache: encoded) take the same
 * path: encodedBlocks() deals them by id into encoded blocks, and arrange() moves the files, not
 * pixels, so that a sample lands in the same partition at the same position in both forms.
 */
package org.sparkcnn.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
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
  public static JavaRDD<Block> blocks(
      Dataset<Row> rows, Shape shape, int partitions, StorageLevel level) {
    return blocks(rows.javaRDD().map(Sample::fromRow), shape, partitions, level);
  }

  /** The samples of a source split as P cached blocks (not yet materialised). */
  public static JavaRDD<Block> blocks(
      JavaRDD<Sample> samples, Shape shape, int partitions, StorageLevel level) {
    if (partitions <= 0) {
      throw new IllegalArgumentException("partitions must be positive, got " + partitions);
    }
    return samples
        .mapToPair(s -> new Tuple2<>(s.id(), s))
        .partitionBy(new ById(partitions))
        .mapPartitionsWithIndex((p, it) -> pack(p, shape, it), true)
        .persist(level);
  }

  /** The (id, label) pairs of the samples in the blocks, ids increasing (collected). */
  public static Assignment.Members members(JavaRDD<Block> blocks) {
    List<long[]> parts = blocks.map(Partitioning::idsAndLabels).collect();
    int n = parts.stream().mapToInt(a -> a.length / 2).sum();
    long[] ids = new long[n];
    long[] labels = new long[n];
    int at = 0;
    for (long[] a : parts) {
      int m = a.length / 2;
      System.arraycopy(a, 0, ids, at, m);
      System.arraycopy(a, m, labels, at, m);
      at += m;
    }
    Integer[] order = new Integer[n];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, Comparator.comparingLong(i -> ids[i]));
    long[] sortedIds = new long[n];
    int[] sortedLabels = new int[n];
    for (int i = 0; i < n; i++) {
      sortedIds[i] = ids[order[i]];
      sortedLabels[i] = (int) labels[order[i]];
    }
    return new Assignment.Members(sortedIds, sortedLabels);
  }

  /** [ids..., labels...] of one block. */
  private static long[] idsAndLabels(Block b) {
    long[] a = new long[2 * b.size()];
    for (int i = 0; i < b.size(); i++) {
      a[i] = b.id(i);
      a[b.size() + i] = b.label(i);
    }
    return a;
  }

  /**
   * The samples of blocks laid out by `current` (Assignment.byId for those of blocks() and
   * encodedBlocks()), laid out as `a` says, persisted and materialised: the given blocks when the
   * two agree, else new blocks of the same form (encoded: the blocks hold files), and then the
   * given ones are unpersisted. Both must cover exactly the blocks' samples.
   */
  public static JavaRDD<Block> arrange(
      JavaRDD<Block> blocks,
      Assignment current,
      Assignment a,
      Shape shape,
      boolean encoded,
      StorageLevel level) {
    if (current.sameAs(a)) {
      return blocks;
    }
    Broadcast<Assignment> where = JavaSparkContext.fromSparkContext(blocks.context()).broadcast(a);
    Partitioner to = new ById(a.partitions()); // keys are partition numbers here
    int size = shape.size();
    JavaRDD<Block> arranged =
        (encoded
                ? blocks
                    .flatMapToPair(b -> encodedPieces(b, where.value()))
                    .partitionBy(to)
                    .mapPartitionsWithIndex((p, it) -> packEncoded(p, shape, it), true)
                : blocks
                    .flatMapToPair(b -> decodedPieces(b, where.value(), size))
                    .partitionBy(to)
                    .mapPartitionsWithIndex((p, it) -> pack(p, shape, it), true))
            .persist(level);
    long n = arranged.map(Block::size).reduce(Integer::sum);
    if (n != a.samples()) {
      throw new IllegalStateException(
          "the arranged blocks hold "
              + n
              + " samples, the assignment"
              + " "
              + a.samples()
              + ": the blocks changed since members() read them");
    }
    blocks.unpersist(false);
    return arranged;
  }

  /**
   * A decoded block's samples, each keyed by its partition under `to`, made one at a time as the
   * shuffle takes them (never a second copy of the whole block).
   */
  private static Iterator<Tuple2<Long, Sample>> decodedPieces(Block b, Assignment to, int size) {
    return IntStream.range(0, b.size())
        .mapToObj(
            i ->
                new Tuple2<>(
                    (long) to.partitionOf(b.id(i)),
                    new Sample(
                        b.id(i),
                        b.label(i),
                        Arrays.copyOfRange(b.pixels(), i * size, (i + 1) * size))))
        .iterator();
  }

  /** An encoded block's files, each keyed by its partition under `to`, one at a time. */
  private static Iterator<Tuple2<Long, EncodedSample>> encodedPieces(Block b, Assignment to) {
    return IntStream.range(0, b.size())
        .mapToObj(
            i ->
                new Tuple2<>(
                    (long) to.partitionOf(b.id(i)),
                    new EncodedSample(
                        b.id(i),
                        b.label(i),
                        Arrays.copyOfRange(b.files(), b.offsets()[i], b.offsets()[i + 1]),
                        b.path(i))))
        .iterator();
  }

  private static Iterator<Block> pack(int p, Shape shape, Iterator<Tuple2<Long, Sample>> it) {
    List<Sample> samples = new ArrayList<>();
    it.forEachRemaining(t -> samples.add(t._2()));
    samples.sort(Comparator.comparingLong(Sample::id));
    return List.of(Block.of(p, shape, samples)).iterator();
  }

  private static Iterator<Block> packEncoded(
      int p, Shape shape, Iterator<Tuple2<Long, EncodedSample>> it) {
    List<EncodedSample> samples = new ArrayList<>();
    it.forEachRemaining(t -> samples.add(t._2()));
    samples.sort(Comparator.comparingLong(EncodedSample::id));
    return List.of(Block.ofEncoded(p, shape, samples)).iterator();
  }

  /**
   * The encoded rows (EncodedSample.SCHEMA) of a source split as P cached encoded blocks, sample id
   * i in partition i mod P as blocks() deals them (not yet materialised; arrange() lays them out as
   * the Assignment says).
   */
  public static JavaRDD<Block> encodedBlocks(
      Dataset<Row> rows, Shape shape, int partitions, StorageLevel level) {
    if (partitions <= 0) {
      throw new IllegalArgumentException("partitions must be positive, got " + partitions);
    }
    return rows.javaRDD()
        .mapToPair(
            r -> {
              EncodedSample s = EncodedSample.fromRow(r);
              return new Tuple2<>(s.id(), s);
            })
        .partitionBy(new ById(partitions))
        .mapPartitionsWithIndex((p, it) -> packEncoded(p, shape, it), true)
        .persist(level);
  }
}

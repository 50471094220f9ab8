/*
 * How a run caches its data on the executors, decided once on the driver before Spark starts
 * (data.cache, data.cache_storage, data.cache_decoded_max_mb). Small datasets are cached decoded:
 * a step reads its pixels in place. A dataset whose decoded pixels would not fit in the
 * executors' memory is cached as its encoded files (JPEG, PNG: often 10 to 50 times smaller) and
 * each step decodes just its minibatch, so that it still trains; decoding is a pure function of
 * the file, so both caches train the same model to the bit. Only sources that read image files
 * have an encoded form (an image folder, Parquet shards of prepare --format encoded); asking one
 * that has none (generated shapes, MNIST, CIFAR binaries, decoded Parquet shards) for
 * data.cache: encoded is a config error, since its samples are pixels to begin with, while auto
 * simply caches it decoded. Both splits are cached in the form the training set's size chose.
 * The form changes nothing else: an encoded source skips the files load() skips (the driver
 * counts them the same way) and DataLayout deals both forms over the partitions alike.
 *
 * Storage levels. A block is a few flat arrays, so a serialized copy (MEMORY_ONLY_SER) would
 * save next to nothing in memory and make every step deserialize its whole partition: the
 * in-memory levels keep blocks deserialized. memory is MEMORY_ONLY (a block that does not fit is
 * rebuilt from the source when needed), memory_and_disk MEMORY_AND_DISK (spilled to the
 * executor's local disk, serialized, when memory runs short), disk DISK_ONLY (only on local disk:
 * each step reads its partition's block back, from the OS page cache while it fits there; for
 * data that fits neither memory nor page cache, at the cost of that read per step).
 */
package org.sparkcnn.data.cache;

import java.util.Locale;
import java.util.Optional;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.sparkcnn.data.Block;
import org.sparkcnn.data.Partitioning;
import org.sparkcnn.data.Source;
import org.sparkcnn.data.Split;

/** decoder: the source's encoded form when the blocks are encoded, else null. */
public record DataCache(Source.Encoded decoder, Storage storage, String reason) {
  /** data.cache: the form the executors cache the samples in. */
  public enum Form {
    AUTO,
    DECODED,
    ENCODED
  }

  /** data.cache_storage: where the cached blocks live (Spark storage levels). */
  public enum Storage {
    MEMORY,
    DISK,
    MEMORY_AND_DISK
  }

  /**
   * What a run asks of its cache: data.cache, data.cache_storage and data.cache_decoded_max_mb,
   * with data.source and data.dir for the messages.
   */
  public record Settings(
      Form form, Storage storage, int decodedMaxMb, String sourceName, String dataDir) {}

  /** The cache settings s ask for source; a DataConfigException if it cannot be had. */
  public static DataCache of(Settings s, Source source) {
    Form mode = s.form();
    Storage storage = s.storage();
    Optional<Source.Encoded> encoded = source.encoded();
    String name = s.sourceName();
    if (encoded.isEmpty()) {
      if (mode == Form.ENCODED) {
        throw new DataConfigException(
            "key 'data.cache': encoded needs"
                + " a source of image files (data.source folder, or parquet prepared with --format"
                + " encoded), but data.source "
                + name
                + (name.equals("parquet")
                    ? " in " + s.dataDir() + " holds decoded shards"
                    : " has decoded samples only")
                + "; expected auto or decoded");
      }
      return new DataCache(null, storage, "data.source " + name + " has decoded samples only");
    }
    if (mode != Form.AUTO) {
      return new DataCache(
          mode == Form.ENCODED ? encoded.get() : null, storage, "data.cache: " + word(mode));
    }
    long images = encoded.get().count(Split.TRAIN);
    long bytes = images * source.shape().size();
    long max = s.decodedMaxMb() * (1L << 20);
    String size =
        String.format(
            Locale.ROOT,
            "the decoded training set, %,d images of %s, is" + " %,.1f MiB",
            images,
            source.shape(),
            bytes / (double) (1 << 20));
    return bytes <= max
        ? new DataCache(null, storage, size + " <= data.cache_decoded_max_mb")
        : new DataCache(encoded.get(), storage, size + " > data.cache_decoded_max_mb");
  }

  /** A choice as the config spells it: its name in lower case. */
  private static String word(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  public boolean encoded() {
    return decoder != null;
  }

  public StorageLevel level() {
    return switch (storage) {
      case MEMORY -> StorageLevel.MEMORY_ONLY();
      case DISK -> StorageLevel.DISK_ONLY();
      case MEMORY_AND_DISK -> StorageLevel.MEMORY_AND_DISK();
    };
  }

  /** The split of source as cached blocks over partitions, in this cache's form. */
  JavaRDD<Block> blocks(SparkSession spark, Source source, Split split, int partitions) {
    return encoded()
        ? Partitioning.encodedBlocks(
            decoder.loadEncoded(spark, split), source.shape(), partitions, level())
        : Partitioning.blocks(source.samples(spark, split), source.shape(), partitions, level());
  }

  /** The log line: "data cache: encoded files in memory_and_disk (...)". */
  public String describe() {
    return "data cache: "
        + (encoded() ? "encoded files" : "decoded pixels")
        + " in "
        + word(storage)
        + " ("
        + reason
        + ")";
  }
}

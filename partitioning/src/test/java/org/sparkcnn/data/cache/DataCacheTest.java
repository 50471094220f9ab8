/*
 * The cache choice for a source whose samples are pixels to begin with (generated shapes):
 * decoded under auto and decoded, refused under encoded with a message naming the key and, for
 * Parquet shards, the folder; each storage choice's Spark level and the line that describes it.
 */
package org.sparkcnn.data.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;
import org.sparkcnn.data.ShapesSource;

class DataCacheTest {
  private static final ShapesSource SHAPES = new ShapesSource(1, 10, 2);

  private static DataCache of(DataCache.Form form, DataCache.Storage storage, String source) {
    return DataCache.of(new DataCache.Settings(form, storage, 0, source, "/d/shards"), SHAPES);
  }

  @Test
  void decodedSamplesAreCachedDecodedInTheStorageAskedFor() {
    DataCache auto = of(DataCache.Form.AUTO, DataCache.Storage.MEMORY_AND_DISK, "shapes");
    assertFalse(auto.encoded());
    assertEquals(StorageLevel.MEMORY_AND_DISK(), auto.level());
    assertEquals(
        "data cache: decoded pixels in memory_and_disk (data.source shapes has decoded samples"
            + " only)",
        auto.describe());
    assertEquals(
        StorageLevel.MEMORY_ONLY(),
        of(DataCache.Form.DECODED, DataCache.Storage.MEMORY, "shapes").level());
    assertEquals(
        StorageLevel.DISK_ONLY(), of(DataCache.Form.AUTO, DataCache.Storage.DISK, "x").level());
  }

  /** The message that refuses data.cache: encoded for decoded samples named data.source source. */
  private static String refusal(String source) {
    return assertThrows(
            DataConfigException.class,
            () -> of(DataCache.Form.ENCODED, DataCache.Storage.MEMORY, source))
        .getMessage();
  }

  @Test
  void encodedIsRefusedForDecodedSamples() {
    String needs =
        "key 'data.cache': encoded needs a source of image files (data.source folder, or parquet"
            + " prepared with --format encoded), but data.source ";
    assertEquals(
        needs + "shapes has decoded samples only; expected auto or decoded", refusal("shapes"));
    assertEquals(
        needs + "parquet in /d/shards holds decoded shards; expected auto or decoded",
        refusal("parquet"));
  }
}

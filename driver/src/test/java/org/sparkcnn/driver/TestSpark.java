/*
 * The local SparkSession the driver's tests share: started once per test JVM (and again if a
 * test's CLI run stopped it), with the same Kryo settings as real runs and no UI. It offers 4 task
 * slots, so that barrier stages of up to 4 partitions run, with a default parallelism of 2 (the
 * partitions and compute threads a test gets when it names none).
 */
package org.sparkcnn.driver;

import org.apache.spark.sql.SparkSession;

public final class TestSpark {
  private static SparkSession session;

  private TestSpark() {}

  public static synchronized SparkSession get() {
    if (session == null || session.sparkContext().isStopped()) {
      session =
          Sessions.builder("local[4]", "sparkcnn-driver-checks")
              .config("spark.default.parallelism", "2")
              .config("spark.ui.enabled", "false")
              .config("spark.sql.shuffle.partitions", "2")
              .getOrCreate();
    }
    return session;
  }
}

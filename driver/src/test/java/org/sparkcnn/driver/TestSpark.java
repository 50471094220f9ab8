/*
 * The shared local[2] Spark session of the driver's tests: started once per test JVM (and again
 * if a test's CLI run stopped it), with the same Kryo settings as real runs and no UI.
 */
package org.sparkcnn.driver;

import org.apache.spark.sql.SparkSession;

public final class TestSpark {
  private static SparkSession session;

  private TestSpark() {}

  public static synchronized SparkSession get() {
    if (session == null || session.sparkContext().isStopped()) {
      session = Sessions.builder("local[2]", "sparkcnn-test")
          .config("spark.ui.enabled", "false")
          .config("spark.sql.shuffle.partitions", "2")
          .getOrCreate();
    }
    return session;
  }
}

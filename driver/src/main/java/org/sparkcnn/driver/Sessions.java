/*
 * The SparkSession sparkcnn runs in: Kryo with registration required (KryoSetup registers our
 * classes), no console progress bar, task results up to 128 MiB sent directly rather than
 * through the block manager (GradientBlocks moves gradients of 4 MiB and more itself), and
 * uncompressed broadcasts. The master comes from the config or --master unless spark-submit
 * already set one. deploy/sparkcnn keeps Spark on 127.0.0.1 (SPARK_LOCAL_IP, SPARKCNN_LOOPBACK);
 * with a master elsewhere the driver's RPC then listens on every interface under this machine's
 * name, so that executors reach it, and only the UI stays on loopback.
 */
package org.sparkcnn.driver;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.apache.spark.sql.SparkSession;

public final class Sessions {
  private Sessions() {}

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getCanonicalHostName();
    } catch (UnknownHostException e) {
      throw new IllegalStateException(
          "cannot name this machine for the executors to reach the"
              + " driver: "
              + e.getMessage()
              + "; set SPARK_LOCAL_IP to its address",
          e);
    }
  }

  public static SparkSession.Builder builder(String master, String appName) {
    SparkSession.Builder b =
        SparkSession.builder()
            .appName(appName)
            .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
            .config("spark.kryo.registrationRequired", "true")
            .config("spark.kryo.registrator", KryoSetup.class.getName())
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.task.maxDirectResultSize", String.valueOf(128L << 20))
            // the weights broadcast every step are float noise to a compressor: LZ4 over 47 MB
            // (ResNet-18) costs tens of milliseconds per step and saves almost nothing
            .config("spark.broadcast.compress", "false")
            // an image folder's files are listed on the driver: Spark's parallel listing job would
            // ship Hadoop's unregistered classes through Kryo
            .config("spark.sql.sources.parallelPartitionDiscovery.threshold", "1000000");
    if (System.getProperty("spark.master") == null) {
      b.master(master);
      if ("1".equals(System.getenv("SPARKCNN_LOOPBACK"))
          && master != null
          && !master.startsWith("local")) {
        // deploy/sparkcnn put Spark on 127.0.0.1; executors elsewhere must reach the driver
        b.config("spark.driver.bindAddress", "0.0.0.0").config("spark.driver.host", hostName());
      }
    }
    return b;
  }
}

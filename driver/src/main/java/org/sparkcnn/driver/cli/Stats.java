/*
 * `stats CONFIG`: the per-channel mean and standard deviation of a config's training split
 * (pixels scaled to [0, 1]), computed on Spark over partition blocks as training makes them: the
 * values of a normalize op, which training computes itself when data.normalize is on.
 */
package org.sparkcnn.driver.cli;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.sparkcnn.data.Block;
import org.sparkcnn.data.ChannelStats;
import org.sparkcnn.data.Partitioning;
import org.sparkcnn.data.Source;
import org.sparkcnn.data.Split;
import org.sparkcnn.driver.Main;
import org.sparkcnn.driver.Sessions;
import org.sparkcnn.driver.config.JobConfig;
import org.sparkcnn.driver.config.Keys;
import org.sparkcnn.driver.config.TrainingPlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    description =
        "Compute the per-channel mean and standard deviation of a config's training"
            + " data (pixels scaled to [0, 1]) on Spark, for a normalize op or data.normalize.")
public final class Stats implements Callable<Integer> {
  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "CONFIG",
      description = "Job config (YAML); default conf/quickstart.yaml.")
  Path config;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Overrides data.dir.")
  Path dataDir;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a key; repeatable.")
  List<String> overrides = new ArrayList<>();

  @Override
  public Integer call() {
    JobConfig c;
    Source source;
    try {
      c =
          JobConfig.load(
              config != null ? config : Main.home().resolve("conf/quickstart.yaml"), overrides);
      if (dataDir != null) {
        c = c.with(Keys.DATA_DIR, dataDir.toString());
      }
      source = TrainingPlan.source(c);
      source.check();
    } catch (JobConfig.ConfigException | IllegalArgumentException | UncheckedIOException e) {
      Reporter.error(e.getMessage());
      return Main.EXIT_BAD_INPUT;
    }
    SparkSession spark = Sessions.builder(c.get(Keys.MASTER), "sparkcnn stats").getOrCreate();
    try {
      ChannelStats.Result r = compute(spark, source);
      Reporter.out(
          String.format(
              Locale.ROOT,
              "%s train: %d samples of %s",
              c.get(Keys.DATA_SOURCE),
              r.samples(),
              source.shape()));
      Reporter.out("mean " + floats(r.normalizer().mean()));
      Reporter.out("std  " + floats(r.normalizer().std()));
      return 0;
    } finally {
      spark.stop();
    }
  }

  /** The training split's per-channel statistics, over partition blocks as training makes. */
  static ChannelStats.Result compute(SparkSession spark, Source source) {
    var sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    var blocks =
        Partitioning.blocks(
            source.load(spark, Split.TRAIN),
            source.shape(),
            sc.defaultParallelism(),
            StorageLevel.MEMORY_AND_DISK());
    try {
      return new ChannelStats.Result(
          ChannelStats.compute(blocks, source.shape().c()),
          blocks.map(Block::size).reduce(Integer::sum));
    } finally {
      blocks.unpersist(false);
    }
  }

  private static String floats(float[] v) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f", v[i]));
    }
    return b.append(']').toString();
  }
}

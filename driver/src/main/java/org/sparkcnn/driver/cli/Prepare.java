/*
 * `prepare CONFIG --out DIR [--shards N] [--format decoded|encoded]`: converts the config's data
 * source, whichever it is, into Parquet shards (ParquetShards) that `data.source: parquet` with
 * `data.dir: DIR` reads back: the usual step before a large cluster run, done once. The config,
 * the source's files, --out (which must be new or empty: nothing is ever overwritten) and the
 * format (encoded keeps the original image files, so only an image folder has it) are checked
 * before Spark starts, with exit status 2 and one message. Both splits are written whole, or
 * limited by data.train_size and data.test_size as training would read them.
 */
package org.sparkcnn.driver.cli;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.sparkcnn.data.ParquetMeta;
import org.sparkcnn.data.ParquetShards;
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
    name = "prepare",
    mixinStandardHelpOptions = true,
    description =
        "Convert a config's data source into Parquet shards (DIR/train, DIR/test and"
            + " DIR/_sparkcnn.json) for data.source parquet.")
public final class Prepare implements Callable<Integer> {
  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "CONFIG",
      description =
          "Job config (YAML) whose data.* keys name the source; default" + " conf/quickstart.yaml.")
  Path config;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "The folder to write; it must not exist or be empty.")
  Path out;

  @Option(
      names = "--shards",
      paramLabel = "N",
      defaultValue = "0",
      description = "Parquet files per split (default 0: Spark's default parallelism).")
  int shards;

  @Option(
      names = "--format",
      paramLabel = "decoded|encoded",
      defaultValue = "decoded",
      description =
          "decoded (default): the source's pixels, C x H x W bytes; encoded: each"
              + " image's original file (data.source folder only), decoded when training.")
  String format;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Overrides data.dir.")
  Path dataDir;

  @Option(
      names = "--master",
      paramLabel = "URL",
      description = "Spark master (overrides" + " spark.master).")
  String master;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a key; repeatable.")
  List<String> overrides = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    JobConfig c;
    Source source;
    ParquetMeta.Format f;
    try {
      if (shards < 0) {
        throw new IllegalArgumentException(
            "--shards "
                + shards
                + ": expected a number >= 1, or"
                + " 0 for Spark's default parallelism");
      }
      f = ParquetMeta.Format.parse(format, "--format");
      c =
          JobConfig.load(
              config != null ? config : Main.home().resolve("conf/quickstart.yaml"), overrides);
      if (dataDir != null) {
        c = c.with(Keys.DATA_DIR, dataDir.toString());
      }
      if (master != null) {
        c = c.with(Keys.MASTER, master);
      }
      source = TrainingPlan.source(c);
      ParquetShards.checkFormat(source, c.get(Keys.DATA_SOURCE), f);
      ParquetShards.checkOut(out);
      try {
        source.check();
      } catch (IllegalArgumentException | UncheckedIOException e) {
        throw new IllegalArgumentException("data: " + e.getMessage(), e);
      }
    } catch (JobConfig.ConfigException | IllegalArgumentException | UncheckedIOException e) {
      Reporter.error(e.getMessage());
      return Main.EXIT_BAD_INPUT;
    }
    SparkSession spark =
        Sessions.builder(c.get(Keys.MASTER), c.get(Keys.APP_NAME) + " prepare").getOrCreate();
    try {
      int n = shards > 0 ? shards : spark.sparkContext().defaultParallelism();
      ParquetMeta meta = ParquetShards.write(spark, source, origin(c, f), out, n, f);
      Reporter.out(
          "wrote "
              + out
              + ": "
              + f.id()
              + " "
              + (meta.shape() != null ? meta.shape() + " samples" : "image files")
              + " of "
              + meta.classes()
              + " classes from "
              + c.get(Keys.DATA_SOURCE)
              + "; train "
              + count(meta, Split.TRAIN)
              + ", test "
              + count(meta, Split.TEST));
      Reporter.out("train from it with --set data.source=parquet --data-dir " + out);
      return 0;
    } finally {
      spark.stop();
    }
  }

  private static String count(ParquetMeta meta, Split s) {
    ParquetMeta.SplitInfo i = meta.splits().get(s);
    return i.samples() + " samples in " + i.shards().size() + " shards";
  }

  /** What defines the source's data, for the metadata file: its name and the keys it reads. */
  static Map<String, Object> origin(JobConfig c, ParquetMeta.Format f) {
    Map<String, Object> o = new LinkedHashMap<>();
    String name = c.get(Keys.DATA_SOURCE);
    o.put("name", name);
    if (name.equals("shapes")) {
      o.put("seed", c.get(Keys.SEED));
    } else {
      o.put("dir", Path.of(c.get(Keys.DATA_DIR)).toAbsolutePath().normalize().toString());
    }
    if (name.equals("folder") && f == ParquetMeta.Format.DECODED) {
      o.put("image_size", c.get(Keys.DATA_IMAGE_SIZE));
    }
    o.put("train_size", c.get(Keys.DATA_TRAIN_SIZE));
    o.put("test_size", c.get(Keys.DATA_TEST_SIZE));
    return o;
  }
}

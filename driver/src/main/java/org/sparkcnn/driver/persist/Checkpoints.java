/*
 * The folder of a run's checkpoints, step-NNNNNNNNN.ckpt by global step, through Hadoop's
 * FileSystem API so that it can be local, HDFS, S3A or any file system Hadoop knows
 * (train.checkpoint_dir; RUN_DIR/checkpoints by default). A checkpoint is written to a hidden
 * temporary name and renamed, so a crash never leaves a half-written file under a checkpoint's
 * name (on object stores such as S3A, where a rename is a copy, the checksum still catches a
 * partial file); after each write only the newest KEPT are kept. Loading takes the newest one
 * whose checksum holds and warns about each damaged one it passes over.
 */
package org.sparkcnn.driver.persist;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.sparkcnn.driver.config.JobConfig;
import org.sparkcnn.driver.config.Keys;
import scala.Tuple2;

public final class Checkpoints {
  static final int KEPT = 2;
  public static final String DEFAULT_DIR = "checkpoints";
  private static final Pattern NAME = Pattern.compile("step-(\\d+)\\.ckpt");

  private final FileSystem fs;
  private final Path dir;

  private Checkpoints(FileSystem fs, Path dir) {
    this.fs = fs;
    this.dir = dir;
  }

  /** A loaded checkpoint and the file it came from. */
  record Loaded(Checkpoint checkpoint, String file) {}

  /** The checkpoint folder of a config whose run folder is runDir; nothing is created yet. */
  public static Checkpoints of(JobConfig c, java.nio.file.Path runDir) {
    String configured = c.get(Keys.CHECKPOINT_DIR);
    URI uri =
        configured.isEmpty()
            ? runDir.resolve(DEFAULT_DIR).toAbsolutePath().toUri()
            : new Path(configured).toUri();
    try {
      FileSystem fs = FileSystem.get(uri, hadoopConf());
      if (fs instanceof LocalFileSystem local) {
        fs = local.getRaw(); // no .crc side files: the checkpoint carries its own checksum
      }
      return new Checkpoints(fs, fs.makeQualified(new Path(uri)));
    } catch (IOException | IllegalArgumentException e) {
      throw new JobConfig.ConfigException(
          "key 'train.checkpoint_dir': cannot open "
              + uri
              + " ("
              + e.getMessage()
              + "); expected a local path or a Hadoop file system URI");
    }
  }

  /** Hadoop's configuration with the spark.hadoop.* settings of spark-submit applied. */
  static Configuration hadoopConf() {
    Configuration conf = new Configuration();
    for (Tuple2<String, String> kv : new SparkConf().getAllWithPrefix("spark.hadoop.")) {
      conf.set(kv._1(), kv._2());
    }
    return conf;
  }

  String location() {
    return dir.toString();
  }

  /** Writes c as the checkpoint of its global step, then drops all but the newest KEPT. */
  public String save(Checkpoint c) throws IOException {
    Path file = new Path(dir, String.format("step-%09d.ckpt", c.state().globalStep()));
    Path tmp = new Path(dir, "." + file.getName() + ".tmp");
    fs.mkdirs(dir);
    try (OutputStream out = fs.create(tmp, true)) {
      c.write(out);
    }
    if (fs.exists(file)) {
      fs.delete(file, false); // a damaged or older copy of the same step
    }
    if (!fs.rename(tmp, file)) {
      throw new IOException("cannot rename " + tmp + " to " + file);
    }
    List<Path> all = list();
    for (Path old : all.subList(Math.min(KEPT, all.size()), all.size())) {
      fs.delete(old, false);
    }
    return file.toString();
  }

  /** The checkpoint files, newest (highest step) first. */
  public List<Path> list() throws IOException {
    if (!fs.exists(dir)) {
      return List.of();
    }
    List<Path> files = new ArrayList<>();
    for (FileStatus s : fs.listStatus(dir)) {
      if (s.isFile() && NAME.matcher(s.getPath().getName()).matches()) {
        files.add(s.getPath());
      }
    }
    files.sort(Comparator.comparingLong(Checkpoints::step).reversed());
    return files;
  }

  private static long step(Path p) {
    Matcher m = NAME.matcher(p.getName());
    m.matches();
    return Long.parseLong(m.group(1));
  }

  /**
   * The newest checkpoint that reads back whole; each damaged one passed over is reported to warn.
   * Throws a ConfigException when there is none, naming the folder and each damage.
   */
  Loaded latestValid(Consumer<String> warn) {
    List<String> damaged = new ArrayList<>();
    List<Path> files;
    try {
      files = list();
    } catch (IOException e) {
      throw new JobConfig.ConfigException(
          "cannot list checkpoints in " + dir + ": " + e.getMessage());
    }
    for (Path f : files) {
      try (InputStream in = fs.open(f)) {
        Checkpoint c = Checkpoint.read(in, f.toString());
        if (c.state().globalStep() != step(f)) {
          throw new IOException(
              f + ": holds global step " + c.state().globalStep() + ", its name says " + step(f));
        }
        return new Loaded(c, f.toString());
      } catch (IOException e) {
        damaged.add(e.getMessage());
        warn.accept(
            "checkpoint "
                + f
                + " is unusable ("
                + e.getMessage()
                + ")"
                + (files.indexOf(f) + 1 < files.size()
                    ? "; falling back to the previous one"
                    : ""));
      }
    }
    throw new JobConfig.ConfigException(
        damaged.isEmpty()
            ? "no checkpoint in "
                + dir
                + " (expected step-NNNNNNNNN.ckpt files, written at each"
                + " epoch end and every train.checkpoint_every_steps steps)"
            : "no usable checkpoint in " + dir + ":\n  " + String.join("\n  ", damaged));
  }
}

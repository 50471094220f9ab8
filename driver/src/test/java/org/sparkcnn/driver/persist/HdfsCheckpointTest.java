/*
 * Checkpoints on HDFS (train.checkpoint_dir=hdfs://...), against an in-process MiniDFSCluster: a
 * run stopped after epoch 1 and resumed from its HDFS checkpoints ends with the same model.scnn,
 * bit for bit, as a run that never stopped; and a damaged newest checkpoint on HDFS (a flipped
 * byte, a cut-off tail) is passed over for the previous one with a warning that names the file,
 * and the mid-epoch resume from it still ends bit for bit on the uninterrupted run's model.
 */
package org.sparkcnn.driver.persist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.driver.MainTest;
import org.sparkcnn.driver.config.JobConfig;

class HdfsCheckpointTest {
  @TempDir static Path shared;
  @TempDir Path dir;

  private static MiniDFSCluster cluster;
  private static FileSystem hdfs;
  private static String root;

  /** 2 epochs of 8 steps on 3 partitions, checkpoints on the local disk: the reference run. */
  private static byte[] straightModel;

  @BeforeAll
  static void startHdfsAndTrainTheReferenceRun() throws Exception {
    Configuration conf = new Configuration();
    conf.set("dfs.replication", "1");
    cluster =
        new MiniDFSCluster.Builder(conf, shared.resolve("hdfs").toFile())
            .numDataNodes(1)
            .format(true)
            .build();
    cluster.waitActive();
    hdfs = cluster.getFileSystem();
    root = "hdfs://localhost:" + cluster.getNameNodePort();
    // what Checkpoints.hadoopConf() picks up from spark.hadoop.*: one replica on one datanode
    System.setProperty("spark.hadoop.dfs.replication", "1");

    Files.writeString(
        shared.resolve("bn.yaml"),
        String.join(
            "\n",
            "layers:",
            "  - conv2d: {out: 4, kernel: 3, stride: 2}",
            "  - batch_norm2d",
            "  - relu",
            "  - flatten",
            "  - linear: {out: $classes}",
            ""));
    Path straight = ResumeTest.train(shared.resolve("straight"), keys(2, ""));
    straightModel = Files.readAllBytes(straight.resolve(RunFolder.MODEL));
  }

  @AfterAll
  static void stopHdfs() throws IOException {
    System.clearProperty("spark.hadoop.dfs.replication");
    if (hdfs != null) {
      hdfs.close();
    }
    if (cluster != null) {
      cluster.shutdown(true);
    }
  }

  /** The configs of ResumeTest: 192 images in batches of 24, a checkpoint every 3 steps. */
  private static Map<String, Object> keys(int epochs, String checkpointDir) {
    return Map.of(
        "data.train_size",
        192,
        "data.test_size",
        48,
        "train.batch_size",
        24,
        "train.partitions",
        3,
        "train.epochs",
        epochs,
        "optim.lr",
        0.05,
        "train.checkpoint_every_steps",
        3,
        "train.checkpoint_dir",
        checkpointDir,
        "model.file",
        shared.resolve("bn.yaml").toString());
  }

  private static List<String> names(String hdfsDir) throws IOException {
    List<String> names = new ArrayList<>();
    for (FileStatus s : hdfs.listStatus(new org.apache.hadoop.fs.Path(hdfsDir))) {
      names.add(s.getPath().getName());
    }
    return names.stream().sorted().toList();
  }

  private static byte[] read(String file) throws IOException {
    try (InputStream in = hdfs.open(new org.apache.hadoop.fs.Path(file))) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      in.transferTo(b);
      return b.toByteArray();
    }
  }

  private static void write(String file, byte[] bytes) throws IOException {
    try (OutputStream out = hdfs.create(new org.apache.hadoop.fs.Path(file), true)) {
      out.write(bytes);
    }
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  @Test
  void stoppingAfterEpochOneAndResumingFromHdfsMatchesAnUninterruptedRun() throws Exception {
    String ckpts = root + "/ckpt/resume";
    Path one = ResumeTest.train(dir.resolve("one"), keys(1, ckpts));
    assertFalse(Files.exists(one.resolve(Checkpoints.DEFAULT_DIR)), "nothing on the local disk");
    assertEquals(List.of("step-000000006.ckpt", "step-000000008.ckpt"), names(ckpts));

    MainTest.Outcome o =
        MainTest.cli(
            "train", "--resume", one.toString(), "--set", "train.epochs=2", "--master", "local[4]");
    assertEquals(0, o.status(), o.err());
    assertTrue(o.out().contains("from checkpoint " + ckpts + "/step-000000008.ckpt"), o.out());
    assertEquals(List.of("step-000000015.ckpt", "step-000000016.ckpt"), names(ckpts));
    byte[] resumed = Files.readAllBytes(one.resolve(RunFolder.MODEL));
    assertEquals(sha256(straightModel), sha256(resumed));
    assertArrayEquals(straightModel, resumed);
  }

  @Test
  void aDamagedNewestCheckpointOnHdfsFallsBackToThePreviousOne() throws Exception {
    String ckpts = root + "/ckpt/damaged";
    Path run = ResumeTest.train(dir.resolve("damaged"), keys(1, ckpts));
    String newest = ckpts + "/step-000000008.ckpt";
    assertEquals(List.of("step-000000006.ckpt", "step-000000008.ckpt"), names(ckpts));
    byte[] bytes = read(newest);

    byte[] flipped = bytes.clone();
    flipped[flipped.length / 2] ^= 0x10;
    write(newest, flipped);
    JobConfig c = JobConfig.resolve(keys(1, ckpts), "test");
    List<String> warnings = new ArrayList<>();
    Checkpoints.Loaded l = Checkpoints.of(c, run).latestValid(warnings::add);
    assertEquals(6, l.checkpoint().state().globalStep());
    assertEquals(ckpts + "/step-000000006.ckpt", l.file());
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(
        warnings.get(0).contains(newest)
            && warnings.get(0).contains("checksum")
            && warnings.get(0).contains("falling back"),
        warnings.get(0));

    write(newest, Arrays.copyOf(bytes, bytes.length - 100)); // cut short
    Files.delete(run.resolve(RunFolder.MODEL));
    MainTest.Outcome o =
        MainTest.cli(
            "train", "--resume", run.toString(), "--set", "train.epochs=2", "--master", "local[4]");
    assertEquals(0, o.status(), o.err());
    assertTrue(
        o.err().contains("warning: checkpoint " + newest + " is unusable")
            && o.err().contains("falling back"),
        o.err());
    assertTrue(o.out().contains("resuming at epoch 1 step 7/8 (global step 7)"), o.out());
    byte[] resumed = Files.readAllBytes(run.resolve(RunFolder.MODEL));
    assertEquals(sha256(straightModel), sha256(resumed));
    assertArrayEquals(straightModel, resumed);
  }
}

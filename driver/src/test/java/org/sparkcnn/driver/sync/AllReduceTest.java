/*
 * The executor-side sum (train.aggregation: allreduce) without Spark: tasks on threads, joined
 * over Spark's transport with authentication and encryption on, or handed their pieces in memory,
 * sum vectors whose additions are order-sensitive: every owner gets exactly OrderedReduce's sum
 * of its shard, also past the partition count where the driver groups partitions, and also when
 * parts of the gradient leave early, during a backward pass; every task gathers every shard, one
 * task's verdict that its shard is not finite reaches all, and partition 0 gathers the momentum. A connection with a
 * wrong secret, or with none, is refused.
 */
package org.sparkcnn.driver.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.SecurityManager;
import org.apache.spark.SparkConf;
import org.apache.spark.network.client.TransportClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparkcnn.engine.Rng;
import scala.Option;

class AllReduceTest {
  private static final SparkConf SECURE =
      new SparkConf()
          .set("spark.app.id", "allreduce-test")
          .set("spark.authenticate", "true")
          .set("spark.authenticate.secret", "the-right-secret")
          .set("spark.network.crypto.enabled", "true");

  private static SecurityManager security(SparkConf conf) {
    return new SecurityManager(conf, Option.empty(), SecurityManager.$lessinit$greater$default$3());
  }

  /** Partition p's result of step s: values of mixed magnitude, so that order shows. */
  private static StepResult result(int p, int s, int grads, int buffers) {
    Rng rng = Rng.of(p, s);
    float[] g = new float[grads];
    for (int i = 0; i < grads; i++) {
      g[i] = rng.uniform(-1, 1) * (i % 3 == 0 ? 1e7f : 1f);
    }
    float[] b = new float[buffers];
    for (int i = 0; i < buffers; i++) {
      b[i] = rng.uniform(0, 1) + p;
    }
    return new StepResult(g, 0.1 * p + s, p, 10 + p, 1000L * p, buffers == 0 ? null : b, 1);
  }

  /** Element i of the partition-order sum of the gradients of step s over `partitions`. */
  private static float expectedSum(int partitions, int s, int i) {
    StepResult[] rs = new StepResult[partitions];
    for (int p = 0; p < partitions; p++) {
      rs[p] = result(p, s, i + 1, 0);
    }
    return OrderedReduce.inOrder(rs).gradSum[i];
  }

  @ParameterizedTest
  @CsvSource({
    "3, true, 300000, 7, false",
    "3, true, 900000, 7, true",
    "7, true, 20001, 0, false",
    "7, false, 600000, 5, false",
    "2, false, 700000, 0, true",
    "2, false, 5, 0, false",
    "1, false, 10, 3, true"
  })
  void everyTaskGetsThePartitionOrderSum(
      int partitions, boolean network, int grads, int buffers, boolean early) throws Exception {
    String exchange = "test-" + System.nanoTime();
    AllReduce.Chunk[] chunks = AllReduce.chunks(partitions, grads, buffers);
    List<Inbox> inboxes = new ArrayList<>();
    List<TaskMesh.Network> nets = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      inboxes.add(new Inbox(partitions, chunks.length, null));
      if (network) {
        nets.add(new TaskMesh.Network(SECURE, security(SECURE), inboxes.get(p), "127.0.0.1"));
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(partitions);
    java.util.concurrent.CyclicBarrier finished =
        new java.util.concurrent.CyclicBarrier(partitions);
    try {
      List<TaskMesh> meshes = new ArrayList<>(); // every task joined before any starts
      for (int p = 0; p < partitions; p++) {
        TransportClient[] remote = new TransportClient[partitions];
        for (int q = 0; network && q < partitions; q++) {
          remote[q] =
              q == p ? null : nets.get(p).connect("127.0.0.1", nets.get(q).server.getPort());
        }
        meshes.add(
            network
                ? new TaskMesh(exchange, p, inboxes.get(p), null, remote)
                : TaskMesh.inMemory(exchange, p, inboxes.get(p)));
      }
      List<Future<List<StepResult>>> sums = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        TaskMesh mesh = meshes.get(p);
        int me = p;
        sums.add(
            pool.submit(
                () -> {
                  List<StepResult> out = new ArrayList<>();
                  try (AllReduce all =
                      new AllReduce(partitions, me, chunks, mesh, grads, buffers)) {
                    for (int s = 0; s < 3; s++) {
                      StepResult mine = result(me, s, grads, buffers);
                      all.begin(s);
                      if (early) { // a backward pass reporting its progress, from the last layer
                        for (int from = grads * 3 / 4; from >= 0; from -= grads / 3) {
                          all.ready(mine.gradSum, from);
                        }
                      }
                      StepResult r = all.reduceScatter(s, mine);
                      // the owners publish their summed shards as if they were the updated weights
                      float[] params = new float[grads];
                      float[] mean = buffers == 0 ? null : new float[buffers];
                      float[] bufs = buffers == 0 ? null : new float[buffers];
                      for (AllReduce.Chunk c : chunks) {
                        if (c.owner() == me) {
                          System.arraycopy(
                              c.buffers() ? r.bufferSum : r.gradSum,
                              c.offset(),
                              c.buffers() ? mean : params,
                              c.offset(),
                              c.length());
                        }
                      }
                      boolean finite = all.allFinite(s, !(s == 1 && me == partitions - 1));
                      if (finite) {
                        all.sendShard(s, params, mean, bufs);
                      }
                      float[] momentum = new float[grads];
                      java.util.Arrays.fill(momentum, me + 1);
                      all.gatherTo0(s, momentum);
                      all.done(s); // the weights still arriving are kept
                      if (finite) { // as a forward pass takes them: a part first, then the rest
                        all.gatherBuffers();
                        all.gathered(grads / 3);
                        for (AllReduce.Chunk c : chunks) {
                          if (!c.buffers() && c.offset() + c.length() <= grads / 3) {
                            assertEquals(
                                expectedSum(partitions, s, c.offset()),
                                params[c.offset()],
                                "weights below the first third, of " + c);
                          }
                        }
                        all.finishGather();
                      }
                      out.add(
                          finite
                              ? new StepResult(
                                  params,
                                  r.lossSum,
                                  r.correct,
                                  r.count,
                                  r.computeNanos,
                                  bufs,
                                  r.partitions)
                              : null);
                      if (me == 0) {
                        for (AllReduce.Chunk c : chunks) {
                          if (!c.buffers()) {
                            assertEquals(c.owner() + 1, momentum[c.offset()], "momentum of " + c);
                          }
                        }
                      }
                    }
                    // as the stage's tasks do: nobody closes its connections before every task
                    // has received what it needs
                    finished.await();
                  }
                  return out;
                }));
      }
      for (int s = 0; s < 3; s++) {
        if (s == 1) { // the last partition found its shard not finite: nobody gathers
          for (Future<List<StepResult>> f : sums) {
            assertEquals(null, f.get().get(s));
          }
          continue;
        }
        StepResult[] rs = new StepResult[partitions];
        for (int p = 0; p < partitions; p++) {
          rs[p] = result(p, s, grads, buffers);
        }
        StepResult expected = OrderedReduce.inOrder(rs);
        for (Future<List<StepResult>> f : sums) {
          StepResult got = f.get().get(s);
          assertArrayEquals(expected.gradSum, got.gradSum, "step " + s);
          assertArrayEquals(expected.bufferSum, got.bufferSum);
          assertEquals(expected.lossSum, got.lossSum);
          assertEquals(expected.count, got.count);
          assertEquals(expected.correct, got.correct);
          assertEquals(expected.partitions, got.partitions);
          assertEquals(1000L * (partitions - 1), got.computeNanos);
        }
      }
    } finally {
      pool.shutdownNow();
      nets.forEach(TaskMesh.Network::close);
    }
  }

  @Test
  void theChunksCoverTheVectorOnceAndStopWhereTheBuffersBegin() {
    AllReduce.Chunk[] chunks = AllReduce.chunks(3, 700000, 11);
    long grads = 0;
    long buffers = 0;
    for (AllReduce.Chunk c : chunks) {
      assertTrue(c.length() > 0 && c.length() <= AllReduce.CHUNK, c.toString());
      if (c.buffers()) {
        buffers += c.length();
      } else {
        grads += c.length();
        assertTrue(c.offset() + c.length() <= 700000);
      }
    }
    assertEquals(700000, grads);
    assertEquals(11, buffers);
    assertEquals(2, chunks[chunks.length - 1].owner());
  }

  @Test
  void theChunksAreDealtOutInTurnSoEveryOwnerHoldsAShareOfEveryRegion() {
    AllReduce.Chunk[] chunks = AllReduce.chunks(3, 1_000_000, 0);
    long[] held = new long[3];
    int at = 0;
    for (int k = 0; k < chunks.length; k++) {
      assertEquals(k % 3, chunks[k].owner(), "chunk " + k);
      assertEquals(at, chunks[k].offset(), "chunks in the order of the vector");
      at += chunks[k].length();
      held[chunks[k].owner()] += chunks[k].length();
    }
    assertEquals(6, chunks.length); // two rounds: 1,000,000 floats > 3 x CHUNK
    assertTrue(held[0] - held[2] <= 2 && held[0] >= held[2], java.util.Arrays.toString(held));
    assertEquals(5, AllReduce.chunks(7, 5, 0).length, "five floats: five owners of one each");

    // the trainable ranges of one owner: its chunks' parts of them, ascending, runs merged
    TaskMesh mesh = TaskMesh.inMemory("own-" + System.nanoTime(), 1, new Inbox(3, 6, null));
    try (AllReduce one = new AllReduce(3, 1, chunks, mesh, 1_000_000, 0)) {
      int c1 = chunks[1].offset();
      int c4 = chunks[4].offset();
      assertArrayEquals(
          new int[] {c1, c1 + chunks[1].length(), c4, c4 + 10}, one.own(new int[] {0, c4 + 10}));
    }
    try (AllReduce all =
        new AllReduce(
            1,
            0,
            AllReduce.chunks(1, 1_000_000, 0),
            TaskMesh.inMemory("own-" + System.nanoTime(), 0, new Inbox(1, 4, null)),
            1_000_000,
            0)) {
      assertArrayEquals(new int[] {5, 900_000}, all.own(new int[] {5, 900_000}));
    }
  }

  @Test
  void aConnectionWithoutTheApplicationsSecretIsRefused() throws Exception {
    Inbox inbox = new Inbox(2, 1, null);
    SparkConf wrong = SECURE.clone().set("spark.authenticate.secret", "a-wrong-secret");
    SparkConf none = new SparkConf().set("spark.app.id", "allreduce-test");
    try (TaskMesh.Network server =
            new TaskMesh.Network(SECURE, security(SECURE), inbox, "127.0.0.1");
        TaskMesh.Network friend =
            new TaskMesh.Network(SECURE, security(SECURE), new Inbox(2, 1, null), "127.0.0.1");
        TaskMesh.Network stranger =
            new TaskMesh.Network(wrong, security(wrong), new Inbox(2, 1, null), "127.0.0.1");
        TaskMesh.Network open =
            new TaskMesh.Network(none, security(none), new Inbox(2, 1, null), "127.0.0.1")) {
      int port = server.server.getPort();
      Piece piece = Piece.floats(Piece.WEIGHTS, 4, 1, 0, new float[] {1, 2, 3}, 1, 2);
      assertThrows(Exception.class, () -> stranger.connect("127.0.0.1", port));
      TransportClient unauthenticated = open.connect("127.0.0.1", port);
      assertThrows(Exception.class, () -> unauthenticated.sendRpcSync(piece.encode(), 5000));
      unauthenticated.close();
      TransportClient c = friend.connect("127.0.0.1", port);
      c.sendRpcSync(piece.encode(), 5000);
      c.close();
      Piece got = inbox.weights(4, 0);
      assertArrayEquals(
          new float[] {2, 3},
          java.util.Arrays.copyOfRange(got.data(), got.offset(), got.offset() + got.length()));
    }
  }

  @Test
  void piecesSurviveTheWireAndMalformedOnesAreRefused() {
    Piece stats = Piece.stats(3, 2, new StepResult(null, 1.5, 7, 9, 11, null, 1));
    Piece back = Piece.decode(stats.encode());
    assertEquals(Piece.STATS, back.kind());
    assertEquals(1.5, back.stats().lossSum());
    assertEquals(9, back.stats().count());
    java.nio.ByteBuffer cut = Piece.floats(Piece.PART, 1, 0, 0, new float[] {1, 2}, 0, 2).encode();
    cut.limit(cut.limit() - 4);
    assertThrows(IllegalArgumentException.class, () -> Piece.decode(cut));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            Piece.decode(
                java.nio.ByteBuffer.wrap(new byte[] {9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})));
  }
}

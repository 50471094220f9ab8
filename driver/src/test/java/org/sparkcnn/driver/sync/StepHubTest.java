/*
 * The driver's step endpoint: it answers a step only when every partition sent its result, adds
 * them in partition order whatever order they came in, refuses a result of a stage attempt that a
 * newer one replaced, and a joining task of a new attempt gets the weights of the step to compute.
 * Over Spark's RPC with spark.authenticate on, a client without the application's secret cannot
 * even reach it; one with the secret gets its answer.
 */
package org.sparkcnn.driver.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.spark.SecurityManager;
import org.apache.spark.SparkConf;
import org.apache.spark.rpc.RpcAddress;
import org.apache.spark.rpc.RpcCallContext;
import org.apache.spark.rpc.RpcEndpointRef;
import org.apache.spark.rpc.RpcEnv;
import org.junit.jupiter.api.Test;
import scala.Option;
import scala.concurrent.Await;
import scala.concurrent.duration.Duration;
import scala.reflect.ClassTag$;

class StepHubTest {
  /** A caller's side of one message: what the hub answered. */
  static final class Call implements RpcCallContext {
    Object reply;
    Throwable failure;

    @Override
    public void reply(Object response) {
      reply = response;
    }

    @Override
    public void sendFailure(Throwable e) {
      failure = e;
    }

    @Override
    public RpcAddress senderAddress() {
      return null;
    }
  }

  private static Call send(StepHub hub, Object message) {
    Call c = new Call();
    hub.receiveAndReply(c).apply(message);
    return c;
  }

  private static StepResult result(float g) {
    return new StepResult(new float[] {g, 1f}, g, 1, 1, 0);
  }

  @Test
  void aStepIsAnsweredOnceAllPartitionsSentAndAddedInPartitionOrder() throws Exception {
    StepHub hub = new StepHub(null, 3, new StepHub.Weights(4, new float[] {1, 2}, null));
    assertEquals(4, ((StepHub.Weights) send(hub, new StepHub.Join(0, 1)).reply).step());
    List<Call> calls = new ArrayList<>();
    for (int p : new int[] {2, 0, 1}) { // arrival order differs from partition order
      calls.add(send(hub, new StepHub.Sum(p, 1, 4, result(p == 0 ? 1e8f : p == 1 ? 1f : -1e8f))));
      assertNull(calls.get(calls.size() - 1).reply);
    }
    StepResult sum = hub.await(CompletableFuture.completedFuture(null)).total();
    // (1e8 + 1) - 1e8 in float is 0: the partition order, not the arrival order (which gives 1)
    assertEquals(0f, sum.gradSum()[0]);
    assertEquals(3, sum.count());
    StepHub.Weights next = new StepHub.Weights(5, new float[] {3, 4}, null);
    hub.publish(next);
    calls.forEach(c -> assertEquals(next, c.reply));
  }

  @Test
  void aNewerStageAttemptReplacesTheOlderOnesResults() throws Exception {
    StepHub hub = new StepHub(null, 2, new StepHub.Weights(0, new float[] {1}, null));
    Call old = send(hub, new StepHub.Sum(0, 1, 0, result(1)));
    assertEquals(0, ((StepHub.Weights) send(hub, new StepHub.Join(0, 2)).reply).step());
    assertNotNull(old.failure, "the older attempt's waiting task is told to stop");
    Call late = send(hub, new StepHub.Sum(1, 1, 0, result(2)));
    assertTrue(
        late.failure.getMessage().contains("stage attempt 1 is over"), late.failure.getMessage());
    Call wrongStep = send(hub, new StepHub.Sum(1, 2, 3, result(2)));
    assertTrue(
        wrongStep.failure.getMessage().contains("expects step 0"), wrongStep.failure.getMessage());
    send(hub, new StepHub.Sum(0, 2, 0, result(1)));
    send(hub, new StepHub.Sum(1, 2, 0, result(2)));
    assertEquals(3f, hub.await(CompletableFuture.completedFuture(null)).total().gradSum()[0]);
  }

  @Test
  void messagesBetweenJvmsRoundTripThroughTheirBytes() {
    StepResult r =
        new StepResult(
            new float[] {1.5f, -2f, Float.MIN_VALUE}, 3.25, 7, 9, 11, new float[] {0.5f}, 2);
    StepHub.Sum sum =
        (StepHub.Sum) HubCodec.decode(HubCodec.encode(new StepHub.Sum(3, 1L << 40, 17, r)));
    assertEquals(3, sum.partition());
    assertEquals(1L << 40, sum.attempt());
    assertEquals(17, sum.step());
    assertArrayEquals(r.gradSum(), sum.result().gradSum());
    assertArrayEquals(new float[] {0.5f}, sum.result().bufferSum);
    assertEquals(3.25, sum.result().lossSum());
    assertEquals(7, sum.result().correct());
    assertEquals(9, sum.result().count());
    assertEquals(11, sum.result().computeNanos());
    assertEquals(new StepHub.Join(2, 5), HubCodec.decode(HubCodec.encode(new StepHub.Join(2, 5))));
    StepHub.Weights w =
        (StepHub.Weights)
            HubCodec.decode(HubCodec.encode(new StepHub.Weights(4, new float[] {9f}, null)));
    assertEquals(4, w.step());
    assertArrayEquals(new float[] {9f}, w.params());
    assertNull(w.buffers());
    assertEquals(
        -1, ((StepHub.Weights) HubCodec.decode(HubCodec.encode(StepHub.Weights.stop()))).step());
    byte[] cut = HubCodec.encode(new StepHub.Weights(4, new float[] {9f, 8f}, null));
    cut[13] = 100; // announces 100 floats (after the tag, the step and the optimiser steps)
    assertThrows(IllegalArgumentException.class, () -> HubCodec.decode(cut));
    assertThrows(IllegalArgumentException.class, () -> HubCodec.decode(new byte[] {9}));
    StepHub.Report report =
        (StepHub.Report)
            HubCodec.decode(
                HubCodec.encode(
                    new StepHub.Report(
                        6,
                        8,
                        r,
                        false,
                        new StepHub.Weights(9, new float[] {1}, null, new float[] {2}, 5))));
    assertEquals(8, report.step());
    assertEquals(false, report.finite());
    assertEquals(3.25, report.total().lossSum());
    assertEquals(2, report.total().partitions);
    assertArrayEquals(new float[] {2}, report.state().momentum());
    assertEquals(5, report.state().optimizerSteps());
    assertNull(
        ((StepHub.Report) HubCodec.decode(HubCodec.encode(new StepHub.Report(6, 8, r, true, null))))
            .state());
  }

  @Test
  void theEndpointAnswersOnlyClientsWithTheApplicationsSecret() throws Exception {
    SparkConf conf =
        new SparkConf()
            .set("spark.authenticate", "true")
            .set("spark.authenticate.secret", "the-right-secret")
            .set("spark.network.crypto.enabled", "true");
    RpcEnv server =
        RpcEnv.create(
            "hub-auth-server", "127.0.0.1", "127.0.0.1", 0, conf, security(conf), 1, false);
    try {
      server.setupEndpoint(
          "sparkcnn-steps-auth",
          new StepHub(server, 1, new StepHub.Weights(7, new float[] {1}, null)));
      SparkConf wrong = conf.clone().set("spark.authenticate.secret", "a-wrong-secret");
      RpcEnv stranger = client(wrong);
      try {
        assertThrows(
            Exception.class,
            () -> stranger.setupEndpointRef(server.address(), "sparkcnn-steps-auth"));
      } finally {
        stranger.shutdown();
      }
      RpcEnv friend = client(conf);
      try {
        RpcEndpointRef ref = friend.setupEndpointRef(server.address(), "sparkcnn-steps-auth");
        StepHub.Weights w =
            Await.result(
                ref.ask(
                    new StepHub.Join(0, 1),
                    friend.defaultLookupTimeout(),
                    ClassTag$.MODULE$.apply(StepHub.Weights.class)),
                Duration.Inf());
        assertEquals(7, w.step());
        assertArrayEquals(new float[] {1}, w.params());
      } finally {
        friend.shutdown();
      }
    } finally {
      server.shutdown();
    }
  }

  private static RpcEnv client(SparkConf conf) {
    SparkConf c =
        conf.clone().set("spark.rpc.askTimeout", "5s").set("spark.rpc.lookupTimeout", "5s");
    return RpcEnv.create("hub-auth-client", "127.0.0.1", "127.0.0.1", 0, c, security(c), 1, true);
  }

  private static SecurityManager security(SparkConf conf) {
    return new SecurityManager(conf, Option.empty(), SecurityManager.$lessinit$greater$default$3());
  }
}

/*
 * The channel between the long-lived tasks of one barrier stage (train.aggregation: allreduce):
 * each task has an Inbox, and send() puts a Piece into another task's inbox. A task in the same
 * JVM (every task in local mode) gets the piece itself, with its floats as a view of the sender's
 * array, nothing copied or serialised. A task elsewhere gets it through Spark's own transport
 * layer (org.apache.spark.network, what the block manager uses): every task of a cluster opens a
 * TransportServer on its executor's host, the tasks learn each other's addresses through the
 * barrier context (allGather), and with spark.authenticate a connection must prove the
 * application's secret (AuthServerBootstrap) and is then encrypted when
 * spark.network.crypto.enabled is on; Spark's SSL settings for RPC apply too.
 */
package org.sparkcnn.driver.sync;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SecurityManager;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.network.TransportContext;
import org.apache.spark.network.client.RpcResponseCallback;
import org.apache.spark.network.client.TransportClient;
import org.apache.spark.network.client.TransportClientBootstrap;
import org.apache.spark.network.client.TransportClientFactory;
import org.apache.spark.network.crypto.AuthClientBootstrap;
import org.apache.spark.network.crypto.AuthServerBootstrap;
import org.apache.spark.network.netty.SparkTransportConf;
import org.apache.spark.network.server.OneForOneStreamManager;
import org.apache.spark.network.server.RpcHandler;
import org.apache.spark.network.server.StreamManager;
import org.apache.spark.network.server.TransportServer;
import org.apache.spark.network.server.TransportServerBootstrap;
import org.apache.spark.network.util.TransportConf;
import scala.Option;

final class TaskMesh implements AutoCloseable {
  /** The inboxes of the tasks running in this JVM, by exchange and partition. */
  private static final Map<String, Inbox> HERE = new ConcurrentHashMap<>();

  private final String exchange;
  private final int me;
  private final Inbox inbox;
  private final Network network; // null when every task runs in this JVM
  private final TransportClient[] remote; // [partition], null for a task in this JVM
  private long sentBytes; // over the network, by this task

  /**
   * The task of partition me in exchange, with its inbox, its network (or null) and a client for
   * each task elsewhere (null for one in this JVM, whose inbox is registered in HERE).
   */
  TaskMesh(String exchange, int me, Inbox inbox, Network network, TransportClient[] remote) {
    this.exchange = exchange;
    this.me = me;
    this.inbox = inbox;
    this.network = network;
    this.remote = remote;
  }

  /**
   * Joins the mesh of exchange (a stage attempt) as the task of task.partitionId(), once every task
   * of the stage has its inbox ready (the allGather is the stage's rendezvous). With sameJvm every
   * task runs in this JVM (local mode) and no port is opened.
   */
  static TaskMesh join(BarrierTaskContext task, String exchange, Inbox inbox, boolean sameJvm) {
    int me = task.partitionId();
    HERE.put(key(exchange, me), inbox);
    Network network = null;
    try {
      String here = "";
      if (!sameJvm) {
        SparkEnv env = SparkEnv.get();
        network =
            new Network(
                env.conf(),
                env.securityManager(),
                inbox,
                env.blockManager().blockManagerId().host());
        here = env.executorId() + " " + network.host + " " + network.server.getPort();
      }
      String[] all = task.allGather(here);
      TransportClient[] remote = new TransportClient[all.length];
      for (int p = 0; network != null && p < all.length; p++) {
        String[] a = all[p].split(" ");
        if (!a[0].equals(SparkEnv.get().executorId())) {
          remote[p] = network.connect(a[1], Integer.parseInt(a[2]));
        }
      }
      return new TaskMesh(exchange, me, inbox, network, remote);
    } catch (IOException | RuntimeException e) {
      HERE.remove(key(exchange, me));
      if (network != null) {
        network.close();
      }
      throw e instanceof RuntimeException r
          ? r
          : new IllegalStateException("could not reach the other tasks of the stage: " + e, e);
    }
  }

  /** The task of partition me when every task of exchange runs in this JVM. */
  static TaskMesh inMemory(String exchange, int me, Inbox inbox) {
    HERE.put(key(exchange, me), inbox);
    return new TaskMesh(exchange, me, inbox, null, new TransportClient[0]);
  }

  private static String key(String exchange, int partition) {
    return exchange + "/" + partition;
  }

  /** Hands piece to partition `to`'s task (to != this task's partition). */
  void send(int to, Piece piece) {
    if (to < remote.length && remote[to] != null) {
      ByteBuffer bytes = piece.encode();
      sentBytes += bytes.remaining();
      remote[to].send(bytes);
      return;
    }
    Inbox there = HERE.get(key(exchange, to));
    if (there == null) {
      throw new IllegalStateException("the task of partition " + to + " has left the stage");
    }
    there.put(piece);
  }

  Inbox inbox() {
    return inbox;
  }

  /** The bytes this task has sent to tasks in other JVMs (their messages' payloads). */
  long sentBytes() {
    return sentBytes;
  }

  @Override
  public void close() {
    HERE.remove(key(exchange, me));
    for (TransportClient c : remote) {
      if (c != null) {
        c.close();
      }
    }
    if (network != null) {
      network.close();
    }
  }

  /**
   * A task's server and client factory on Spark's transport, with Spark's authentication and
   * encryption as the application configures them.
   */
  static final class Network implements AutoCloseable {
    final String host;
    final TransportServer server;
    private final TransportContext context;
    private final TransportClientFactory clients;

    Network(SparkConf conf, SecurityManager security, Inbox inbox, String host) {
      TransportConf tc =
          SparkTransportConf.fromSparkConf(
              conf, "sparkcnn", 1, Option.empty(), Option.apply(security.getRpcSSLOptions()));
      boolean auth = security.isAuthenticationEnabled();
      List<TransportServerBootstrap> serverAuth =
          auth ? List.of(new AuthServerBootstrap(tc, security)) : List.of();
      List<TransportClientBootstrap> clientAuth =
          auth ? List.of(new AuthClientBootstrap(tc, conf.getAppId(), security)) : List.of();
      this.host = host;
      this.context = new TransportContext(tc, new Delivery(inbox), true);
      this.server = context.createServer(host, 0, serverAuth);
      this.clients = context.createClientFactory(clientAuth);
    }

    TransportClient connect(String host, int port) throws IOException {
      try {
        return clients.createUnmanagedClient(host, port);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while connecting to " + host + ":" + port, e);
      }
    }

    @Override
    public void close() {
      clients.close();
      server.close();
      context.close();
    }
  }

  /** Puts what arrives over the network into the task's inbox. */
  private static final class Delivery extends RpcHandler {
    private final Inbox inbox;
    private final StreamManager streams = new OneForOneStreamManager();

    Delivery(Inbox inbox) {
      this.inbox = inbox;
    }

    @Override
    public void receive(TransportClient client, ByteBuffer message, RpcResponseCallback callback) {
      inbox.put(Piece.decode(message));
      callback.onSuccess(ByteBuffer.allocate(0));
    }

    @Override
    public void receive(TransportClient client, ByteBuffer message) { // what send() sends
      inbox.put(Piece.decode(message));
    }

    @Override
    public StreamManager getStreamManager() {
      return streams;
    }
  }
}

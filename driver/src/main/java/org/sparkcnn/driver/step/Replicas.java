/*
 * Model replicas kept on an executor between steps (DESIGN.md: a step pays only for fetching the
 * weights). A task borrows a Worker (model, step scratch, batch buffers) for its run's
 * architecture and gives it back; concurrent tasks get distinct workers. Replicas of older runs in
 * the same JVM are dropped when a new run appears. A replica computes as the job's engine options
 * (engine.*, with the threads resolved by the Trainer) say, which reach the tasks as a Spark local
 * property; replicas are kept per run and options.
 */
package org.sparkcnn.driver.step;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.sparkcnn.data.Block;
import org.sparkcnn.data.batch.Batch;
import org.sparkcnn.driver.report.MemoryProbe;
import org.sparkcnn.engine.Architecture;
import org.sparkcnn.engine.EngineOptions;
import org.sparkcnn.engine.LocalStep;
import org.sparkcnn.engine.Model;

public final class Replicas {
  private static final int RUNS_KEPT = 2;
  private static final Map<String, Deque<Worker>> POOL = new LinkedHashMap<>(4, 0.75f, true);

  private Replicas() {}

  /** A model replica with its scratch: everything a task needs besides the data and weights. */
  static final class Worker {
    final String poolKey; // the run and the encoded options it is kept under
    final Model model;
    final LocalStep step = new LocalStep();
    Batch batch = new Batch(); // the minibatch being computed, with its assembly buffers
    private final Map<Integer, int[]> orders = new java.util.HashMap<>(); // partition -> order
    private int ordersEpoch = -1;

    Worker(String poolKey, Architecture arch, EngineOptions options) {
      this.poolKey = poolKey;
      model = Model.empty(arch, options);
    }

    /** The block's visiting order this epoch, drawn once per (epoch, partition), not per step. */
    int[] epochOrder(Block block, long seed, int epoch) {
      if (epoch != ordersEpoch) {
        orders.clear();
        ordersEpoch = epoch;
      }
      return orders.computeIfAbsent(block.partition(), p -> block.epochOrder(seed, epoch));
    }

    void ensureBatch(int n) {
      batch.ensure(n, model.architecture().input().size(), model.architecture().output().size());
    }
  }

  /** The Spark local property that carries the job's engine options (encode) to its tasks. */
  public static final String ENGINE_PROPERTY = "sparkcnn.engine";

  /** options as ENGINE_PROPERTY's value: threads, gemm, conv, chunk bytes, fused ReLUs. */
  public static String encode(EngineOptions o) {
    return o.threads()
        + ","
        + o.gemm()
        + ","
        + o.conv()
        + ","
        + o.convChunkBytes()
        + ","
        + o.fuseReLU();
  }

  /** The options encode wrote (EngineOptions.DEFAULT for none). */
  static EngineOptions decode(String value) {
    if (value == null) {
      return EngineOptions.DEFAULT;
    }
    String[] f = value.split(",");
    if (f.length != 5) {
      throw new IllegalArgumentException(
          ENGINE_PROPERTY + " is '" + value + "', expected threads,gemm,conv,bytes,fuse");
    }
    return new EngineOptions(
        Integer.parseInt(f[0]),
        EngineOptions.GemmKernel.valueOf(f[1]),
        EngineOptions.ConvPaths.valueOf(f[2]),
        Long.parseLong(f[3]),
        Boolean.parseBoolean(f[4]));
  }

  /** A free replica of the run's architecture, computing as the task's engine options say. */
  static synchronized Worker borrow(String runId, Architecture arch) {
    TaskContext task = TaskContext.get();
    String engine = task == null ? null : task.getLocalProperty(ENGINE_PROPERTY);
    EngineOptions options = decode(engine);
    String key = runId + "/" + encode(options);
    Deque<Worker> free = POOL.computeIfAbsent(key, k -> new ArrayDeque<>());
    while (POOL.size() > RUNS_KEPT) {
      POOL.remove(POOL.keySet().iterator().next());
    }
    MemoryProbe.watchHeap(); // for the executors' heap peaks of metrics.jsonl (HeapPeaks)
    Worker w = free.pollFirst();
    return w != null ? w : new Worker(key, arch, options);
  }

  /** Makes w free again for its run and options (unless those replicas were dropped). */
  static synchronized void giveBack(Worker w) {
    Deque<Worker> free = POOL.get(w.poolKey);
    if (free != null) {
      free.addFirst(w);
    }
  }
}

/*
 * Model replicas kept on an executor between steps (DESIGN.md: a step pays only for fetching the
 * weights). A task borrows a Worker (model, step scratch, batch buffers) for its run's
 * architecture and gives it back; concurrent tasks get distinct workers. Replicas of older runs in
 * the same JVM are dropped when a new run appears. Borrowing also sets the threads of the
 * executor's compute pool to the run's engine.threads.
 */
package org.sparkcnn.driver.step;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.sparkcnn.data.Block;
import org.sparkcnn.driver.report.MemoryProbe;
import org.sparkcnn.engine.Architecture;
import org.sparkcnn.engine.LocalStep;
import org.sparkcnn.engine.Model;
import org.sparkcnn.engine.kernels.Parallel;

public final class Replicas {
  private static final int RUNS_KEPT = 2;
  private static final Map<String, Deque<Worker>> POOL = new LinkedHashMap<>(4, 0.75f, true);

  private Replicas() {}

  /** A model replica with its scratch: everything a task needs besides the data and weights. */
  static final class Worker {
    final Model model;
    final LocalStep step = new LocalStep();
    Batch batch = new Batch(); // the minibatch being computed, with its assembly buffers
    private final Map<Integer, int[]> orders = new java.util.HashMap<>(); // partition -> order
    private int ordersEpoch = -1;

    Worker(Architecture arch) {
      model = Model.empty(arch);
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

  /**
   * The Spark local property that carries engine.threads (resolved by the Trainer) to the tasks;
   * borrow sizes the executor's compute pool (Parallel) by it.
   */
  public static final String THREADS_PROPERTY = "sparkcnn.engine.threads";

  static synchronized Worker borrow(String runId, Architecture arch) {
    TaskContext task = TaskContext.get();
    String threads = task == null ? null : task.getLocalProperty(THREADS_PROPERTY);
    if (threads != null) {
      Parallel.setThreads(Integer.parseInt(threads));
    }
    Deque<Worker> free = POOL.computeIfAbsent(runId, k -> new ArrayDeque<>());
    while (POOL.size() > RUNS_KEPT) {
      POOL.remove(POOL.keySet().iterator().next());
    }
    MemoryProbe.watchHeap(); // for the executors' heap peaks of metrics.jsonl (HeapPeaks)
    Worker w = free.pollFirst();
    return w != null ? w : new Worker(arch);
  }

  static synchronized void giveBack(String runId, Worker w) {
    Deque<Worker> free = POOL.get(runId);
    if (free != null) {
      free.addFirst(w);
    }
  }
}

/*
 * A bounded prefetch of the next local minibatch on an executor (decoding and
 * augmentation run on the executors, overlapping with compute). When a step's task has its
 * minibatch, it asks for the partition's next one (within the epoch) to be filled on a small pool
 * of daemon threads while it computes and while the driver averages the gradients; the next task
 * for that partition takes it by its exact key, waiting if it is still being filled, or fills its
 * own when there is none (first step of an epoch, a retry on another executor, a stale key).
 * Filling is a pure function of the key (Batch), so results are the same bits with or without
 * it. Bounded: one batch per (run, partition), a new request replacing the old; only the last
 * RUNS_KEPT runs of the JVM are kept, as the executor keeps its model replicas, and evaluation
 * drops its run's. A failure while filling (an image that does not decode) is rethrown, unchanged, in the task that
 * takes the batch. Buffers come back through recycle(), so steady steps allocate no new batch.
 */
package org.sparkcnn.data.batch;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

public final class Prefetcher {
  private static final int RUNS_KEPT = 2;
  private static final int FREE_KEPT = 8; // spare batches kept for reuse

  /** The executor JVM's prefetcher: half its cores (1 to 4) of daemon threads. */
  public static final Prefetcher SHARED =
      new Prefetcher(
          daemonPool(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2))));

  /**
   * Which batch: minibatch micro (its index in the epoch) of n samples of a partition in an epoch
   * of a run, made by the recipe whose fingerprint is recipe.
   */
  public record Key(String runId, long recipe, int epoch, int micro, int partition, int n) {}

  private record Held(Key key, Future<Batch> batch) {}

  private final ExecutorService pool;
  private final Map<String, Map<Integer, Held>> runs = new LinkedHashMap<>(4, 0.75f, true);
  private final Deque<Batch> free = new ArrayDeque<>();
  private long taken; // batches handed to tasks, for tests and logs

  Prefetcher(ExecutorService pool) {
    this.pool = pool;
  }

  private static ExecutorService daemonPool(int threads) {
    AtomicInteger made = new AtomicInteger();
    return Executors.newFixedThreadPool(
        threads,
        r -> {
          Thread t = new Thread(r, "sparkcnn-prefetch-" + made.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * Starts filling key's batch in the background (fill receives a spare batch); whatever was held
   * for the same run and partition is dropped.
   */
  public synchronized void submit(Key key, Consumer<Batch> fill) {
    Map<Integer, Held> held = runs.computeIfAbsent(key.runId(), k -> new HashMap<>());
    Iterator<Map<Integer, Held>> eldest = runs.values().iterator(); // least recently used first
    while (runs.size() > RUNS_KEPT) {
      eldest.next().values().forEach(this::discard);
      eldest.remove();
    }
    Batch spare = free.pollFirst();
    Batch target = spare != null ? spare : new Batch();
    FutureTask<Batch> task =
        new FutureTask<>(
            () -> {
              fill.accept(target);
              return target;
            });
    Held old = held.put(key.partition(), new Held(key, task));
    if (old != null) {
      discard(old);
    }
    pool.execute(task);
  }

  /**
   * The batch filled for key, waiting for it if it is still being filled; null when none is held
   * for key's run and partition or the one held is for another key (it is then dropped). A failure
   * of the filling is rethrown as it was thrown.
   */
  public Batch take(Key key) {
    Held h;
    synchronized (this) {
      Map<Integer, Held> held = runs.get(key.runId());
      h = held == null ? null : held.remove(key.partition());
      if (h != null && !h.key().equals(key)) {
        discard(h);
        return null;
      }
    }
    if (h == null) {
      return null;
    }
    try {
      Batch b = h.batch().get();
      synchronized (this) {
        taken++;
      }
      return b;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      cause.addSuppressed(
          new IllegalStateException(
              "raised while minibatch "
                  + key.micro()
                  + " of epoch "
                  + key.epoch()
                  + ", partition "
                  + key.partition()
                  + " was prepared in the background (data.prefetch)"));
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(
          "preparing minibatch "
              + key.micro()
              + " of partition "
              + key.partition()
              + " failed: "
              + cause,
          cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "interrupted while waiting for minibatch "
              + key.micro()
              + " of partition "
              + key.partition(),
          e);
    }
  }

  /** Keeps a batch no longer in use for a later prefetch to fill. */
  public synchronized void recycle(Batch b) {
    if (free.size() < FREE_KEPT) {
      free.addFirst(b);
    }
  }

  /** Drops every batch held for runId (its epoch is over). */
  public synchronized void drop(String runId) {
    Map<Integer, Held> held = runs.remove(runId);
    if (held != null) {
      held.values().forEach(this::discard);
    }
  }

  /** Batches taken by tasks so far. */
  public synchronized long taken() {
    return taken;
  }

  /** Batches held, all runs together. */
  synchronized int held() {
    return runs.values().stream().mapToInt(Map::size).sum();
  }

  /** Cancels a held batch not yet started; one already filled gives its buffers back. */
  private void discard(Held h) {
    if (h.batch().cancel(false) || !h.batch().isDone()) {
      return;
    }
    try {
      recycle(h.batch().get());
    } catch (ExecutionException | InterruptedException | CancellationException e) {
      // a batch nobody will take: its failure concerns no task
    }
  }
}

/*
 * The executor's fixed pool of compute threads, so that one Spark task can use all of an
 * executor's cores (issue 4: "intra-task parallelism"). forEach(tasks, body) runs body(0) ..
 * body(tasks - 1) on the calling thread and on up to threads() - 1 pool threads, which claim task
 * indices from a shared counter; the caller always works too, so a call completes even when the
 * pool is busy with another Spark task's work. A call made from a pool thread (nested parallelism)
 * runs its tasks in order on that thread. Kernels split work by output blocks, never by a
 * reduction, so their results do not depend on the thread count.
 */
package org.sparkcnn.engine.kernels;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

public final class Parallel {
  private static final ThreadLocal<Boolean> IN_POOL = ThreadLocal.withInitial(() -> false);
  private static volatile int threads = 1;
  private static ExecutorService pool;

  private Parallel() {}

  public static int threads() {
    return threads;
  }

  /**
   * Sets the threads every step uses from now on (the caller plus n - 1 pool threads); a no-op if
   * unchanged. Executors call it with the job's engine.threads before their first step.
   */
  public static synchronized void setThreads(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + n);
    }
    if (n == threads) {
      return;
    }
    if (pool != null) {
      pool.shutdown();
    }
    pool = n == 1 ? null : Executors.newFixedThreadPool(n - 1, r -> {
      Thread t = new Thread(() -> {
        IN_POOL.set(true);
        r.run();
      }, "sparkcnn-compute");
      t.setDaemon(true);
      return t;
    });
    threads = n;
  }

  /** Runs body(i) for i in [0, tasks), spread over the pool and the calling thread. */
  public static void forEach(int tasks, IntConsumer body) {
    ExecutorService p = pool;
    int helpers = Math.min(threads - 1, tasks - 1);
    if (p == null || helpers <= 0 || IN_POOL.get()) {
      for (int i = 0; i < tasks; i++) {
        body.accept(i);
      }
      return;
    }
    AtomicInteger next = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(tasks);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Runnable worker = () -> {
      for (int i = next.getAndIncrement(); i < tasks; i = next.getAndIncrement()) {
        try {
          if (failure.get() == null) {
            body.accept(i);
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        } finally {
          done.countDown();
        }
      }
    };
    try {
      for (int h = 0; h < helpers; h++) {
        p.execute(worker);
      }
    } catch (RejectedExecutionException e) {
      // the pool was just replaced (setThreads): the caller claims the remaining tasks itself
    }
    worker.run();
    try {
      done.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for compute threads", e);
    }
    Throwable e = failure.get();
    if (e instanceof RuntimeException r) {
      throw r;
    } else if (e instanceof Error err) {
      throw err;
    } else if (e != null) {
      throw new IllegalStateException(e);
    }
  }

  /** The start of part i of [0, total) cut into parts pieces, each a multiple of unit long. */
  public static int split(int total, int parts, int unit, int i) {
    int units = (total + unit - 1) / unit;
    return Math.min(total, (int) ((long) units * i / parts) * unit);
  }
}

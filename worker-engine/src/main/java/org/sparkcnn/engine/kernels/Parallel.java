/*
 * A fixed pool of compute threads, so that one Spark task can use all of an executor's cores
 * (parallelism inside a task). A model computes on the pool of its EngineOptions.threads: its
 * passes enter that pool (enter / exit) and the kernels they call split their work with the
 * static forEach and parts, which use the pool the calling thread has entered (none: one thread).
 * forEach(tasks, body) runs body(0) .. body(tasks - 1) on the calling thread and on up to
 * threads() - 1 pool threads, which claim task indices from a shared counter. Kernels split work
 * by output blocks, never by a reduction, so their results do not depend on the thread count.
 *
 * A step makes hundreds of short parallel calls (a batch norm on a small layer takes tens of
 * microseconds), so the pool works like OpenMP's: an idle pool thread spins on the job slot for a
 * while (SPIN_NANOS) before it parks, and the caller spins, not parks, until the last task is done.
 * Handing work over through a queue and a latch instead cost two thread wake-ups per call, and a
 * late waker left its share to the caller.
 * Between steps, while the driver talks to Spark, the pool threads park. There is one pool per
 * thread count in a JVM (of), shared by the models that ask for it. One call at a time owns a
 * pool; a call made while another owns it (a second Spark task on this executor), or from a pool
 * thread (nested parallelism), runs its tasks in order on its own thread.
 */
package org.sparkcnn.engine.kernels;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

public final class Parallel {
  /** How long an idle pool thread watches for the next job before it parks: 2 ms. */
  static final long SPIN_NANOS = 2_000_000L;

  private static final int PARTS_PER_THREAD = 4;

  /** The calling thread alone: what a thread that has entered no pool computes on. */
  public static final Parallel SERIAL = new Parallel(1);

  private static final Map<Integer, Parallel> POOLS = new ConcurrentHashMap<>();

  /** The pool the thread's running pass has entered (null: SERIAL). */
  private static final ThreadLocal<Parallel> ENTERED = new ThreadLocal<>();

  private final int threads;
  private final Pool pool; // null for one thread

  private Parallel(int threads) {
    this.threads = threads;
    this.pool = threads == 1 ? null : new Pool(threads - 1);
  }

  /** The JVM's pool of n threads (the caller and n - 1 pool threads), started on first use. */
  public static Parallel of(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + n);
    }
    return n == 1 ? SERIAL : POOLS.computeIfAbsent(n, Parallel::new);
  }

  /**
   * Makes this pool the calling thread's until exit(previous), for the kernels it calls; returns
   * the pool it had entered before (null for none). Allocates nothing, as a step's passes call it.
   */
  public Parallel enter() {
    Parallel previous = ENTERED.get();
    ENTERED.set(this);
    return previous;
  }

  /** Ends the calling thread's enter(): previous, what enter() returned, is its pool again. */
  public static void exit(Parallel previous) {
    ENTERED.set(previous);
  }

  /** The pool the calling thread computes on (SERIAL where it has entered none). */
  public static Parallel current() {
    Parallel p = ENTERED.get();
    return p == null ? SERIAL : p;
  }

  /** The threads of this pool. */
  public int size() {
    return threads;
  }

  /** The threads of the pool the calling thread computes on. */
  public static int threads() {
    return current().threads;
  }

  /**
   * How many parts a kernel cuts its output into: a few per thread, so that the threads, which
   * claim parts as they finish, end together even when parts cost unequal time; 1 inside a task (or
   * while another call owns the pool), where forEach runs in order on the calling thread.
   */
  public static int parts() {
    Parallel c = current();
    Pool p = c.pool;
    if (p == null || Thread.currentThread() instanceof Worker || p.busy.get()) {
      return 1;
    }
    return PARTS_PER_THREAD * c.threads;
  }

  /** The ids of this pool's threads (none with one thread), to measure what they allocate. */
  public long[] poolThreadIds() {
    return pool == null
        ? new long[0]
        : java.util.Arrays.stream(pool.workers).mapToLong(Thread::getId).toArray();
  }

  /** Runs body(i) for i in [0, tasks), spread over the pool and the calling thread. */
  public static void forEach(int tasks, IntConsumer body) {
    Pool p = current().pool;
    if (p == null
        || tasks < 2
        || Thread.currentThread() instanceof Worker
        || !p.busy.compareAndSet(false, true)) {
      for (int i = 0; i < tasks; i++) {
        body.accept(i);
      }
      return;
    }
    Job job = new Job(tasks, body);
    try {
      p.publish(job);
      job.work();
      job.awaitDone();
    } finally {
      p.busy.set(false);
    }
    Throwable e = job.failure.get();
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

  /** One forEach call: tasks claimed from a counter, counted down as they finish. */
  private static final class Job {
    final int tasks;
    final IntConsumer body;
    final AtomicInteger next = new AtomicInteger();
    final AtomicInteger left;
    final AtomicReference<Throwable> failure = new AtomicReference<>();

    Job(int tasks, IntConsumer body) {
      this.tasks = tasks;
      this.body = body;
      this.left = new AtomicInteger(tasks);
    }

    /** Claims and runs tasks until none is left to claim. */
    void work() {
      for (int i = next.getAndIncrement(); i < tasks; i = next.getAndIncrement()) {
        try {
          if (failure.get() == null) {
            body.accept(i);
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        } finally {
          left.decrementAndGet();
        }
      }
    }

    /** Spins until every claimed task has finished: the others are running, and short. */
    void awaitDone() {
      while (left.get() > 0) {
        Thread.onSpinWait();
      }
    }
  }

  /** The pool threads and the slot through which the caller hands them a job. */
  private static final class Pool {
    final AtomicBoolean busy = new AtomicBoolean();
    final Worker[] workers;
    volatile Job job;

    Pool(int n) {
      workers = new Worker[n];
      for (int i = 0; i < n; i++) {
        workers[i] = new Worker(this);
        workers[i].start();
      }
    }

    void publish(Job j) {
      job = j;
      for (Worker w : workers) {
        if (w.parked) {
          LockSupport.unpark(w);
        }
      }
    }
  }

  private static final class Worker extends Thread {
    private final Pool pool;
    volatile boolean parked;

    Worker(Pool pool) {
      super("sparkcnn-compute");
      this.pool = pool;
      setDaemon(true);
    }

    @Override
    public void run() {
      Job done = null;
      while (true) {
        done = nextJob(done);
        done.work();
      }
    }

    /** The first job other than done: spinning for SPIN_NANOS, then parked until published. */
    private Job nextJob(Job done) {
      long spinUntil = System.nanoTime() + SPIN_NANOS;
      while (true) {
        Job j = pool.job;
        if (j != done) {
          return j;
        }
        if (System.nanoTime() < spinUntil) {
          Thread.onSpinWait();
          continue;
        }
        parked = true;
        if (pool.job == done) { // publish() sees parked, or we see its job
          LockSupport.park(this);
        }
        parked = false;
        spinUntil = System.nanoTime() + SPIN_NANOS;
      }
    }
  }
}

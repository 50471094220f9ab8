/*
 * The compute pool: every task runs exactly once, on the pool threads and the caller; a task's
 * exception reaches the caller and the pool stays usable; nested calls (and kernels' parts in
 * them) and calls from a second thread while the pool is owned run on their own thread; pool threads that parked after their
 * spin wake for the next call.
 */
package org.sparkcnn.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ParallelTest {
  @AfterEach
  void oneThread() {
    Parallel.exit(null);
  }

  @Test
  void everyTaskRunsOnceOnEveryThreadCount() {
    for (int threads = 1; threads <= 4; threads++) {
      Parallel.of(threads).enter();
      for (int tasks : new int[] {0, 1, 2, 3, 17, 1000}) {
        AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
        for (int call = 0; call < 50; call++) {
          Parallel.forEach(tasks, runs::incrementAndGet);
        }
        for (int i = 0; i < tasks; i++) {
          assertEquals(50, runs.get(i), threads + " threads, " + tasks + " tasks: task " + i);
        }
      }
    }
  }

  @Test
  void aThreadComputesOnThePoolItEnteredUntilItExits() {
    assertEquals(1, Parallel.threads(), "no pool entered: the calling thread alone");
    assertEquals(1, Parallel.parts());
    assertNull(Parallel.of(2).enter());
    assertEquals(2, Parallel.threads());
    Parallel previous = Parallel.of(3).enter();
    assertSame(Parallel.of(2), previous, "one pool per thread count");
    assertEquals(3, Parallel.threads());
    assertEquals(12, Parallel.parts());
    Parallel.exit(previous);
    assertEquals(2, Parallel.threads());
    Parallel.exit(null);
    assertEquals(1, Parallel.threads());
    assertSame(Parallel.SERIAL, Parallel.of(1));
    assertEquals(0, Parallel.of(1).poolThreadIds().length);
    assertEquals(2, Parallel.of(3).poolThreadIds().length);
    assertThrows(IllegalArgumentException.class, () -> Parallel.of(0));
  }

  @Test
  void poolThreadsTakeTasks() {
    Parallel.of(2).enter();
    Set<String> names = ConcurrentHashMap.newKeySet();
    for (int call = 0; call < 200 && names.size() < 2; call++) {
      Parallel.forEach(
          64,
          i -> {
            names.add(Thread.currentThread().getName());
            busy(20_000);
          });
    }
    assertTrue(names.contains("sparkcnn-compute"), "a pool thread ran tasks: " + names);
  }

  @Test
  void aTaskFailureReachesTheCallerAndThePoolStaysUsable() {
    Parallel.of(3).enter();
    IllegalStateException boom = new IllegalStateException("boom");
    IllegalStateException thrown =
        assertThrows(
            IllegalStateException.class,
            () ->
                Parallel.forEach(
                    40,
                    i -> {
                      if (i == 7) {
                        throw boom;
                      }
                    }));
    assertSame(boom, thrown);
    AtomicIntegerArray runs = new AtomicIntegerArray(40);
    Parallel.forEach(40, runs::incrementAndGet);
    for (int i = 0; i < 40; i++) {
      assertEquals(1, runs.get(i));
    }
  }

  @Test
  void nestedCallsRunInOrderOnTheirThread() {
    Parallel.of(2).enter();
    AtomicIntegerArray runs = new AtomicIntegerArray(8 * 5);
    AtomicIntegerArray partsInside = new AtomicIntegerArray(8);
    Parallel.forEach(
        8,
        i -> {
          partsInside.set(i, Parallel.parts());
          Parallel.forEach(5, j -> runs.incrementAndGet(i * 5 + j));
        });
    for (int i = 0; i < 40; i++) {
      assertEquals(1, runs.get(i));
    }
    // a kernel called inside a task runs in one part; outside, in a few per thread
    for (int i = 0; i < 8; i++) {
      assertEquals(1, partsInside.get(i), "parts inside task " + i);
    }
    assertEquals(8, Parallel.parts());
  }

  @Test
  @Timeout(60)
  void aSecondCallerWhileThePoolIsOwnedStillCompletes() throws Exception {
    Parallel.of(2).enter();
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicIntegerArray second = new AtomicIntegerArray(9);
    Thread owner =
        new Thread(
            () -> {
              Parallel.of(2).enter();
              Parallel.forEach(
                  2,
                  i -> {
                    if (i == 0) {
                      inside.countDown();
                      await(release);
                    }
                  });
            });
    owner.start();
    inside.await();
    Parallel.forEach(9, second::incrementAndGet); // the pool is owned: runs here, in order
    release.countDown();
    owner.join();
    for (int i = 0; i < 9; i++) {
      assertEquals(1, second.get(i));
    }
  }

  @Test
  @Timeout(60)
  void parkedPoolThreadsWakeForTheNextCall() throws Exception {
    Parallel.of(2).enter();
    Parallel.forEach(4, i -> {});
    Thread.sleep(Parallel.SPIN_NANOS / 1_000_000 * 5 + 20); // the pool thread parks
    Set<String> names = ConcurrentHashMap.newKeySet();
    CountDownLatch both = new CountDownLatch(2);
    // two tasks that each wait for the other: only finish if a pool thread took one
    Parallel.forEach(
        2,
        i -> {
          names.add(Thread.currentThread().getName());
          both.countDown();
          await(both);
        });
    assertEquals(2, names.size(), "both tasks ran at once: " + names);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void busy(long nanos) {
    long end = System.nanoTime() + nanos;
    while (System.nanoTime() < end) {
      Thread.onSpinWait();
    }
  }
}

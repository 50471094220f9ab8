/*
 * The Prefetcher's keying and bounds, on its own thread: a batch is taken only by its exact key
 * (another minibatch, epoch, partition, run or recipe gets nothing, and a stale batch is dropped),
 * one batch per (run, partition) is held, a second request replacing the first, older runs are
 * dropped, taking waits for a batch still being filled, buffers given back are filled again, and
 * a failure while filling is rethrown, unchanged, by take.
 */
package org.sparkcnn.data.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PrefetcherTest {
  private final ExecutorService pool = Executors.newSingleThreadExecutor();
  private final Prefetcher prefetcher = new Prefetcher(pool);

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  private static Prefetcher.Key key(String run, int epoch, int micro, int partition) {
    return new Prefetcher.Key(run, 77, epoch, micro, partition, 4);
  }

  /** Fills a batch whose x[0] says which it is. */
  private void submit(Prefetcher.Key k, float mark) {
    prefetcher.submit(
        k,
        b -> {
          b.ensure(4, 1, 0);
          b.x[0] = mark;
        });
  }

  @Test
  void aBatchIsTakenOnlyByItsExactKey() {
    submit(key("r", 1, 3, 0), 3f);
    assertEquals(3f, prefetcher.take(key("r", 1, 3, 0)).x[0]);
    assertNull(prefetcher.take(key("r", 1, 3, 0)), "taken once");
    for (Prefetcher.Key other :
        new Prefetcher.Key[] {
          key("r", 1, 4, 0),
          key("r", 2, 3, 0),
          key("r", 1, 3, 1),
          key("s", 1, 3, 0),
          new Prefetcher.Key("r", 78, 1, 3, 0, 4),
          new Prefetcher.Key("r", 77, 1, 3, 0, 5)
        }) {
      submit(key("r", 1, 3, 0), 3f);
      assertNull(prefetcher.take(other), "stale for " + other);
      if (other.runId().equals("r") && other.partition() == 0) {
        assertNull(prefetcher.take(key("r", 1, 3, 0)), "a stale batch is dropped: " + other);
      }
      prefetcher.drop("r");
    }
  }

  @Test
  void oneBatchPerRunAndPartition() {
    submit(key("r", 1, 3, 0), 3f);
    submit(key("r", 1, 4, 0), 4f);
    submit(key("r", 1, 3, 1), 5f);
    assertEquals(2, prefetcher.held());
    assertEquals(4f, prefetcher.take(key("r", 1, 4, 0)).x[0]);
    assertEquals(5f, prefetcher.take(key("r", 1, 3, 1)).x[0]);
    assertEquals(0, prefetcher.held());
    submit(key("a", 1, 1, 0), 1f);
    submit(key("b", 1, 1, 0), 1f);
    submit(key("c", 1, 1, 0), 1f);
    assertEquals(2, prefetcher.held(), "the two latest runs are kept");
    assertNull(prefetcher.take(key("a", 1, 1, 0)));
    prefetcher.drop("b");
    assertEquals(1, prefetcher.held());
  }

  @Test
  void takeWaitsForTheFillAndBuffersAreReused() throws Exception {
    Batch spare = new Batch();
    prefetcher.recycle(spare);
    CountDownLatch release = new CountDownLatch(1);
    prefetcher.submit(
        key("r", 1, 2, 0),
        b -> {
          try {
            release.await();
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
          b.ensure(4, 1, 0);
          b.x[0] = 9f;
        });
    new Thread(release::countDown).start();
    Batch b = prefetcher.take(key("r", 1, 2, 0));
    assertSame(spare, b, "the recycled batch was filled");
    assertEquals(9f, b.x[0]);
  }

  @Test
  void aFailureSurfacesInTake() {
    prefetcher.submit(
        key("r", 1, 2, 0),
        b -> {
          throw new IllegalArgumentException("cannot decode the image /d/train/a/bad.jpg: EOF");
        });
    var e = assertThrows(IllegalArgumentException.class, () -> prefetcher.take(key("r", 1, 2, 0)));
    assertEquals("cannot decode the image /d/train/a/bad.jpg: EOF", e.getMessage());
    assertTrue(e.getSuppressed()[0].getMessage().contains("prepared in the background"));
    assertEquals(0, prefetcher.held());
  }
}

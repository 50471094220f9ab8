/*
 * bench-sync: a row per (size, aggregation) with step times that include at least the empty
 * job's scheduling, nearest-rank percentiles, and bad options refused before Spark starts.
 */
package org.sparkcnn.driver.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparkcnn.driver.Main;
import org.sparkcnn.driver.MainTest;
import org.sparkcnn.driver.TestSpark;

class SyncBenchTest {
  @Test
  void percentilesAreNearestRank() {
    double[] v = {5, 1, 4, 2, 3, 10, 9, 8, 7, 6};
    assertEquals(5, SyncBench.percentile(v, 0.5));
    assertEquals(9, SyncBench.percentile(v, 0.9));
    assertEquals(1, SyncBench.percentile(v, 0.01));
    assertEquals(10, SyncBench.percentile(v, 1.0));
  }

  @Test
  void timesEveryAggregationForEverySize() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    List<SyncBench.Row> rows =
        SyncBench.run(
            TestSpark.get(),
            List.of(0.001, 0.01),
            List.of("barrier", "allreduce", "tree", "sharded"),
            2,
            1,
            2,
            new PrintStream(bytes, true, StandardCharsets.UTF_8));
    assertEquals(8, rows.size());
    assertEquals(1000, rows.get(0).floats());
    assertEquals("barrier", rows.get(4).aggregation());
    assertEquals("allreduce", rows.get(5).aggregation());
    assertEquals("sharded", rows.get(7).aggregation());
    for (SyncBench.Row r : rows) {
      assertTrue(r.p50() > 0 && r.p90() >= r.p50(), r.toString());
    }
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(out.contains("2 steps per row after 1 of warm-up; empty job: p50"), out);
    assertTrue(
        out.contains("10,000  sharded")
            && out.contains("10,000  barrier")
            && out.contains("10,000  allreduce"),
        out);
  }

  @Test
  void rowsThatDoNotFitTheHeapAreRefusedWithWhatToSet() {
    long mb = 1L << 20;
    List<Double> sizes = List.of(0.27, 1.26, 11.7);
    String refused =
        SyncBench.heapTooSmall(true, 2, sizes, List.of("barrier", "allreduce"), 640 * mb);
    assertTrue(
        refused.contains("bench-sync of 11,700,000 floats on 2 partitions in this one JVM")
            && refused.contains("needs about 892 MiB of heap and has 640 MiB")
            && refused.contains("SPARKCNN_DRIVER_MEMORY (e.g. 2g)"),
        refused);
    assertEquals(null, SyncBench.heapTooSmall(true, 2, sizes, List.of("allreduce"), 2048 * mb));
    assertEquals(null, SyncBench.heapTooSmall(true, 2, sizes, List.of("barrier"), 640 * mb));
    assertEquals(null, SyncBench.heapTooSmall(false, 2, sizes, List.of("allreduce"), 640 * mb));
  }

  @Test
  void badOptionsAreRefusedBeforeSpark() {
    MainTest.Outcome o = MainTest.cli("bench-sync", "--sizes", "0");
    assertEquals(Main.EXIT_BAD_INPUT, o.status());
    assertTrue(
        o.err().contains("--sizes expects millions of floats in (0, 500], got [0.0]"), o.err());
    o = MainTest.cli("bench-sync", "--aggregations", "ring");
    assertEquals(Main.EXIT_BAD_INPUT, o.status());
    assertTrue(
        o.err().contains("--aggregations expects barrier, allreduce, tree and/or sharded"),
        o.err());
    o = MainTest.cli("bench-sync", "--warmup", "-1");
    assertEquals(Main.EXIT_BAD_INPUT, o.status());
    assertTrue(o.err().contains("--warmup expects an integer >= 0, got -1"), o.err());
  }
}

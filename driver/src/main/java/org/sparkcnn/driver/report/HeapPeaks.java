/*
 * The heap columns of metrics.jsonl. driver_heap_peak_mb: the driver's peak heap in use since the
 * previous epoch's line (MemoryProbe: the most in use just before a garbage collection);
 * executor_heap_peak_mb: the largest such peak among the executors that hold the training blocks,
 * each read and reset by one small job over the cached blocks, whose tasks run where the blocks
 * are (it reads no block). In local mode the executors are the driver's JVM: the same figure,
 * and no job. MiB.
 */
package org.sparkcnn.driver.report;

import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkcnn.data.Block;

public final class HeapPeaks {
  private static final double MIB = 1 << 20;

  private HeapPeaks() {}

  /** Puts driver_heap_peak_mb and executor_heap_peak_mb into line and starts the next epoch's. */
  public static void put(Map<String, Object> line, JavaSparkContext jsc, JavaRDD<Block> blocks) {
    long driver = MemoryProbe.heapPeakBytes();
    long executors = driver;
    if (!jsc.sc().isLocal()) {
      jsc.setJobGroup("sparkcnn-metrics", "executors' heap peaks", false);
      executors = blocks.mapPartitions(it -> List.of(readAndReset()).iterator()).reduce(Math::max);
    }
    MemoryProbe.resetHeapPeak();
    line.put("driver_heap_peak_mb", Math.round(driver / MIB * 10) / 10.0);
    line.put("executor_heap_peak_mb", Math.round(executors / MIB * 10) / 10.0);
  }

  /** On an executor: its peak heap in use since the last call, then reset. */
  private static long readAndReset() {
    long peak = MemoryProbe.heapPeakBytes();
    MemoryProbe.resetHeapPeak();
    return peak;
  }
}

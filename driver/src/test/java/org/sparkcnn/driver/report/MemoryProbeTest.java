/*
 * MemoryProbe: the peak resident set read from a status file (n/a without one), the heap's peak
 * after an allocation, and the allocation counted per step on the measured threads.
 */
package org.sparkcnn.driver.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryProbeTest {
  @TempDir Path dir;

  @Test
  void peakRssIsVmHwmOrNothing() throws Exception {
    Path status = dir.resolve("status");
    Files.writeString(status, "Name:\tjava\nVmPeak:\t 4000000 kB\nVmHWM:\t  123456 kB\n");
    assertEquals(123_456, MemoryProbe.peakRssKb(status));
    assertEquals(-1, MemoryProbe.peakRssKb(dir.resolve("none")));
    assertTrue(
        MemoryProbe.peakRss().matches("peak_rss_mb=(\\d+\\.\\d|n/a)"), MemoryProbe.peakRss());
  }

  @Test
  void aStepsAllocationIsCountedOnTheCallingThread() {
    MemoryProbe.resetHeapPeak();
    MemoryProbe probe = MemoryProbe.engine().start();
    long sum = 0;
    for (int step = 0; step < 4; step++) {
      float[] big = new float[1 << 20]; // 4 MiB a step
      big[step] = step;
      sum += (long) big[step];
    }
    long perStep = probe.allocatedPerStep(4);
    assertTrue(perStep >= 4L << 20 && perStep < 5L << 20, perStep + " " + sum);
    assertTrue(MemoryProbe.heapPeakBytes() >= 4L << 20);
    assertTrue(
        probe.columns(4).matches(" heap_peak_mb=\\d+\\.\\d alloc_kb_per_step=4\\d{3}\\.\\d"),
        probe.columns(4));
  }
}

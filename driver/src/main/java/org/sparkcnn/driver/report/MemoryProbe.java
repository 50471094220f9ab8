/*
 * The memory columns of the benchmarks (bench, bench-sync) and of metrics.jsonl (HeapPeaks).
 * heap_peak_mb: the peak heap in use since the last reset, the most the heap pools held together
 * just before a garbage collection (the JVM's GC notifications) or now. alloc_kb_per_step: the
 * bytes the measured threads allocated over the timed steps (com.sun.management.ThreadMXBean's
 * per-thread counters; a thread that ends in between takes its count with it), per step; the
 * threads are the caller and the engine's compute pool (engine()) or every thread of the JVM
 * (jvm(), where Spark's task and network threads do the work). peak_rss_mb: the process's peak
 * resident set, VmHWM of /proc/self/status, "n/a" where the system has none. MiB throughout.
 */
package org.sparkcnn.driver.report;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import org.sparkcnn.engine.kernels.Parallel;

public final class MemoryProbe {
  private static final double MIB = 1 << 20;
  private final Supplier<long[]> threads;
  private final Map<Long, Long> counted = new HashMap<>(); // thread id -> bytes at start()

  private MemoryProbe(Supplier<long[]> threads) {
    this.threads = threads;
  }

  /** A probe of the calling thread and the compute threads of the pool it computes on. */
  public static MemoryProbe engine() {
    long caller = Thread.currentThread().getId();
    long[] pool = Parallel.current().poolThreadIds();
    return new MemoryProbe(
        () -> LongStream.concat(LongStream.of(caller), Arrays.stream(pool)).toArray());
  }

  /** A probe of every live thread of the JVM. */
  public static MemoryProbe jvm() {
    return new MemoryProbe(() -> ManagementFactory.getThreadMXBean().getAllThreadIds());
  }

  /** Starts following the heap's peak in this JVM (once; later calls do nothing). */
  public static void watchHeap() {
    HeapPeak.PEAK.get();
  }

  /** Resets the heap's peak, so that heap_peak_mb covers what follows. */
  public static void resetHeapPeak() {
    HeapPeak.PEAK.set(0);
  }

  /**
   * The peak heap in use since the last reset, in bytes: the most in use just before a collection,
   * or now (between collections the heap in use only grows). The heap pools' own peaks
   * (MemoryPoolMXBean) fall at different times: their sum runs past the heap.
   */
  static long heapPeakBytes() {
    return Math.max(
        HeapPeak.PEAK.get(), ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
  }

  /** Follows the heap in use before each collection (GcInfo), listening from the first use. */
  private static final class HeapPeak {
    static final AtomicLong PEAK = new AtomicLong();

    static {
      Set<String> heapPools = new HashSet<>();
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP) {
          heapPools.add(pool.getName());
        }
      }
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        ((NotificationEmitter) gc)
            .addNotificationListener(
                (n, handback) -> {
                  if (n.getType()
                      .equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                    long before = 0;
                    for (var e :
                        GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData())
                            .getGcInfo()
                            .getMemoryUsageBeforeGc()
                            .entrySet()) {
                      before += heapPools.contains(e.getKey()) ? e.getValue().getUsed() : 0;
                    }
                    PEAK.accumulateAndGet(before, Math::max);
                  }
                },
                null,
                null);
      }
    }
  }

  /** Starts counting the threads' allocation (before the timed steps). */
  public MemoryProbe start() {
    counted.clear();
    long[] ids = threads.get();
    long[] bytes = allocated(ids);
    for (int i = 0; i < ids.length; i++) {
      counted.put(ids[i], bytes[i]);
    }
    return this;
  }

  /** Bytes the threads allocated since start(), per step of steps. */
  long allocatedPerStep(long steps) {
    long[] ids = threads.get();
    long[] bytes = allocated(ids);
    long sum = 0;
    for (int i = 0; i < ids.length; i++) {
      if (bytes[i] >= 0) { // -1: the thread has ended
        sum += bytes[i] - counted.getOrDefault(ids[i], 0L);
      }
    }
    return sum / Math.max(1, steps);
  }

  /** The columns " heap_peak_mb=... alloc_kb_per_step=..." for steps timed since start(). */
  public String columns(long steps) {
    return String.format(
        Locale.ROOT,
        " heap_peak_mb=%.1f alloc_kb_per_step=%.1f",
        heapPeakBytes() / MIB,
        allocatedPerStep(steps) / 1024.0);
  }

  /** "peak_rss_mb=..." of this process so far, or "peak_rss_mb=n/a". */
  public static String peakRss() {
    long kb = peakRssKb(Path.of("/proc/self/status"));
    return "peak_rss_mb=" + (kb < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", kb / 1024.0));
  }

  /** VmHWM of a /proc/PID/status file in KiB, or -1 where it is missing or unreadable. */
  static long peakRssKb(Path status) {
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.substring(6).replace("kB", "").strip());
        }
      }
    } catch (IOException | NumberFormatException e) {
      // no /proc (macOS, Windows) or an unexpected line: n/a
    }
    return -1;
  }

  private static long[] allocated(long[] ids) {
    var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    return mx.getThreadAllocatedBytes(ids);
  }
}

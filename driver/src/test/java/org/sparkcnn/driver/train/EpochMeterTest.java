/* The per-epoch step figures: nearest-rank percentiles and sync time = wall - slowest compute. */
package org.sparkcnn.driver.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.sparkcnn.driver.sync.StepResult;

class EpochMeterTest {
  @Test
  void percentilesAreNearestRank() {
    double[] xs = {40, 10, 30, 20, 50, 60, 70, 80, 90, 100};
    assertEquals(50, EpochMeter.percentile(xs, 0.5));
    assertEquals(90, EpochMeter.percentile(xs, 0.9));
    assertEquals(10, EpochMeter.percentile(xs, 0.01));
    assertEquals(7, EpochMeter.percentile(new double[] {7}, 0.9));
    assertEquals(0, EpochMeter.percentile(new double[0], 0.5));
  }

  @Test
  void syncTimeIsWallTimeMinusTheSlowestPartitionsCompute() {
    EpochMeter m = new EpochMeter();
    for (int i = 1; i <= 10; i++) {
      // step i: 10 ms of compute on the slowest partition, 10 + i ms of wall time
      m.add(new StepResult(null, 1.0, 1, 4, 10_000_000L), (10 + i) * 1_000_000L);
    }
    m.skip(new StepResult(null, Double.NaN, 0, 4, 10_000_000L), 110_000_000L);
    assertEquals(6, m.syncMs(0.5), 1e-9);
    assertEquals(10, m.syncMs(0.9), 1e-9);
    assertEquals(100, m.syncMs(1.0), 1e-9);
    assertEquals(1, m.skipped);
    assertEquals(40, m.seen);
    assertEquals(10, m.computeMs(), 1e-9);
  }
}

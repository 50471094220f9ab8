/*
 * Rng, the counter-based generator of DESIGN.md contract 3: a stream is a pure function of
 * (seed, ids); different ids give different streams; the derived draws stay in range and are
 * roughly uniform.
 */
package org.sparkcnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RngTest {
  private static long[] draws(Rng r, int count) {
    long[] d = new long[count];
    for (int i = 0; i < count; i++) {
      d[i] = r.nextLong();
    }
    return d;
  }

  @Test
  void sameSeedAndIdsGiveTheSameStream() {
    assertArrayEquals(draws(Rng.of(42, 3, 7, 11), 100), draws(Rng.of(42, 3, 7, 11), 100));
    Rng a = Rng.of(5, 1);
    Rng b = Rng.of(5, 1);
    for (int i = 0; i < 100; i++) {
      assertEquals(a.nextGaussian(), b.nextGaussian());
      assertEquals(a.nextInt(1000), b.nextInt(1000));
    }
  }

  @Test
  void differentSeedsOrIdsDiffer() {
    long[][] streams = {
      draws(Rng.of(42), 8),
      draws(Rng.of(43), 8),
      draws(Rng.of(42, 0), 8),
      draws(Rng.of(42, 1), 8),
      draws(Rng.of(42, 0, 1), 8),
      draws(Rng.of(42, 1, 0), 8),
      draws(Rng.of(42, 1, 1), 8),
      draws(Rng.of(42, 0, 0), 8)
    };
    Set<Long> seen = new HashSet<>();
    for (long[] s : streams) {
      for (long x : s) {
        assertTrue(seen.add(x), "a value repeats across streams: " + x);
      }
    }
  }

  @Test
  void nextIntStaysInRangeAndIsRoughlyUniform() {
    Rng r = Rng.of(9);
    int bins = 10;
    int draws = 100_000;
    int[] counts = new int[bins];
    for (int i = 0; i < draws; i++) {
      int x = r.nextInt(bins);
      assertTrue(x >= 0 && x < bins, "out of range: " + x);
      counts[x]++;
    }
    double chi2 = 0;
    double expected = (double) draws / bins;
    for (int c : counts) {
      chi2 += (c - expected) * (c - expected) / expected;
    }
    assertTrue(
        chi2 < 30,
        "chi-square "
            + chi2
            + " over 9 degrees of freedom: " // p < 0.001
            + Arrays.toString(counts));
    // bounds where Lemire's rejection step matters, and the extremes
    for (int bound : new int[] {1, 3, 1 << 30 | 1, Integer.MAX_VALUE}) {
      for (int i = 0; i < 1000; i++) {
        int x = r.nextInt(bound);
        assertTrue(x >= 0 && x < bound, "out of range for " + bound + ": " + x);
      }
    }
    assertThrows(IllegalArgumentException.class, () -> r.nextInt(0));
  }

  @Test
  void floatsAndGaussiansLookRight() {
    Rng r = Rng.of(10);
    double sum = 0;
    double sq = 0;
    int n = 50_000;
    for (int i = 0; i < n; i++) {
      float f = r.nextFloat();
      assertTrue(f >= 0f && f < 1f);
      double u = r.uniform(-2f, 3f);
      assertTrue(u >= -2 && u < 3);
      double g = r.nextGaussian();
      sum += g;
      sq += g * g;
    }
    assertEquals(0, sum / n, 0.03);
    assertEquals(1, sq / n, 0.03);
  }

  @Test
  void permutationIsAPermutation() {
    Rng r = Rng.of(12);
    for (int n : new int[] {0, 1, 2, 17, 1000}) {
      int[] p = r.permutation(n);
      int[] sorted = p.clone();
      Arrays.sort(sorted);
      for (int i = 0; i < n; i++) {
        assertEquals(i, sorted[i]);
      }
    }
    int[] p = Rng.of(12, 1).permutation(1000);
    assertArrayEquals(p, Rng.of(12, 1).permutation(1000));
    assertFalse(Arrays.equals(p, Rng.of(12, 2).permutation(1000)));
    int fixed = 0;
    for (int i = 0; i < p.length; i++) {
      fixed += p[i] == i ? 1 : 0;
    }
    assertTrue(fixed < 10, "a shuffle of 1000 fixes about 1 element, this one " + fixed);
  }
}

/*
 * Augmentation as configured and as run on a block: the errors name the place and what was
 * expected; evaluation runs only resize, center_crop and normalize; the pixels of a sample depend
 * only on (seed, epoch, id), not on which batch or position it is gathered in; a pipeline whose
 * ops all skip gives the fast path's exact numbers; mixup's and cutmix's soft targets sum to one
 * with the lambda that mixed the pixels; Beta draws have the right mean and variance.
 */
package org.sparkcnn.data.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparkcnn.data.Block;
import org.sparkcnn.data.Normalizer;
import org.sparkcnn.data.Sample;
import org.sparkcnn.data.ShapesGenerator;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;

class AugmentationTest {
  private static final Shape SHAPES = Shape.of(3, 32, 32);
  private static final String TRAIN = "data.augment";
  private static final String EVAL = "data.eval_transform";

  private static Augmentation parse(List<?> train, List<?> eval, Shape in) {
    return Augmentation.parse(train, TRAIN, eval, EVAL, in);
  }

  private static String error(List<?> train, List<?> eval) {
    return assertThrows(IllegalArgumentException.class, () -> parse(train, eval, SHAPES))
        .getMessage();
  }

  /** A block of n rendered shapes images, ids from first. */
  private static Block shapes(int first, int n) {
    List<Sample> samples = new ArrayList<>();
    for (long id = first; id < first + n; id++) {
      samples.add(new Sample(id, ShapesGenerator.label(1, id), ShapesGenerator.render(1, id)));
    }
    return Block.of(0, SHAPES, samples);
  }

  private static final List<Object> CIFAR =
      List.of(
          Map.of("op", "random_crop", "size", 32, "padding", 4),
          Map.of("op", "hflip"),
          Map.of(
              "op",
              "color_jitter",
              "brightness",
              0.4,
              "contrast",
              0.4,
              "saturation",
              0.4,
              "hue",
              0.1),
          Map.of("op", "rotate", "degrees", 15, "p", 0.5),
          Map.of("op", "cutout", "size", 8),
          Map.of("op", "normalize", "mean", List.of(0.5, 0.5, 0.5), "std", 0.25));

  @Test
  void badSettingsAreNamedWithTheirPlace() {
    List<Object> items = new ArrayList<>(CIFAR.subList(0, 2));
    items.add(Map.of("op", "rotate", "angel", 10));
    assertEquals(
        "data.augment[2].rotate: unknown setting 'angel' (settings: degrees, fill, p)",
        error(items, List.of()));
    assertTrue(
        error(List.of("flip"), List.of())
            .startsWith("data.augment[0]: unknown op 'flip'; expected one of [random_crop,"));
    assertEquals(
        "data.augment[0].random_crop: a 40x40 crop does not fit the 32x32 image padded"
            + " by 2; expected a size of at most 36x36",
        error(List.of(Map.of("op", "random_crop", "size", 40, "padding", 2)), List.of()));
    assertEquals(
        "data.augment[0].hflip: p: expected a probability in [0, 1], got 1.5",
        error(List.of(Map.of("op", "hflip", "p", 1.5)), List.of()));
    assertEquals(
        "data.augment[0].rotate: degrees: required, expected a number d >= 0 (for"
            + " [-d, d]) or a range [lo, hi]",
        error(List.of("rotate"), List.of()));
    assertTrue(
        error(List.of(Map.of("op", "normalize", "mean", List.of(0.5, 0.5), "std", 1)), List.of())
            .startsWith(
                "data.augment[0].normalize: mean: 2 values, but the images have 3" + " channels"));
    assertTrue(
        error(List.of("mixup", "hflip"), List.of())
            .startsWith(
                "data.augment[1].hflip: mixup and cutmix mix finished samples, so they come last"));
    assertTrue(
        error(
                List.of(Map.of("op", "normalize", "mean", 0.5, "std", 0.5), "color_jitter"),
                List.of())
            .startsWith(
                "data.augment[1].color_jitter: colour jitter" + " works on pixels in [0, 1]"));
    assertTrue(error(List.of(42), List.of()).startsWith("data.augment[0]: expected an op"));
  }

  @Test
  void evaluationTakesOnlyTheOpsThatAreNotRandom() {
    Augmentation a = parse(CIFAR, List.of(), SHAPES);
    assertEquals(List.of("normalize"), a.eval().names());
    assertEquals(SHAPES, a.eval().output());
    assertEquals(
        "data.eval_transform[0].hflip: a random op is for training only; evaluation"
            + " takes resize, center_crop, normalize",
        error(CIFAR, List.of("hflip")));
    String shape = error(List.of(Map.of("op", "random_crop", "size", 28)), List.of());
    assertTrue(
        shape.contains("evaluation samples come out 3x32x32 but training samples 3x28x28"), shape);
    assertTrue(shape.contains("e.g. data.eval_transform: [{op: center_crop, size: 28}]"), shape);
    Augmentation fixed =
        parse(
            List.of(Map.of("op", "random_crop", "size", 28)),
            List.of(Map.of("op", "center_crop", "size", 28)),
            SHAPES);
    assertEquals(Shape.of(3, 28, 28), fixed.eval().output());
    String norm = error(CIFAR, List.of(Map.of("op", "resize", "size", 32)));
    assertTrue(
        norm.contains(
            "training normalises with mean [0.5, 0.5, 0.5] and std [0.25, 0.25,"
                + " 0.25] but evaluation with no normalize op"),
        norm);
  }

  @Test
  void imageNetRecipeParses() {
    Augmentation a =
        parse(
            List.of(
                Map.of("op", "random_resized_crop", "size", 24),
                "hflip",
                Map.of(
                    "op",
                    "normalize",
                    "mean",
                    List.of(0.485, 0.456, 0.406),
                    "std",
                    List.of(0.229, 0.224, 0.225))),
            List.of(
                Map.of("op", "resize", "size", 28),
                Map.of("op", "center_crop", "size", 24),
                Map.of(
                    "op",
                    "normalize",
                    "mean",
                    List.of(0.485, 0.456, 0.406),
                    "std",
                    List.of(0.229, 0.224, 0.225))),
            SHAPES);
    assertEquals(Shape.of(3, 24, 24), a.train().output());
    assertEquals(List.of("resize", "center_crop", "normalize"), a.eval().names());
  }

  @Test
  void aSampleDependsOnlyOnSeedEpochAndId() {
    Pipeline p = parse(CIFAR, List.of(), SHAPES).train();
    Block block = shapes(0, 8);
    Normalizer norm = Normalizer.identity(3);
    int size = SHAPES.size();
    float[] all = new float[8 * size];
    new Augmenter().gather(p, block, null, 0, 8, norm, 42, 3, all, new int[8], null, 10);
    // sample 5 alone, first in a batch in another order, on another augmenter
    float[] one = new float[2 * size];
    new Augmenter()
        .gather(p, block, new int[] {5, 2}, 0, 2, norm, 42, 3, one, new int[2], null, 10);
    assertArrayEquals(
        Arrays.copyOfRange(all, 5 * size, 6 * size), Arrays.copyOfRange(one, 0, size));
    float[] again = new float[8 * size];
    new Augmenter().gather(p, block, null, 0, 8, norm, 42, 3, again, new int[8], null, 10);
    assertArrayEquals(all, again);
    float[] nextEpoch = new float[8 * size];
    new Augmenter().gather(p, block, null, 0, 8, norm, 42, 4, nextEpoch, new int[8], null, 10);
    for (int i = 0; i < 8; i++) {
      assertFalse(
          Arrays.equals(
              Arrays.copyOfRange(all, i * size, (i + 1) * size),
              Arrays.copyOfRange(nextEpoch, i * size, (i + 1) * size)),
          "sample " + i);
    }
    float[] otherSeed = new float[8 * size];
    new Augmenter().gather(p, block, null, 0, 8, norm, 43, 3, otherSeed, new int[8], null, 10);
    assertFalse(Arrays.equals(all, otherSeed));
  }

  @Test
  void opsThatAllSkipGiveTheFastPathsNumbers() {
    Pipeline p =
        parse(
                List.of(
                    Map.of("op", "hflip", "p", 0), Map.of("op", "rotate", "degrees", 30, "p", 0)),
                List.of(),
                SHAPES)
            .train();
    Block block = shapes(10, 4);
    Normalizer norm =
        new Normalizer(new float[] {0.2f, 0.3f, 0.4f}, new float[] {0.5f, 0.6f, 0.7f});
    float[] fast = new float[4 * SHAPES.size()];
    int[] fy = new int[4];
    block.gather(new int[] {3, 1, 2, 0}, 0, 4, norm, fast, fy);
    float[] slow = new float[4 * SHAPES.size()];
    int[] sy = new int[4];
    new Augmenter().gather(p, block, new int[] {3, 1, 2, 0}, 0, 4, norm, 1, 1, slow, sy, null, 10);
    assertArrayEquals(fast, slow);
    assertArrayEquals(fy, sy);
  }

  @Test
  void mixupTargetsSumToOneWithTheLambdaOfThePixels() {
    Pipeline p = parse(List.of(Map.of("op", "mixup", "alpha", 0.4)), List.of(), SHAPES).train();
    assertTrue(p.mixes());
    Block block = shapes(0, 5);
    int n = 5;
    int k = 10;
    int size = SHAPES.size();
    float[] plain = new float[n * size];
    block.gather(null, 0, n, Normalizer.identity(3), plain, new int[n]);
    float[] x = new float[n * size];
    int[] y = new int[n];
    float[] t = new float[n * k];
    new Augmenter().gather(p, block, null, 0, n, Normalizer.identity(3), 9, 2, x, y, t, k);
    for (int i = 0; i < n; i++) {
      int j = (i + 1) % n;
      BatchMix.Mix m = p.drawMix(0, 9, 2, block.id(i));
      assertNotNull(m); // p = 1
      float lam = m.lambda();
      assertTrue(lam >= 0 && lam <= 1, "lambda " + lam);
      float sum = 0;
      for (int c = 0; c < k; c++) {
        sum += t[i * k + c];
      }
      assertEquals(1f, sum, 1e-6f);
      float expected = y[i] == y[j] ? 1f : lam;
      assertEquals(expected, t[i * k + y[i]], 1e-6f);
      if (y[i] != y[j]) {
        assertEquals(1 - lam, t[i * k + y[j]], 1e-6f);
      }
      for (int q = 0; q < size; q += 97) {
        assertEquals(
            lam * plain[i * size + q] + (1 - lam) * plain[j * size + q], x[i * size + q], 1e-6f);
      }
    }
  }

  @Test
  void cutmixPastesTheBoxAndWeighsTargetsByItsArea() {
    Pipeline p = parse(List.of("cutmix"), List.of(), SHAPES).train();
    Block block = shapes(20, 3);
    int size = SHAPES.size();
    float[] plain = new float[3 * size];
    block.gather(null, 0, 3, Normalizer.identity(3), plain, new int[3]);
    float[] x = new float[3 * size];
    int[] y = new int[3];
    float[] t = new float[3 * 10];
    new Augmenter().gather(p, block, null, 0, 3, Normalizer.identity(3), 5, 1, x, y, t, 10);
    for (int i = 0; i < 3; i++) {
      int j = (i + 1) % 3;
      BatchMix.Mix m = p.drawMix(0, 5, 1, block.id(i));
      int[] b = m.box();
      float area = (b[2] - b[0]) * (b[3] - b[1]);
      assertEquals(1 - area / (32 * 32), m.lambda(), 1e-6f);
      for (int c = 0; c < 3; c++) {
        for (int yy = 0; yy < 32; yy++) {
          for (int xx = 0; xx < 32; xx++) {
            boolean in = yy >= b[0] && yy < b[2] && xx >= b[1] && xx < b[3];
            int at = (c * 32 + yy) * 32 + xx;
            assertEquals(in ? plain[j * size + at] : plain[i * size + at], x[i * size + at]);
          }
        }
      }
      float sum = 0;
      for (int c = 0; c < 10; c++) {
        sum += t[i * 10 + c];
      }
      assertEquals(1f, sum, 1e-6f);
    }
  }

  @Test
  void betaDrawsHaveTheRightMeanAndVariance() {
    for (double alpha : new double[] {0.2, 1.0, 2.5}) {
      Rng r = Rng.of(11, (long) (alpha * 10));
      int n = 40_000;
      double sum = 0;
      double sq = 0;
      for (int i = 0; i < n; i++) {
        double b = BatchMix.beta(r, alpha);
        assertTrue(b >= 0 && b <= 1);
        sum += b;
        sq += b * b;
      }
      double mean = sum / n;
      double var = sq / n - mean * mean;
      assertEquals(0.5, mean, 0.01, "alpha " + alpha);
      assertEquals(1 / (4 * (2 * alpha + 1)), var, 0.01, "alpha " + alpha);
    }
  }
}

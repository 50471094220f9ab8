/*
 * The augmentation benchmark (bench-augment), pipeline for pipeline the same as
 * deploy/bench/augment_reference.py (torchvision with PIL) so that both run side by side and
 * print lines in the same format:
 *   A1 cifar_style     32x32x3 bytes (random, fixed seed) -> random_crop 32 padding 4, hflip,
 *                      normalize (CIFAR-10 statistics) -> float CHW; through Augmenter.gather,
 *                      as training runs it, in batches of 128
 *   A2 imagenet_style  the JPEG files of a folder, held in memory -> decode (javax.imageio) ->
 *                      random_resized_crop 224 of the original-size image, hflip, color_jitter
 *                      (brightness, contrast, saturation 0.4, hue 0.1), normalize (ImageNet
 *                      statistics) -> float CHW; through EncodedAugmenter, which decodes only
 *                      the crop's box
 * N worker threads each run the pipeline on their own share of the images (image i goes to
 * thread i mod N), each with its own buffers; each warms up (JIT) for a third of the time, then
 * all count images for the given seconds. images_per_sec is the sum of the threads' rates,
 * images_per_sec_per_core that sum / N. images_per_cpu_sec is the images counted over the CPU
 * time the whole process (JIT and GC threads included) spent from the common start until the
 * last thread stopped: on a busy machine, where the wall-clock rates depend on what else runs,
 * it still compares with the script's. No Spark.
 */
package org.sparkcnn.driver.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.sparkcnn.data.Block;
import org.sparkcnn.data.Normalizer;
import org.sparkcnn.data.Sample;
import org.sparkcnn.data.augment.Augmentation;
import org.sparkcnn.data.augment.Augmenter;
import org.sparkcnn.data.augment.EncodedAugmenter;
import org.sparkcnn.data.augment.Pipeline;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;

public final class AugmentBench {
  public static final List<String> PIPELINES = List.of("A1", "A2");
  static final Shape CIFAR = Shape.of(3, 32, 32);
  static final int CIFAR_IMAGES = 1000;
  private static final int BATCH = 128;
  private static final long SEED = 42;

  private AugmentBench() {}

  /** One pass of a worker over its share: returns the images it augmented. */
  interface Pass {
    public int run(int epoch);
  }

  static Pipeline cifarPipeline() {
    return Augmentation.training(
        List.of(
            Map.of("op", "random_crop", "size", 32, "padding", 4),
            Map.of("op", "hflip"),
            Map.of(
                "op",
                "normalize",
                "mean",
                List.of(0.4914, 0.4822, 0.4465),
                "std",
                List.of(0.2470, 0.2435, 0.2616))),
        "bench A1",
        CIFAR);
  }

  static Pipeline imagenetPipeline() {
    return Augmentation.training(
        List.of(
            Map.of("op", "random_resized_crop", "size", 224),
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
            Map.of(
                "op",
                "normalize",
                "mean",
                List.of(0.485, 0.456, 0.406),
                "std",
                List.of(0.229, 0.224, 0.225))),
        "bench A2",
        Shape.of(3, 375, 500));
  }

  /** The JPEG files (.jpg, .jpeg) under dir, sorted by path; other files are left out. */
  public static List<Path> jpegs(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.jpe?g"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Images per second of wall-clock time (summed over threads) and of process CPU time. */
  record Rate(double perSecond, double perCpuSecond) {}

  public static void run(
      List<String> pipelines, int threads, double seconds, List<Path> images, PrintStream out) {
    for (String p : pipelines) {
      Rate rate =
          switch (p) {
            case "A1" -> imagesPerSecond(threads, seconds, cifar(threads));
            case "A2" -> imagesPerSecond(threads, seconds, imagenet(threads, read(images)));
            default ->
                throw new IllegalArgumentException(
                    "unknown pipeline " + p + "; known: " + String.join(", ", PIPELINES));
          };
      out.println(
          String.format(
              Locale.ROOT,
              "%s %s threads=%d images_per_sec=%.1f images_per_sec_per_core=%.1f"
                  + " images_per_cpu_sec=%.1f",
              p,
              p.equals("A1") ? "cifar_style" : "imagenet_style",
              threads,
              rate.perSecond(),
              rate.perSecond() / threads,
              rate.perCpuSecond()));
      out.flush();
    }
  }

  private static List<byte[]> read(List<Path> files) {
    List<byte[]> bytes = new ArrayList<>();
    for (Path f : files) {
      try {
        bytes.add(Files.readAllBytes(f));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
      }
    }
    return bytes;
  }

  /** A1: each thread gathers its share of CIFAR_IMAGES random images, BATCH at a time. */
  private static IntFunction<Pass> cifar(int threads) {
    Pipeline pipe = cifarPipeline();
    Rng rng = Rng.of(SEED);
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < CIFAR_IMAGES; i++) {
      byte[] px = new byte[CIFAR.size()];
      for (int j = 0; j < px.length; j++) {
        px[j] = (byte) rng.nextInt(256);
      }
      samples.add(new Sample(i, i % 10, px));
    }
    Block block = Block.of(0, CIFAR, samples);
    Normalizer norm = Normalizer.identity(3); // not applied: the pipeline normalises
    return t -> {
      int[] share = share(CIFAR_IMAGES, threads, t);
      Augmenter aug = new Augmenter();
      float[] x = new float[BATCH * pipe.output().size()];
      int[] y = new int[BATCH];
      return epoch -> {
        for (int from = 0; from < share.length; from += BATCH) {
          int n = Math.min(BATCH, share.length - from);
          aug.gather(pipe, block, share, from, n, norm, SEED, epoch, x, y, null, 10);
        }
        return share.length;
      };
    };
  }

  /** A2: each thread decodes and augments its share of the files, one image at a time. */
  private static IntFunction<Pass> imagenet(int threads, List<byte[]> files) {
    Pipeline pipe = imagenetPipeline();
    return t -> {
      int[] share = share(files.size(), threads, t);
      EncodedAugmenter aug = new EncodedAugmenter();
      float[] x = new float[pipe.output().size()];
      return epoch -> {
        for (int i : share) {
          aug.augment(pipe, files.get(i), "image " + i, SEED, epoch, i, x, 0);
        }
        return share.length;
      };
    };
  }

  /** Items t, t + n, t + 2n, ... of count. */
  static int[] share(int count, int n, int t) {
    int[] s = new int[(count - t + n - 1) / n];
    for (int k = 0; k < s.length; k++) {
      s[k] = t + k * n;
    }
    return s;
  }

  /**
   * Runs a worker per thread: a third of seconds of warm-up (at least one pass), then passes for
   * seconds from a common start; the sum of the threads' images per second.
   */
  static Rate imagesPerSecond(int threads, double seconds, IntFunction<Pass> worker) {
    long[] cpuAtStart = new long[1];
    CyclicBarrier start = new CyclicBarrier(threads, () -> cpuAtStart[0] = processCpuNanos());
    double[] rates = new double[threads];
    long[] counts = new long[threads];
    Throwable[] failure = new Throwable[1];
    List<Thread> pool = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread th =
          new Thread(
              () -> {
                try {
                  Pass pass = worker.apply(id);
                  int epoch = 0;
                  long warm = System.nanoTime() + (long) (seconds / 3 * 1e9);
                  do {
                    pass.run(++epoch);
                  } while (System.nanoTime() < warm);
                  start.await();
                  long t0 = System.nanoTime();
                  long end = t0 + (long) (seconds * 1e9);
                  long images = 0;
                  long now;
                  do {
                    images += pass.run(++epoch);
                    now = System.nanoTime();
                  } while (now < end);
                  rates[id] = images / ((now - t0) / 1e9);
                  counts[id] = images;
                } catch (Throwable e) {
                  synchronized (failure) {
                    failure[0] = failure[0] == null ? e : failure[0];
                  }
                  start.reset(); // release the others
                }
              },
              "bench-augment-" + t);
      pool.add(th);
      th.start();
    }
    for (Thread th : pool) {
      try {
        th.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
    if (failure[0] != null) {
      throw failure[0] instanceof RuntimeException re
          ? re
          : new IllegalStateException(failure[0].toString(), failure[0]);
    }
    long cpu = processCpuNanos() - cpuAtStart[0];
    double total = 0;
    long images = 0;
    for (int t = 0; t < threads; t++) {
      total += rates[t];
      images += counts[t];
    }
    return new Rate(total, images / (cpu / 1e9));
  }

  /** CPU time of this JVM, all its threads, in nanoseconds. */
  private static long processCpuNanos() {
    var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime();
    }
    throw new IllegalStateException(
        "this JVM does not report its CPU time" + " (com.sun.management.OperatingSystemMXBean)");
  }
}

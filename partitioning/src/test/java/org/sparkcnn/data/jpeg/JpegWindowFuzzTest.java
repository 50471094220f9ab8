/*
 * A fuzz test (Jazzer) of JpegWindowDecoder, which decodes windows of JPEG files from outside:
 * whatever the bytes, it must decline (return false) or give exactly the pixels of its reference,
 * ImageIO's raw raster turned into RGB, and never throw or allocate more than the file's size
 * can call for (its header's image size is not to be trusted).
 * One decoder is reused from input to input, as each thread of an executor reuses its own. A
 * plain test run replays the corpus in src/test/resources/org/sparkcnn/data/jpeg/
 * JpegWindowFuzzTestInputs/jpegWindow/: a camera photo of the shared ants and bees set, files
 * written by the JDK's JPEG writer in each sampling layout, and every input that once failed.
 * JAZZER_FUZZ=1 fuzzes it for FUZZ_TIME (docs/testing.md, "Fuzzing the parsers").
 */
package org.sparkcnn.data.jpeg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.sparkcnn.data.augment.Image;

class JpegWindowFuzzTest {
  /** How long JAZZER_FUZZ=1 fuzzes. */
  static final String FUZZ_TIME = "60s";

  /** Larger inputs are skipped. */
  static final int MAX_INPUT = 256 << 10;

  /** What one decode may allocate: its planes and the image, both bounded by the file's size. */
  static long allocationLimit(byte[] data) {
    return (16 << 20) + 4096L * data.length;
  }

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private final JpegWindowDecoder decoder = new JpegWindowDecoder();
  private final Image dst = new Image();

  @FuzzTest(maxDuration = FUZZ_TIME)
  void jpegWindow(byte[] data) throws IOException {
    Jpeg jpeg = data.length > MAX_INPUT ? null : Jpeg.of(data);
    if (jpeg == null) {
      return; // not a JPEG the decoder is given
    }
    int h = jpeg.height();
    int w = jpeg.width();
    for (int[] window :
        new int[][] {
          {0, 0, h, w}, {h / 2, w / 3, h - h / 2, Math.max(1, w / 3)}, {h - 1, w - 1, 1, 1}
        }) {
      long before = THREADS.getCurrentThreadAllocatedBytes();
      boolean decoded = decoder.decode(data, jpeg.components(), window, dst);
      long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
      assertTrue(
          allocated <= allocationLimit(data),
          () ->
              "decoding a window "
                  + Arrays.toString(window)
                  + " of a file of "
                  + data.length
                  + " bytes allocated "
                  + allocated
                  + " bytes");
      if (decoded) {
        Image ref = JpegWindowDecoderTest.reference(data, window);
        int n = 3 * window[2] * window[3];
        assertArrayEquals(
            Arrays.copyOf(ref.pixels(), n),
            Arrays.copyOf(dst.pixels(), n),
            () -> "window " + Arrays.toString(window) + " differs from ImageIO's pixels");
      }
    }
  }
}

/*
 * Reading the golden cases of ../shared/golden (format in its README.md): one JSON object per case,
 * tensors as {"shape": [...], "data": [...]} in row-major order. Inputs are float32-representable,
 * so they are read as float; expected values stay double. assertClose is the README's tolerance:
 * max |actual - expected| <= tol * max(1, max |expected|).
 */
package org.sparkcnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.opentest4j.TestAbortedException;

public final class Golden {
  /** Forward values and gradients, relative to the tensor's magnitude (README.md). */
  public static final double FORWARD_TOL = 1e-5;

  public static final double GRAD_TOL = 1e-4;

  private static final ObjectMapper JSON = new ObjectMapper();

  private Golden() {}

  /**
   * The case files matching a glob, e.g. "conv2d_*.json", sorted by name. Without the golden folder
   * it returns the glob itself as the one case, so that the test runs, reads it and is reported as
   * skipped (a method source that aborts makes its tests vanish from the counts).
   */
  public static List<String> cases(String glob) {
    Path dir;
    try {
      dir = SharedData.golden();
    } catch (TestAbortedException e) {
      return List.of(glob);
    }
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, glob)) {
      ds.forEach(p -> names.add(p.getFileName().toString()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    names.sort(null);
    return names;
  }

  public static JsonNode read(String name) {
    try {
      return JSON.readTree(SharedData.golden().resolve(name).toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static int[] shape(JsonNode tensor) {
    return intArray(tensor.get("shape"));
  }

  public static int[] intArray(JsonNode array) {
    int[] a = new int[array.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = array.get(i).intValue();
    }
    return a;
  }

  /** A tensor's data as float32 (for inputs, weights and upstream gradients). */
  public static float[] floats(JsonNode tensor) {
    double[] d = doubles(tensor);
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }

  /** A tensor's data as double (for expected values); checks it against the shape. */
  public static double[] doubles(JsonNode tensor) {
    JsonNode data = tensor.get("data");
    double[] d = new double[data.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = data.get(i).doubleValue();
    }
    assertEquals(
        Arrays.stream(shape(tensor)).reduce(1, (a, b) -> a * b),
        d.length,
        "tensor data does not match its shape");
    return d;
  }

  /** A flat little-endian float32 file next to the JSON cases. */
  public static float[] f32File(String name) {
    try {
      byte[] bytes = Files.readAllBytes(SharedData.golden().resolve(name));
      float[] v = new float[bytes.length / 4];
      ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
      return v;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** max |actual - expected| <= tol * max(1, max |expected|), over the first expected.length. */
  public static void assertClose(String what, double[] expected, float[] actual, double tol) {
    if (actual.length < expected.length) {
      fail(what + ": expected " + expected.length + " values, got " + actual.length);
    }
    assertClose(what, expected, toDouble(actual, expected.length), tol);
  }

  public static void assertClose(String what, double[] expected, double[] actual, double tol) {
    assertClose(what, expected, actual, tol, 1);
  }

  /**
   * As assertClose, with the scale floored at minScale instead of 1: minScale 0 makes the check
   * relative to the tensor's own magnitude, for tensors much smaller than 1.
   */
  public static void assertClose(
      String what, double[] expected, double[] actual, double tol, double minScale) {
    assertEquals(expected.length, actual.length, what + ": length");
    double scale = minScale;
    for (double e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    double worst = -1;
    int at = -1;
    for (int i = 0; i < expected.length; i++) {
      double err = Math.abs(actual[i] - expected[i]);
      if (!(err <= worst)) { // NaN counts as the worst
        worst = err;
        at = i;
      }
    }
    if (!(worst <= tol * scale)) {
      fail(
          String.format(
              "%s: max error %.3g at index %d (expected %.8g, got %.8g) exceeds" + " %.1g * %.3g",
              what, worst, at, expected[at], actual[at], tol, scale));
    }
  }

  public static double[] toDouble(float[] f, int len) {
    double[] d = new double[len];
    for (int i = 0; i < len; i++) {
      d[i] = f[i];
    }
    return d;
  }
}

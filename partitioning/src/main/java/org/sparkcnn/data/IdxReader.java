/*
 * Reads the IDX files that MNIST and Fashion-MNIST ship in (http://yann.lecun.com/exdb/mnist/): a
 * big-endian header of magic 0x00 0x00 <type> <dims>, one int32 size per dimension, then the data.
 * Only unsigned-byte images (idx3) and labels (idx1) are needed. A file may be gzipped or plain;
 * gzip is recognised by its magic bytes, not its name. Every problem is an IOException that names
 * the file, says what was wrong and what was expected, so a user can fix their data folder.
 */
package org.sparkcnn.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

public final class IdxReader {
  static final int IMAGES_MAGIC = 0x0803;
  static final int LABELS_MAGIC = 0x0801;
  private static final int UNSIGNED_BYTE = 0x08;
  private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

  /** {@code count} images of rows x cols; pixels: [count, rows, cols], unsigned bytes. */
  public record Images(int count, int rows, int cols, byte[] pixels) {}

  private IdxReader() {}

  public static Images readImages(InputStream in, String name) throws IOException {
    InputStream s = open(in, name);
    int[] dims = header(s, name, IMAGES_MAGIC, "idx3 unsigned byte images", "count, rows, cols");
    long total = (long) dims[0] * dims[1]; // below 2^62; times cols only where it cannot wrap
    if (total > MAX_ARRAY && dims[2] != 0 || total * dims[2] > MAX_ARRAY) {
      throw error(
          name,
          dims[0]
              + " images of "
              + dims[1]
              + "x"
              + dims[2]
              + " are more"
              + " than one Java array holds ("
              + MAX_ARRAY
              + " bytes); is the header corrupt?");
    }
    total *= dims[2];
    byte[] pixels = data(s, name, (int) total, "pixel bytes");
    return new Images(dims[0], dims[1], dims[2], pixels);
  }

  /** Labels as unsigned bytes, one per record. */
  public static byte[] readLabels(InputStream in, String name) throws IOException {
    InputStream s = open(in, name);
    int[] dims = header(s, name, LABELS_MAGIC, "idx1 unsigned byte labels", "count");
    return data(s, name, dims[0], "label bytes");
  }

  public static Images readImages(Path p) throws IOException {
    try (InputStream in = Files.newInputStream(p)) {
      return readImages(in, p.toString());
    }
  }

  public static byte[] readLabels(Path p) throws IOException {
    try (InputStream in = Files.newInputStream(p)) {
      return readLabels(in, p.toString());
    }
  }

  /** Throws IllegalArgumentException, naming both files, when the record counts differ. */
  public static void checkSameCount(
      Images images, byte[] labels, String imagesName, String labelsName) {
    if (images.count() != labels.length) {
      throw new IllegalArgumentException(
          imagesName
              + " holds "
              + images.count()
              + " images but "
              + labelsName
              + " holds "
              + labels.length
              + " labels; expected the same count (are the two files from the same split?)");
    }
  }

  /** dir/baseName if it is a file, else dir/baseName.gz if that is, else empty. */
  public static Optional<Path> find(Path dir, String baseName) {
    for (Path p : new Path[] {dir.resolve(baseName), dir.resolve(baseName + ".gz")}) {
      if (Files.isRegularFile(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** The stream itself, or its decompressed contents if it starts with gzip's 0x1f 0x8b. */
  private static InputStream open(InputStream in, String name) throws IOException {
    BufferedInputStream b = new BufferedInputStream(in, 1 << 16);
    b.mark(2);
    int b0 = b.read();
    int b1 = b.read();
    b.reset();
    if (b0 != 0x1f || b1 != 0x8b) {
      return b;
    }
    try {
      return new BufferedInputStream(new GZIPInputStream(b, 1 << 16), 1 << 16);
    } catch (IOException e) {
      throw error(name, "starts like gzip (0x1f 0x8b) but its gzip header is broken: " + e, e);
    }
  }

  /** Checks the magic and returns the sizes, each checked to be non-negative. */
  private static int[] header(
      InputStream in, String name, int expected, String what, String dimNames) throws IOException {
    String want = String.format("expected magic %d (0x%08x, %s)", expected, expected, what);
    byte[] m = read(in, name, 4, "header");
    if (m.length < 4) {
      throw error(name, want + ", but the file has only " + m.length + " bytes");
    }
    int magic = int32(m, 0);
    int type = m[2] & 0xff;
    int dims = m[3] & 0xff;
    if (magic != expected) {
      String found = String.format("found %d (0x%08x)", magic, magic);
      if ((magic >>> 16) != 0) {
        throw error(name, want + ", " + found + ": not an IDX file");
      }
      if (type != UNSIGNED_BYTE) {
        throw error(
            name,
            want
                + ", "
                + found
                + ": data type 0x"
                + Integer.toHexString(type)
                + " ("
                + typeName(type)
                + "), expected 0x08 (unsigned byte)");
      }
      String hint =
          magic == IMAGES_MAGIC
              ? " (an images file?)"
              : magic == LABELS_MAGIC ? " (a labels file?)" : "";
      throw error(
          name,
          want
              + ", "
              + found
              + hint
              + ": "
              + dims
              + " dimensions, expected "
              + (expected & 0xff)
              + " ("
              + dimNames
              + ")");
    }
    byte[] sizes = read(in, name, 4 * dims, "dimension sizes");
    if (sizes.length < 4 * dims) {
      throw error(
          name,
          "expected "
              + dims
              + " dimension sizes ("
              + dimNames
              + ") after the magic, file ends after "
              + (4 + sizes.length)
              + " bytes");
    }
    int[] d = new int[dims];
    String[] names = dimNames.split(", ");
    for (int i = 0; i < dims; i++) {
      d[i] = int32(sizes, 4 * i);
      if (d[i] < 0) {
        throw error(
            name,
            "dimension "
                + i
                + " ("
                + names[i]
                + ") is "
                + d[i]
                + ", expected a size >= 0; is the header corrupt?");
      }
    }
    return d;
  }

  /** Exactly n data bytes, and then the end of the file. */
  private static byte[] data(InputStream in, String name, int n, String what) throws IOException {
    byte[] b = read(in, name, n, what);
    if (b.length < n) {
      throw error(
          name,
          "expected "
              + n
              + " "
              + what
              + ", file ends after "
              + b.length
              + " of them (truncated download?)");
    }
    if (read(in, name, 1, what).length > 0) {
      throw error(
          name,
          "expected "
              + n
              + " "
              + what
              + " as the header says, but the file "
              + "holds more data after them; is the header wrong?");
    }
    return b;
  }

  /** Up to n bytes, fewer only at the end of the stream; read errors get the file's name. */
  private static byte[] read(InputStream in, String name, int n, String what) throws IOException {
    try {
      return in.readNBytes(n); // grows in chunks, so a false huge size fails cheaply
    } catch (IOException e) {
      throw error(name, "cannot read the " + what + ": " + e, e);
    }
  }

  private static int int32(byte[] b, int at) {
    return (b[at] & 0xff) << 24
        | (b[at + 1] & 0xff) << 16
        | (b[at + 2] & 0xff) << 8
        | (b[at + 3] & 0xff);
  }

  private static String typeName(int type) {
    return switch (type) {
      case 0x08 -> "unsigned byte";
      case 0x09 -> "signed byte";
      case 0x0B -> "short";
      case 0x0C -> "int";
      case 0x0D -> "float";
      case 0x0E -> "double";
      default -> "unknown";
    };
  }

  private static IOException error(String name, String message) {
    return new IOException(name + ": " + message);
  }

  private static IOException error(String name, String message, Throwable cause) {
    return new IOException(name + ": " + message, cause);
  }
}

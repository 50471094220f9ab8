/*
 * Images in folders, the ImageNet layout: ROOT/<split>/<class>/<file>, with the training split in
 * train/ and the test split in val/ (or test/). Any format javax.imageio reads (JPEG, PNG, GIF,
 * BMP), grey or colour, any size, any file name. The classes are the sub-folders of train/, in
 * sorted order; ids are dense in (class, file name) order. check() lists the folders on the driver
 * and names an empty class, a class that only the test split has and a file it cannot read; load()
 * reads the files with Spark's binaryFile source and decodes them on the executors
 * (ImageDecoder.read), each resized so that its shorter side is `size` and centre-cropped to size
 * x size RGB (torchvision's Resize + CenterCrop). A file that does not decode cleanly is skipped
 * with a warning naming it, and its id stays unused; the driver counts the skipped ones against
 * listing() (data.max_bad_fraction). "Cleanly" matters: javax.imageio's JPEG reader returns a
 * truncated JPEG as a partly grey image and only warns ("Premature end of JPEG file", "Missing EOI
 * marker"), so every reader warning counts as corruption here, as a truncated file is an error for
 * PIL (torchvision's loader).
 * One reading of the files, raw(), feeds three views of a split: load() (decoded pixels),
 * rawFiles() (the original files, for `prepare --format encoded`) and loadEncoded() (the files
 * kept encoded, for data.cache: encoded). It is its own encoded form (Source.Encoded):
 * loadEncoded() decodes each file once to check it and keeps the file, not the pixels, so it skips
 * exactly the files load() skips, with the same warning, and decodeFile() is decode().
 */
package org.sparkcnn.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.LoggerFactory;
import org.sparkcnn.data.jpeg.ImageDecoder;
import org.sparkcnn.engine.Shape;

public record FolderSource(String root, int size, int trainLimit, int testLimit)
    implements Source, Source.Encoded {
  /** The undecoded files of a split: id, label, the file's path (a URI) and its bytes. */
  public static final StructType FILES =
      new StructType()
          .add("id", DataTypes.LongType, false)
          .add("label", DataTypes.IntegerType, false)
          .add("path", DataTypes.StringType, false)
          .add("content", DataTypes.BinaryType, false);

  public FolderSource {
    if (size < 8) {
      throw new IllegalArgumentException("image size " + size + ": expected at least 8");
    }
  }

  @Override
  public Shape shape() {
    return Shape.of(3, size, size);
  }

  @Override
  public int classes() {
    return classNames().size();
  }

  /** The class folders of the training split, sorted. */
  @Override
  public List<String> classNames() {
    return subfolders(split(Split.TRAIN));
  }

  private Path split(Split s) {
    Path r = Path.of(root);
    if (s == Split.TRAIN) {
      return r.resolve("train");
    }
    return Files.isDirectory(r.resolve("val")) || !Files.isDirectory(r.resolve("test"))
        ? r.resolve("val")
        : r.resolve("test");
  }

  private static List<String> subfolders(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(
          "no image folder "
              + dir
              + " (data.dir must hold"
              + " train/<class>/ and val/<class>/ or test/<class>/)");
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  /** (class, file) of a split, sorted by class then file name; checked as check() says. */
  List<Path> files(Split s) {
    List<String> classes = classNames();
    if (classes.isEmpty()) {
      throw new IllegalArgumentException(split(Split.TRAIN) + " has no class folders");
    }
    Path dir = split(s);
    for (String c : subfolders(dir)) {
      if (!classes.contains(c)) {
        throw new IllegalArgumentException(
            "the label folder "
                + dir.resolve(c)
                + " appears only"
                + " in the test split; the classes are the folders of "
                + split(Split.TRAIN)
                + ": "
                + classes);
      }
    }
    List<Path> out = new ArrayList<>();
    for (String c : classes) {
      Path folder = dir.resolve(c);
      if (!Files.isDirectory(folder)) {
        continue; // a class may be missing from the test split
      }
      try (Stream<Path> st = Files.list(folder)) {
        List<Path> images = st.filter(Files::isRegularFile).sorted().toList();
        if (images.isEmpty()) {
          throw new IllegalArgumentException("the class folder " + folder + " holds no files");
        }
        out.addAll(images);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + folder + ": " + e.getMessage(), e);
      }
    }
    int limit = s == Split.TRAIN ? trainLimit : testLimit;
    return limit > 0 && limit < out.size() ? out.subList(0, limit) : out;
  }

  @Override
  public void check() {
    for (Split s : Split.values()) {
      for (Path p : files(s)) {
        if (!Files.isReadable(p)) {
          throw new IllegalArgumentException(
              "cannot read the image "
                  + p
                  + ": no read"
                  + " permission (every file under the class folders must be readable)");
        }
      }
    }
  }

  @Override
  public Optional<List<String>> listing(Split split) {
    return Optional.of(files(split).stream().map(Path::toString).toList());
  }

  @Override
  public Dataset<Row> load(SparkSession spark, Split split) {
    int side = size;
    var rows =
        raw(spark, split)
            .flatMap(
                r -> {
                  byte[] px = decodedOrNull(r.getLong(0), (byte[]) r.get(3), side, r.getString(2));
                  return px == null
                      ? Collections.<Row>emptyIterator()
                      : List.of(new Sample(r.getLong(0), r.getInt(1), px).toRow()).iterator();
                });
    return spark.createDataFrame(rows, Sample.SCHEMA);
  }

  /** The split's files as they are, undecoded: rows of FILES, ids and labels as in load(). */
  public Dataset<Row> rawFiles(SparkSession spark, Split split) {
    return spark.createDataFrame(raw(spark, split), FILES);
  }

  @Override
  public Optional<Source.Encoded> encoded() {
    return Optional.of(this);
  }

  @Override
  public long count(Split split) {
    return files(split).size();
  }

  /**
   * The files of load(), undecoded, with load()'s ids and labels: each is decoded once here to
   * check it (the pixels are dropped), so a file load() skips is skipped here too, with the same
   * warning, and the driver counts it the same way.
   */
  @Override
  public Dataset<Row> loadEncoded(SparkSession spark, Split split) {
    int side = size;
    var rows =
        raw(spark, split)
            .flatMap(
                r -> {
                  byte[] file = (byte[]) r.get(3);
                  return decodedOrNull(r.getLong(0), file, side, r.getString(2)) == null
                      ? Collections.<Row>emptyIterator()
                      : List.of(
                              new EncodedSample(r.getLong(0), r.getInt(1), file, r.getString(2))
                                  .toRow())
                          .iterator();
                });
    return spark.createDataFrame(rows, EncodedSample.SCHEMA);
  }

  @Override
  public byte[] decodeFile(byte[] file, String path) {
    return decode(file, size, path);
  }

  /** Rows of FILES for every listed file of the split: ids dense in listing order. */
  private JavaRDD<Row> raw(SparkSession spark, Split split) {
    List<String> classes = classNames();
    Map<String, long[]> idAndLabel = new HashMap<>(); // "class/file" -> {id, label}
    List<Path> files = files(split);
    for (int i = 0; i < files.size(); i++) {
      Path p = files.get(i);
      String c = p.getParent().getFileName().toString();
      idAndLabel.put(c + "/" + p.getFileName(), new long[] {i, classes.indexOf(c)});
    }
    String[] paths = files.stream().map(Path::toString).toArray(String[]::new);
    return spark
        .read()
        .format("binaryFile")
        .load(paths)
        .select("path", "content")
        .javaRDD()
        .filter(r -> idAndLabel.containsKey(key(r.getString(0))))
        .map(
            r -> {
              long[] il = idAndLabel.get(key(r.getString(0)));
              return RowFactory.create(il[0], (int) il[1], r.getString(0), r.get(1));
            });
  }

  /**
   * The pixels of one file, or null, with a warning on the executor's stderr, if it is corrupt: the
   * one check that decides which samples load() and loadEncoded() skip.
   */
  private static byte[] decodedOrNull(long id, byte[] file, int size, String path) {
    try {
      return decode(file, size, path);
    } catch (IllegalArgumentException e) {
      LoggerFactory.getLogger(FolderSource.class)
          .warn("skipping sample {}: {}", id, e.getMessage());
      return null;
    }
  }

  /** "class/file" of a binaryFile path (a URI, perhaps with escapes such as %20). */
  static String key(String path) {
    String p = path;
    try {
      p = new URI(path).getPath();
    } catch (URISyntaxException e) {
      // a raw path with characters a URI does not allow: use it as it is
    }
    int f = p.lastIndexOf('/');
    int c = p.lastIndexOf('/', f - 1);
    return p.substring(c + 1);
  }

  /**
   * Decodes an image file and returns size x size RGB pixels as [3, size, size] bytes: the shorter
   * side scaled to size (bilinear), the centre cropped. IllegalArgumentException naming the path if
   * the file is not an image, is corrupt or is truncated.
   */
  public static byte[] decode(byte[] file, int size, String path) {
    return squarePixels(ImageDecoder.read(file, path), size);
  }

  /**
   * The [3, size, size] RGB bytes of a decoded image as decode() makes them: the shorter side
   * scaled to size (bilinear), the centre cropped. A grey image gives three equal planes.
   */
  public static byte[] squarePixels(BufferedImage img, int size) {
    int w = img.getWidth();
    int h = img.getHeight();
    int crop = Math.min(w, h); // the centre square, scaled to size x size
    int x0 = (w - crop) / 2;
    int y0 = (h - crop) / 2;
    BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
    g.drawImage(img, 0, 0, size, size, x0, y0, x0 + crop, y0 + crop, null);
    g.dispose();
    byte[] px = new byte[3 * size * size];
    int plane = size * size;
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        int rgb = out.getRGB(x, y);
        px[y * size + x] = (byte) (rgb >> 16);
        px[plane + y * size + x] = (byte) (rgb >> 8);
        px[2 * plane + y * size + x] = (byte) rgb;
      }
    }
    return px;
  }

  /** The stored size of an image file: {channels (1 grey, 3 colour; alpha not counted), H, W}. */
  public static int[] dimensions(byte[] file, String path) {
    BufferedImage img = ImageDecoder.read(file, path);
    return new int[] {img.getColorModel().getNumColorComponents(), img.getHeight(), img.getWidth()};
  }
}

/*
 * An augmentation pipeline for one input shape: per-sample ops in order, then the batch ops
 * (mixup, cutmix). Op k of sample id in epoch e draws from the stream Rng.of(seed, STREAM, e, id,
 * place of the op in its config list), so a sample's pixels depend on nothing but the seed, the
 * epoch and its id (DESIGN.md contract 3). Immutable and serializable: it travels to the
 * executors with each step; Augmenter holds the buffers it runs in. A pipeline whose first op
 * takes any size (random_resized_crop, resize to [h, w], center_crop), or that starts with resize
 * to a shorter side then center_crop, runs on images of any size, that op drawing from the actual
 * size; given an encoded image, it decodes only the window that op reads (EncodedAugmenter).
 */
package org.sparkcnn.data.augment;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;

public final class Pipeline implements Serializable {
  /** Tags the augmentation streams among the job's random streams. */
  static final long STREAM = 0x4155_474DL;

  private final Shape input;
  private final List<SampleOp<?>> ops;
  private final int[] places; // [ops]: each op's index in its config list
  private final List<BatchMix> mixes;
  private final int[] mixPlaces; // [mixes]

  Pipeline(
      Shape input, List<SampleOp<?>> ops, int[] places, List<BatchMix> mixes, int[] mixPlaces) {
    this.input = input;
    this.ops = List.copyOf(ops);
    this.places = places.clone();
    this.mixes = List.copyOf(mixes);
    this.mixPlaces = mixPlaces.clone();
  }

  /** The pipeline that changes nothing. */
  public static Pipeline identity(Shape input) {
    return new Pipeline(input, List.of(), new int[0], List.of(), new int[0]);
  }

  public Shape input() {
    return input;
  }

  /** The shape of the samples it makes: the model's input. */
  public Shape output() {
    return ops.isEmpty() ? input : ops.get(ops.size() - 1).outputShape();
  }

  public boolean isEmpty() {
    return ops.isEmpty() && mixes.isEmpty();
  }

  /** Whether it mixes samples (mixup, cutmix), so that training needs soft targets. */
  public boolean mixes() {
    return !mixes.isEmpty();
  }

  /** Its normalize op, if it has one; then the dataset normalisation is not applied. */
  public Optional<float[][]> normalization() {
    for (SampleOp<?> op : ops) {
      if (op instanceof Normalize n) {
        return Optional.of(new float[][] {n.mean().clone(), n.std().clone()});
      }
    }
    return Optional.empty();
  }

  /** The op names in order, e.g. [random_crop, hflip, mixup]. */
  public List<String> names() {
    List<String> names = new ArrayList<>();
    ops.forEach(op -> names.add(op.name()));
    mixes.forEach(m -> names.add(m.name()));
    return names;
  }

  /** The same pipeline without its normalize ops: pixels stay in [0, 1], for looking at. */
  public Pipeline withoutNormalize() {
    List<SampleOp<?>> kept = new ArrayList<>();
    List<Integer> keptPlaces = new ArrayList<>();
    for (int i = 0; i < ops.size(); i++) {
      if (!(ops.get(i) instanceof Normalize)) {
        kept.add(ops.get(i));
        keptPlaces.add(places[i]);
      }
    }
    return new Pipeline(
        input, kept, keptPlaces.stream().mapToInt(Integer::intValue).toArray(), mixes, mixPlaces);
  }

  /**
   * Whether it takes images of any size (with the input's channels): its first op does
   * (random_resized_crop, resize to [h, w], center_crop), or it starts with resize to a shorter
   * side n then a center_crop of at most n x n (torchvision's evaluation transform), which make the
   * same shape of any image.
   */
  public boolean anySize() {
    if (ops.isEmpty()) {
      return false;
    }
    if (ops.get(0).anySize()) {
      return true;
    }
    return ops.size() > 1
        && ops.get(0) instanceof Resize r
        && r.shorter() > 0
        && ops.get(1) instanceof CenterCrop c
        && c.h() <= r.shorter()
        && c.w() <= r.shorter();
  }

  /** An image the decoder describes before decoding it: its size, then the pixels of a window. */
  interface Encoded {
    int height();

    int width();

    /** dst [input channels, window[2], window[3]] = the window {top, left, h, w} in [0, 1]. */
    void decode(int[] window, Image dst);
  }

  /**
   * Runs the per-sample ops of sample id on a (which holds its pixels), using b as the second
   * buffer; returns whichever of the two holds the result. a has the input's size, or any size if
   * anySize().
   */
  Image run(Image a, Image b, long seed, int epoch, long id) {
    check(a.c, a.h, a.w);
    return runFrom(0, a, b, seed, epoch, id);
  }

  /**
   * Runs sample id on an encoded image: when the first op takes any size, only the window it reads
   * is decoded (into a), else the whole image. Returns a or b, whichever holds the result.
   */
  Image run(Encoded image, Image a, Image b, long seed, int epoch, long id) {
    int h = image.height();
    int w = image.width();
    check(input.c(), h, w);
    if (!anySize()) {
      image.decode(new int[] {0, 0, h, w}, a);
      return runFrom(0, a, b, seed, epoch, id);
    }
    firstWindow(ops.get(0), Rng.of(seed, STREAM, epoch, id, places[0]), image, a, b);
    return runFrom(1, b, a, seed, epoch, id);
  }

  private static <P> void firstWindow(SampleOp<P> op, Rng r, Encoded image, Image a, Image b) {
    int h = image.height();
    int w = image.width();
    P params = op.draw(r, h, w); // ops that take any size always apply (p = 1)
    int[] window = op.window(params, h, w);
    image.decode(window, a);
    op.applyWindow(a, window, params, b);
  }

  private void check(int c, int h, int w) {
    if (c != input.c()) {
      throw new IllegalArgumentException(
          "the augmentation pipeline "
              + names()
              + " takes "
              + input.c()
              + "-channel images; got a "
              + c
              + "-channel image");
    }
    if ((h != input.h() || w != input.w()) && !anySize()) {
      throw new IllegalArgumentException(
          "the augmentation pipeline "
              + names()
              + " is built for "
              + input
              + " images and got a "
              + c
              + "x"
              + h
              + "x"
              + w
              + " image; only a pipeline whose"
              + " first op is random_resized_crop, resize to [h, w] or center_crop takes images of any"
              + " size (or resize to a shorter side n then a center_crop of at most n x n)");
    }
  }

  /** Runs ops from..end on src, with dst as the second buffer. */
  private Image runFrom(int from, Image src, Image dst, long seed, int epoch, long id) {
    for (int k = from; k < ops.size(); k++) {
      SampleOp<?> op = ops.get(k);
      Rng r = Rng.of(seed, STREAM, epoch, id, places[k]);
      if (op.p() < 1 && r.nextDouble() >= op.p()) {
        continue;
      }
      step(op, r, src, dst);
      Image t = src;
      src = dst;
      dst = t;
    }
    return src;
  }

  private static <P> void step(SampleOp<P> op, Rng r, Image src, Image dst) {
    op.apply(src, op.draw(r, src.h, src.w), dst);
  }

  /** The per-sample ops, in order. */
  List<SampleOp<?>> ops() {
    return ops;
  }

  int mixCount() {
    return mixes.size();
  }

  /** Sample id's draw of batch op k, or null if it is not mixed. */
  BatchMix.Mix drawMix(int k, long seed, int epoch, long id) {
    return mixes.get(k).draw(Rng.of(seed, STREAM, epoch, id, mixPlaces[k]), output());
  }
}

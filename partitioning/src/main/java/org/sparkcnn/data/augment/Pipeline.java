/*
 * An augmentation pipeline for one input shape: per-sample ops in order, then the batch ops
 * (mixup, cutmix). Op k of sample id in epoch e draws from the stream Rng.of(seed, STREAM, e, id,
 * place of the op in its config list), so a sample's pixels depend on nothing but the seed, the
 * epoch and its id (DESIGN.md contract 3). Immutable and serializable: it travels to the
 * executors with each step; Augmenter holds the buffers it runs in.
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

  Pipeline(Shape input, List<SampleOp<?>> ops, int[] places, List<BatchMix> mixes,
      int[] mixPlaces) {
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
    return new Pipeline(input, kept, keptPlaces.stream().mapToInt(Integer::intValue).toArray(),
        mixes, mixPlaces);
  }

  /**
   * Runs the per-sample ops of sample id on a (which holds its pixels), using b as the second
   * buffer; returns whichever of the two holds the result.
   */
  Image run(Image a, Image b, long seed, int epoch, long id) {
    Image src = a;
    Image dst = b;
    for (int k = 0; k < ops.size(); k++) {
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
    op.apply(src, op.draw(r), dst);
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

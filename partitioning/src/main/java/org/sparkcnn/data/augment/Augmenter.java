/*
 * Runs a pipeline over a block's samples on an executor, in buffers it keeps between steps: each
 * sample's bytes are scaled to [0, 1], go through the per-sample ops, are normalised (by the
 * pipeline's normalize op, else by the dataset's normaliser) and land in the batch; then the batch
 * ops mix the batch and its targets. The samples of an encoded block may instead go straight from
 * their files into a pipeline whose first op takes any size (gatherFiles): that op then draws from
 * the file's own size, as torchvision's ImageFolder + RandomResizedCrop does, not from the
 * image_size decode. One Augmenter per model replica: not thread-safe.
 */
package org.sparkcnn.data.augment;

import java.util.Arrays;
import org.sparkcnn.data.Block;
import org.sparkcnn.data.Normalizer;

public final class Augmenter {
  private final Image a = new Image();
  private final Image b = new Image();
  private float[] srcX = new float[0]; // [n, C, H, W]: the batch before a batch op
  private float[] srcTargets = new float[0]; // [n, classes]

  /**
   * x: [count, C', H', W'] (the pipeline's output shape) and y: [count] receive the samples
   * order[from .. from + count) of block, augmented for epoch (order == null: the identity). When
   * the pipeline mixes, targets [count, classes] receive the soft targets, else it is not touched
   * (and may be null).
   */
  public void gather(
      Pipeline pipe,
      Block block,
      int[] order,
      int from,
      int count,
      Normalizer norm,
      long seed,
      int epoch,
      float[] x,
      int[] y,
      float[] targets,
      int classes) {
    int inSize = block.shape().size();
    int outSize = pipe.output().size();
    int channels = block.shape().dim(0);
    int plane = outSize / channels;
    boolean datasetNorm = pipe.normalization().isEmpty();
    byte[] px = block.pixels();
    long[] ids = new long[count];
    for (int i = 0; i < count; i++) {
      int s = order == null ? from + i : order[from + i];
      a.reshape(block.shape().dim(0), block.shape().dim(1), block.shape().dim(2));
      for (int j = 0; j < inSize; j++) {
        a.px[j] = (px[s * inSize + j] & 0xFF) / 255f;
      }
      ids[i] = block.id(s);
      Image out = pipe.run(a, b, seed, epoch, ids[i]);
      if (datasetNorm) {
        norm.apply(out.px, 0, plane);
      }
      System.arraycopy(out.px, 0, x, i * outSize, outSize);
      y[i] = block.label(s);
    }
    mixIfAny(pipe, ids, count, seed, epoch, x, y, targets, classes);
  }

  /**
   * As gather, for an encoded block whose files go straight into pipe (which takes any size and
   * 3-channel images): each file is decoded by files with pipe's first op drawn from the file's own
   * size; the dataset's normaliser applies when pipe has no normalize op, as in gather.
   */
  public void gatherFiles(
      Pipeline pipe,
      EncodedAugmenter files,
      Block block,
      int[] order,
      int from,
      int count,
      Normalizer norm,
      long seed,
      int epoch,
      float[] x,
      int[] y,
      float[] targets,
      int classes) {
    if (!pipe.anySize()) {
      throw new IllegalArgumentException(
          "the pipeline "
              + pipe.names()
              + " takes images of one"
              + " size only; expected a first op that takes any size (random_resized_crop, resize to"
              + " [h, w], center_crop) to read files of their own size");
    }
    int outSize = pipe.output().size();
    int plane = outSize / pipe.output().c();
    boolean datasetNorm = pipe.normalization().isEmpty();
    byte[] bytes = block.files();
    int[] offsets = block.offsets();
    long[] ids = new long[count];
    for (int i = 0; i < count; i++) {
      int s = order == null ? from + i : order[from + i];
      ids[i] = block.id(s);
      files.augment(
          pipe,
          Arrays.copyOfRange(bytes, offsets[s], offsets[s + 1]),
          block.path(s),
          seed,
          epoch,
          ids[i],
          x,
          i * outSize);
      if (datasetNorm) {
        norm.apply(x, i * outSize, plane);
      }
      y[i] = block.label(s);
    }
    mixIfAny(pipe, ids, count, seed, epoch, x, y, targets, classes);
  }

  /** When pipe mixes: targets [count, classes] = one-hot y, then the batch ops mix x and them. */
  private void mixIfAny(
      Pipeline pipe,
      long[] ids,
      int count,
      long seed,
      int epoch,
      float[] x,
      int[] y,
      float[] targets,
      int classes) {
    if (pipe.mixes()) {
      Arrays.fill(targets, 0, count * classes, 0f);
      for (int i = 0; i < count; i++) {
        if (y[i] < 0 || y[i] >= classes) {
          throw new IllegalArgumentException(
              "label "
                  + y[i]
                  + " of sample "
                  + ids[i]
                  + " is outside the model's classes 0.."
                  + (classes - 1));
        }
        targets[i * classes + y[i]] = 1f;
      }
      mix(pipe, ids, count, seed, epoch, x, targets, classes);
    }
  }

  /** Applies the batch ops in turn, each to the batch the previous one left. */
  private void mix(
      Pipeline pipe,
      long[] ids,
      int n,
      long seed,
      int epoch,
      float[] x,
      float[] targets,
      int classes) {
    int size = pipe.output().size();
    if (srcX.length < n * size) {
      srcX = new float[n * size];
    }
    if (srcTargets.length < n * classes) {
      srcTargets = new float[n * classes];
    }
    for (int k = 0; k < pipe.mixCount(); k++) {
      System.arraycopy(x, 0, srcX, 0, n * size);
      System.arraycopy(targets, 0, srcTargets, 0, n * classes);
      for (int i = 0; i < n; i++) {
        BatchMix.Mix m = pipe.drawMix(k, seed, epoch, ids[i]);
        if (m != null) {
          int j = (i + 1) % n;
          BatchMix.apply(
              m,
              pipe.output(),
              srcX,
              i * size,
              j * size,
              x,
              srcTargets,
              i * classes,
              j * classes,
              targets,
              classes);
        }
      }
    }
  }
}

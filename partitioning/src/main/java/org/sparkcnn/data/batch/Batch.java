/*
 * One local minibatch on an executor, with the buffers it is assembled in: the model's input
 * x [n, C', H', W'], the labels y [n] and, when the pipeline mixes (mixup, cutmix), the soft
 * targets [n, classes]; plus its scratch (the augmenter's images, and the selected samples decoded
 * when the block is encoded). Filling a batch is a pure function of (recipe, block, order, range,
 * epoch): the samples' pixels, decoded with the source's own decoder when the block holds files,
 * then the same augmentation and normalisation. That is what lets the Prefetcher fill one ahead,
 * on another thread or not at all, for the same bits. One thread fills or reads a batch at a time.
 * An encoded block whose pipeline starts with an op of any size (fromFiles) skips the decoder:
 * each file goes at its own size straight into the pipeline (EncodedAugmenter), so that
 * random_resized_crop, or resize + center_crop for evaluation, reads the original image as
 * torchvision's ImageFolder does, not one already shrunk to data.image_size.
 */
package org.sparkcnn.data.batch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.sparkcnn.data.Block;
import org.sparkcnn.data.Normalizer;
import org.sparkcnn.data.Source;
import org.sparkcnn.data.augment.Augmenter;
import org.sparkcnn.data.augment.EncodedAugmenter;
import org.sparkcnn.data.augment.Pipeline;
import org.sparkcnn.data.jpeg.ImageDecoder;

public final class Batch {
  /**
   * What a run's batches are made of, the same for all its steps: the pipeline, the dataset's
   * normaliser, the decoder of encoded blocks (null for decoded ones), the seed, the classes of the
   * soft targets, and where the JPEG files that go straight into the pipeline are decoded.
   */
  public record Recipe(
      Pipeline pipeline,
      Normalizer norm,
      Source.Encoded decoder,
      long seed,
      int classes,
      ImageDecoder.JpegPath jpeg)
      implements Serializable {
    /** A recipe whose JPEG files go to the own decoder first. */
    public Recipe(
        Pipeline pipeline, Normalizer norm, Source.Encoded decoder, long seed, int classes) {
      this(pipeline, norm, decoder, seed, classes, ImageDecoder.JpegPath.OWN);
    }

    /** A 64-bit digest of the whole recipe (its Java serialization), to key prefetched batches. */
    public long fingerprint() {
      try {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
          out.writeObject(this);
        }
        return ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray()))
            .getLong();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot serialise the batch recipe: " + e.getMessage(), e);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("this JVM has no SHA-256", e);
      }
    }
  }

  public float[] x = new float[0]; // [n, C', H', W']
  public int[] y = new int[0]; // [n]
  public float[] targets = new float[0]; // [n, classes]: soft targets of mixup and cutmix
  private final Augmenter augmenter = new Augmenter();
  private Block decoded; // the selected samples of an encoded block, decoded: [n, C, H, W]
  private EncodedAugmenter files; // decodes files into the pipeline; made on first use

  /**
   * Whether an encoded block's files go straight into pipe at their own size: its first op takes
   * any size (random_resized_crop, resize to [h, w], center_crop) and it takes RGB images.
   */
  public static boolean fromFiles(Pipeline pipe) {
    return pipe.anySize() && pipe.input().c() == 3;
  }

  /** Room for n samples of inputSize floats and their classes targets; grows, never shrinks. */
  public void ensure(int n, int inputSize, int classes) {
    if (y.length < n) {
      y = new int[n];
    }
    if (x.length < n * inputSize) {
      x = new float[n * inputSize];
    }
    if (targets.length < n * classes) {
      targets = new float[n * classes];
    }
  }

  /**
   * x, y (and targets, when the pipeline mixes) receive the samples order[from .. from + n) of
   * block (order == null: the identity) for epoch, augmented and normalised as recipe says.
   */
  public void fill(Recipe recipe, Block block, int[] order, int from, int n, int epoch) {
    Block src = block;
    int[] o = order;
    int f = from;
    if (block.isEncoded() && fromFiles(recipe.pipeline())) {
      if (files == null || files.jpegPath() != recipe.jpeg()) {
        files = new EncodedAugmenter(recipe.jpeg());
      }
      augmenter.gatherFiles(
          recipe.pipeline(),
          files,
          block,
          order,
          from,
          n,
          recipe.norm(),
          recipe.seed(),
          epoch,
          x,
          y,
          targets,
          recipe.classes());
      return;
    }
    if (block.isEncoded()) {
      decoded = block.decode(order, from, n, recipe.decoder(), decoded);
      src = decoded;
      o = null;
      f = 0;
    }
    if (recipe.pipeline().isEmpty()) {
      src.gather(o, f, n, recipe.norm(), x, y);
    } else {
      augmenter.gather(
          recipe.pipeline(),
          src,
          o,
          f,
          n,
          recipe.norm(),
          recipe.seed(),
          epoch,
          x,
          y,
          targets,
          recipe.classes());
    }
  }
}

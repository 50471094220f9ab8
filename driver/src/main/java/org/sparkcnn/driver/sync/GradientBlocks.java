/*
 * How a large step result reaches the driver: through Spark's block manager instead of the task
 * result. A task result is serialized on the executor, wrapped, sent as one RPC message, unwrapped
 * and deserialized on the driver: four or five copies of the whole gradient, each a humongous
 * allocation at ResNet-18's 11.7 M floats (47 MB), which is what made such steps slow and their
 * 90th percentile several times their median (G1 pauses). Here the task stores its gradient sum in
 * its executor's block manager as an object and returns only the block's name; the driver reads
 * the block: in local mode the executor's block manager is the driver's, so it gets the very array
 * with no copy; on a cluster the block is serialized in 4 MB chunks on request and fetched once
 * (the manner of BigDL's parameter exchange through the block manager). The driver removes the
 * block as soon as it has read it.
 * Spark has no public block id for application data; like BigDL we use the test_ namespace
 * (BlockId.apply("test_...")), which Spark itself never writes. A block can be lost with its
 * executor between the task's end and the driver's read: fetch() then answers null and the caller
 * recomputes that partition, which gives the identical result (DESIGN.md contract 3). A block the
 * driver never reads (a speculative duplicate's, whose result Spark drops) is removed by its own
 * executor when that executor publishes for a later step (STEP_PROPERTY tells the steps apart).
 * Results under MIN_FLOATS gradient values stay in the task result, where one small message is
 * cheaper than the block manager's bookkeeping.
 */
package org.sparkcnn.driver.sync;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.storage.BlockId;
import org.apache.spark.storage.BlockManager;
import org.apache.spark.storage.BlockResult;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

public final class GradientBlocks {
  private static final Logger LOG = LoggerFactory.getLogger(GradientBlocks.class);

  /** Gradients of at least this many floats (4 MiB) travel as blocks. */
  static final int MIN_FLOATS = 1 << 20;

  private static final String PREFIX = "test_sparkcnn_gradient_";
  private static final ClassTag<float[]> FLOATS = ClassTag$.MODULE$.apply(float[].class);

  /** The Spark local property naming the step a job belongs to (set by the driver per step). */
  public static final String STEP_PROPERTY = "sparkcnn.step";

  /** Blocks this JVM published, with the step they belong to. */
  private static final Map<String, String> PUBLISHED = new ConcurrentHashMap<>();

  private GradientBlocks() {}

  /**
   * On an executor, at the end of a task: r with its gradient stored as a block of this task
   * attempt, or r as it is when the gradient is small or the block manager refused it.
   */
  static StepResult publish(StepResult r, TaskContext ctx) {
    if (r.gradSum == null || r.gradSum.length < MIN_FLOATS || ctx == null) {
      return r;
    }
    String name = PREFIX + ctx.stageId() + "_" + ctx.partitionId() + "_" + ctx.taskAttemptId();
    BlockManager bm = SparkEnv.get().blockManager();
    String step = ctx.getLocalProperty(STEP_PROPERTY);
    if (step != null) {
      PUBLISHED.forEach(
          (old, oldStep) -> {
            BlockId id = BlockId.apply(old);
            if (!oldStep.equals(step)
                && PUBLISHED.remove(old, oldStep)
                && bm.getStatus(id).isDefined()) { // usually the driver removed it after reading
              bm.removeBlock(id, true);
            }
          });
      PUBLISHED.put(name, step);
    }
    boolean stored =
        bm.putSingle(BlockId.apply(name), r.gradSum, StorageLevel.MEMORY_AND_DISK(), true, FLOATS);
    if (!stored) {
      LOG.warn(
          "the block manager did not take the gradient block {}; it goes back in the task result",
          name);
      return r;
    }
    r.gradSum = null;
    r.gradBlock = name;
    return r;
  }

  /**
   * On the driver: r with its gradient read back from its block (which is then removed), r as it is
   * when it carries its gradient itself, or null when the block is lost.
   */
  static StepResult fetch(StepResult r) {
    if (r.gradBlock == null) {
      return r;
    }
    BlockId id = BlockId.apply(r.gradBlock);
    BlockManager bm = SparkEnv.get().blockManager();
    float[] grads = null;
    try {
      Option<BlockResult> got = bm.get(id, FLOATS);
      if (got.isDefined()) {
        scala.collection.Iterator<Object> values = got.get().data();
        grads = (float[]) values.next();
        while (values.hasNext()) { // exhausting the iterator releases the block's read lock
          values.next();
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("cannot read the gradient block {}", r.gradBlock, e);
    }
    try {
      bm.master().removeBlock(id);
    } catch (RuntimeException e) {
      LOG.debug("cannot remove the gradient block {}", r.gradBlock, e);
    }
    if (grads == null) {
      return null;
    }
    r.gradSum = grads;
    r.gradBlock = null;
    return r;
  }
}

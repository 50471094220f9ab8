/*
 * The executor side of GradientBlocks: a small gradient stays in the task result, a large one
 * becomes a block, and a block that the driver never read (a speculative duplicate's) is removed
 * when its executor publishes for a later step.
 */
package org.sparkcnn.driver.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.BlockId;
import org.junit.jupiter.api.Test;
import org.sparkcnn.driver.TestSpark;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

class GradientBlocksTest {
  /** The names of the gradient blocks the (local) block manager holds now. */
  static List<String> gradientBlocks() {
    return CollectionConverters.asJava(
            SparkEnv.get()
                .blockManager()
                .getMatchingBlockIds(
                    new AbstractFunction1<BlockId, Object>() {
                      @Override
                      public Object apply(BlockId id) {
                        return id.name().startsWith("test_sparkcnn_gradient_");
                      }
                    }))
        .stream()
        .map(BlockId::name)
        .toList();
  }

  /** Publishes a gradient of n floats in one task of step `step`; returns the block name. */
  private static String publishInStep(JavaSparkContext jsc, String step, int n) {
    jsc.setLocalProperty(GradientBlocks.STEP_PROPERTY, step);
    return jsc.parallelize(List.of(1), 1)
        .map(
            x -> {
              StepResult r =
                  GradientBlocks.publish(
                      new StepResult(new float[n], 0, 0, 1, 0), TaskContext.get());
              return r.gradBlock == null ? "inline" : r.gradBlock;
            })
        .collect()
        .get(0);
  }

  @Test
  void smallGradientsStayInTheResultAndLargeOnesBecomeBlocks() {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(TestSpark.get().sparkContext());
    assertEquals("inline", publishInStep(jsc, "small", GradientBlocks.MIN_FLOATS - 1));
    String name = publishInStep(jsc, "large", GradientBlocks.MIN_FLOATS);
    assertTrue(gradientBlocks().contains(name), name + " in " + gradientBlocks());
    StepResult ref = new StepResult(null, 0, 0, 1, 0);
    ref.gradBlock = name;
    StepResult back = GradientBlocks.fetch(ref);
    assertNotNull(back);
    assertEquals(GradientBlocks.MIN_FLOATS, back.gradSum().length);
    assertNull(back.gradBlock);
  }

  @Test
  void aBlockNobodyReadIsRemovedAtItsExecutorsNextStep() throws InterruptedException {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(TestSpark.get().sparkContext());
    String orphan = publishInStep(jsc, "orphan-step-1", GradientBlocks.MIN_FLOATS);
    assertTrue(gradientBlocks().contains(orphan));
    String next = publishInStep(jsc, "orphan-step-2", GradientBlocks.MIN_FLOATS);
    assertTrue(!gradientBlocks().contains(orphan), orphan + " still in " + gradientBlocks());
    assertTrue(gradientBlocks().contains(next));
    StepResult ref = new StepResult(null, 0, 0, 1, 0);
    ref.gradBlock = next;
    assertNotNull(GradientBlocks.fetch(ref));
  }
}

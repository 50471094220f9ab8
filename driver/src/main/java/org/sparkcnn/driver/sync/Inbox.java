/*
 * What has arrived for one task of an all-reduce (TaskMesh, AllReduce), step by step: the slices
 * it owns from every partition, every partition's stats and verdict, the other owners' updated
 * weights, and (for partition 0) their momentum. A peer may
 * be a step ahead, so pieces are kept by step. The waits give up when Spark kills the task (a
 * lost task fails the whole barrier stage), and on a piece that does not fit the exchange.
 */
package org.sparkcnn.driver.sync;

import java.util.HashMap;
import java.util.Map;
import org.apache.spark.TaskContext;

final class Inbox {
  private final int partitions;
  private final int chunks;
  private final TaskContext task; // checked for a kill while waiting; null outside Spark
  private final Map<Integer, Box> boxes = new HashMap<>();
  private String refused; // why a piece was refused: the exchange cannot go on

  /** One step's pieces. */
  private final class Box {
    final Piece[][] parts = new Piece[chunks][];
    final Piece[] weights = new Piece[chunks];
    final Piece[] momentum = new Piece[chunks];
    final StepResult[] stats = new StepResult[partitions];
    final Boolean[] verdicts = new Boolean[partitions];
  }

  Inbox(int partitions, int chunks, TaskContext task) {
    this.partitions = partitions;
    this.chunks = chunks;
    this.task = task;
  }

  synchronized void put(Piece p) {
    if (p.from() < 0
        || p.from() >= partitions
        || (p.kind() != Piece.STATS
            && p.kind() != Piece.VERDICT
            && (p.chunk() < 0 || p.chunk() >= chunks))) {
      refused =
          "a piece from partition "
              + p.from()
              + " for chunk "
              + p.chunk()
              + ", expected"
              + " partitions below "
              + partitions
              + " and chunks below "
              + chunks;
    } else {
      Box b = boxes.computeIfAbsent(p.step(), s -> new Box());
      switch (p.kind()) {
        case Piece.PART -> {
          if (b.parts[p.chunk()] == null) {
            b.parts[p.chunk()] = new Piece[partitions];
          }
          b.parts[p.chunk()][p.from()] = p;
        }
        case Piece.WEIGHTS -> b.weights[p.chunk()] = p;
        case Piece.MOMENTUM -> b.momentum[p.chunk()] = p;
        case Piece.VERDICT -> b.verdicts[p.from()] = p.chunk() == 1;
        default -> b.stats[p.from()] = p.stats();
      }
    }
    notifyAll();
  }

  /** Every partition's slice of chunk at step, in partition order. */
  synchronized Piece[] parts(int step, int chunk) throws InterruptedException {
    Piece[] p;
    while ((p = box(step).parts[chunk]) == null || !full(p)) {
      pause();
    }
    return p;
  }

  /** The owner's updated weights (or mean buffers) of chunk at step, taken out of the inbox. */
  synchronized Piece weights(int step, int chunk) throws InterruptedException {
    Piece p;
    Box b;
    while ((p = (b = box(step)).weights[chunk]) == null) {
      pause();
    }
    b.weights[chunk] = null;
    return p;
  }

  /** The owner's momentum of chunk at step. */
  synchronized Piece momentum(int step, int chunk) throws InterruptedException {
    Piece p;
    while ((p = box(step).momentum[chunk]) == null) {
      pause();
    }
    return p;
  }

  /** Whether every partition's verdict on step is finite. */
  synchronized boolean allFinite(int step) throws InterruptedException {
    Boolean[] v;
    while (!full(v = box(step).verdicts)) {
      pause();
    }
    for (Boolean b : v) {
      if (!b) {
        return false;
      }
    }
    return true;
  }

  /** Every partition's stats of step, in partition order. */
  synchronized StepResult[] stats(int step) throws InterruptedException {
    StepResult[] s;
    while (!full(s = box(step).stats)) {
      pause();
    }
    return s;
  }

  /**
   * Forgets step's pieces (every one of them is used), except, with keepWeights, the weights not
   * taken yet: they are still being gathered.
   */
  synchronized void drop(int step, boolean keepWeights) {
    Box b = boxes.remove(step);
    if (keepWeights && b != null) {
      Box kept = new Box();
      System.arraycopy(b.weights, 0, kept.weights, 0, chunks);
      boxes.put(step, kept);
    }
  }

  private Box box(int step) {
    return boxes.computeIfAbsent(step, s -> new Box());
  }

  private static boolean full(Object[] xs) {
    for (Object x : xs) {
      if (x == null) {
        return false;
      }
    }
    return true;
  }

  private void pause() throws InterruptedException {
    if (refused != null) {
      throw new IllegalStateException("the all-reduce received " + refused);
    }
    if (task != null) {
      task.killTaskIfInterrupted();
    }
    wait(50);
  }
}

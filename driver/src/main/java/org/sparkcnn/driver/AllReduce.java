/*
 * The executor-side sum of train.aggregation: allreduce, run by every task of the barrier stage
 * each step, with the driver off the data path. The gradient and the buffers of a step, as one
 * vector, are cut into P shards, shard s owned by partition s's task, and each shard into chunks
 * of at most CHUNK floats. Reduce-scatter: every task sends each chunk to its owner; the owner
 * adds the P slices of a chunk in OrderedReduce's association (partition order, grouped as the
 * driver groups many partitions), the very additions the driver would make, so every mode gives
 * the same bits. The loss, counts and compute times go to every task and are added there in the
 * same order. Each owner then averages and updates its own shard with the driver's arithmetic
 * (after every task has said its shard is finite: a step that is not finite changes nothing
 * anywhere), and all-gather sends the updated weights and buffers of each shard to every other
 * task. Each task sends and receives (P - 1) / P of the vector twice per step, what a ring
 * all-reduce moves, in parallel over P - 1 connections, and updates 1 / P of it. The
 * reduce-scatter overlaps the backward pass, as DDP's gradient buckets do: backward reports,
 * layer by layer from the last, from where the gradient is final (ready()), and the chunks
 * wholly past that point leave at once, while the earlier layers still compute.
 */
package org.sparkcnn.driver;

import java.util.ArrayList;
import java.util.List;

final class AllReduce implements AutoCloseable {
  /** The most floats one piece carries (1 MiB): large enough to stream, small to pipeline. */
  static final int CHUNK = 1 << 18;

  /** Floats [offset, offset + length) of the gradient (or of the buffers), owned by owner. */
  record Chunk(int owner, boolean buffers, int offset, int length) {}

  private final int partitions;
  private final int me;
  private final Chunk[] chunks;
  private final TaskMesh mesh;
  private final float[] grad; // the step's summed gradient, reused from step to step
  private final float[] buffers; // the summed buffers, or null
  private final int gradChunks; // chunks [0, gradChunks) hold the gradient, in offset order
  private float[] group; // a group's partial sum past the grouping threshold, reused
  private int step = -1; // the step whose gradient is being sent early
  private float[] early; // its gradient array, final from chunk `unsent` on
  private int unsent; // the gradient chunks [0, unsent) of that step are not sent yet

  AllReduce(
      int partitions, int me, Chunk[] chunks, TaskMesh mesh, int gradLength, int bufferLength) {
    this.partitions = partitions;
    this.me = me;
    this.chunks = chunks;
    this.mesh = mesh;
    this.grad = new float[gradLength];
    this.buffers = bufferLength == 0 ? null : new float[bufferLength];
    int g = 0;
    while (g < chunks.length && !chunks[g].buffers()) {
      g++;
    }
    this.gradChunks = g;
  }

  /** Starts step `step`: its gradient is not final anywhere yet. */
  void begin(int step) {
    this.step = step;
    this.early = null;
    this.unsent = gradChunks;
  }

  /**
   * The backward pass of the current step has made grads final from element `from` on: the chunks
   * wholly past it go to their owners now.
   */
  void ready(float[] grads, int from) {
    if (early != null && early != grads) {
      return; // not the array the step returns: everything is sent by reduceScatter()
    }
    early = grads;
    while (unsent > 0 && chunks[unsent - 1].offset() >= from) {
      unsent--;
      sendPart(step, unsent, grads);
    }
  }

  private void sendPart(int step, int k, float[] from) {
    Chunk c = chunks[k];
    Piece part = Piece.floats(Piece.PART, step, me, k, from, c.offset(), c.length());
    if (c.owner() == me) {
      mesh.inbox().put(part);
    } else {
      mesh.send(c.owner(), part);
    }
  }

  /**
   * The chunks of a gradient of gradLength floats followed by bufferLength buffer floats over
   * `partitions` owners: owner s holds elements [lo(s), lo(s + 1)) of the whole vector
   * (ShardedReduce's shards), cut where the buffers begin and every CHUNK floats.
   */
  static Chunk[] chunks(int partitions, int gradLength, int bufferLength) {
    int total = gradLength + bufferLength;
    List<Chunk> out = new ArrayList<>();
    for (int s = 0; s < partitions; s++) {
      int lo = ShardedReduce.lo(s, partitions, total);
      int hi = ShardedReduce.lo(s + 1, partitions, total);
      int cut = Math.max(lo, Math.min(hi, gradLength));
      for (int at = lo; at < cut; at += CHUNK) {
        out.add(new Chunk(s, false, at, Math.min(CHUNK, cut - at)));
      }
      for (int at = cut; at < hi; at += CHUNK) {
        out.add(new Chunk(s, true, at - gradLength, Math.min(CHUNK, hi - at)));
      }
    }
    return out.toArray(new Chunk[0]);
  }

  /**
   * Reduce-scatter: every partition's result of step (this task's is mine) added, as the driver
   * would add them, for this task's chunks only; the answer holds every partition's scalars added
   * and, at this task's chunks, the summed gradient and buffers (its arrays are this all-reduce's
   * own, overwritten by the next step). mine's arrays must stay unchanged until allFinite() has
   * answered: every owner has added them by then.
   */
  StepResult reduceScatter(int step, StepResult mine) throws InterruptedException {
    Inbox inbox = mesh.inbox();
    Piece stats = Piece.stats(step, me, mine);
    inbox.put(stats);
    toOthers(stats);
    boolean sentEarly = this.step == step && early == mine.gradSum && early != null;
    for (int k = 0; k < chunks.length; k++) {
      if (k < gradChunks && sentEarly && k >= unsent) {
        continue; // left during the backward pass
      }
      sendPart(step, k, chunks[k].buffers() ? mine.bufferSum : mine.gradSum);
    }
    this.step = -1;
    this.early = null;
    for (int k = 0; k < chunks.length; k++) {
      Chunk c = chunks[k];
      if (c.owner() == me) {
        addInOrder(inbox.parts(step, k), c.buffers() ? buffers : grad, c.offset(), c.length());
      }
    }
    StepResult[] all = inbox.stats(step).clone();
    for (int p = 0; p < all.length; p++) { // merge adds into its left side: work on copies
      StepResult r = all[p];
      all[p] =
          new StepResult(null, r.lossSum, r.correct, r.count, r.computeNanos, null, r.partitions);
    }
    StepResult total = OrderedReduce.inOrder(all);
    return new StepResult(
        grad,
        total.lossSum,
        total.correct,
        total.count,
        total.computeNanos,
        buffers,
        total.partitions);
  }

  /**
   * The driver's averaging (StepResult.averageInto, bufferMean), for this task's chunks of total:
   * the averaged gradient into avg and the mean buffers into mean at those chunks; whether the loss
   * and all of them are finite.
   */
  boolean averageOwn(StepResult total, float[] avg, float[] mean) {
    float inv = 1f / total.count;
    boolean finite = Double.isFinite(total.lossSum);
    for (Chunk c : chunks) {
      if (c.owner() != me) {
        continue;
      }
      for (int i = c.offset(); i < c.offset() + c.length(); i++) {
        if (c.buffers()) {
          mean[i] = total.bufferSum[i];
          mean[i] /= total.partitions;
          finite &= Float.isFinite(mean[i]);
        } else {
          avg[i] = total.gradSum[i] * inv;
          finite &= Float.isFinite(avg[i]);
        }
      }
    }
    return finite;
  }

  /** Whether every task found its chunks of step finite (mine: this task's verdict). */
  boolean allFinite(int step, boolean mine) throws InterruptedException {
    Piece verdict = Piece.verdict(step, me, mine);
    mesh.inbox().put(verdict);
    toOthers(verdict);
    return mesh.inbox().allFinite(step);
  }

  /**
   * All-gather: this task's chunks of params and of the mean buffers (its updated shard) go to
   * every other task, and theirs come into params and buffers here (its own mean buffers too).
   */
  void allGather(int step, float[] params, float[] mean, float[] buffers)
      throws InterruptedException {
    for (int k = 0; k < chunks.length; k++) {
      Chunk c = chunks[k];
      if (c.owner() == me) {
        toOthers(
            Piece.floats(
                Piece.WEIGHTS, step, me, k, c.buffers() ? mean : params, c.offset(), c.length()));
        if (c.buffers()) {
          System.arraycopy(mean, c.offset(), buffers, c.offset(), c.length());
        }
      }
    }
    for (int k = 0; k < chunks.length; k++) {
      Chunk c = chunks[k];
      if (c.owner() != me) {
        Piece w = check(mesh.inbox().weights(step, k), c);
        System.arraycopy(
            w.data(), w.offset(), c.buffers() ? buffers : params, c.offset(), c.length());
      }
    }
  }

  /**
   * Partition 0 gathers every task's gradient chunks of momentum (the optimiser state each task
   * keeps for its own shard) into its array; the other tasks send theirs.
   */
  void gatherTo0(int step, float[] momentum) throws InterruptedException {
    for (int k = 0; k < gradChunks; k++) {
      Chunk c = chunks[k];
      if (me != 0 && c.owner() == me) {
        mesh.send(0, Piece.floats(Piece.MOMENTUM, step, me, k, momentum, c.offset(), c.length()));
      } else if (me == 0 && c.owner() != 0) {
        Piece m = check(mesh.inbox().momentum(step, k), c);
        System.arraycopy(m.data(), m.offset(), momentum, c.offset(), c.length());
      }
    }
  }

  /** Forgets step's pieces (every one of them is used). */
  void done(int step) {
    mesh.inbox().drop(step);
  }

  /** The parameter ranges ([from, to) pairs) of ranges that fall in this task's gradient chunks. */
  int[] own(int[] ranges) {
    int from = Integer.MAX_VALUE;
    int to = 0;
    for (int k = 0; k < gradChunks; k++) {
      if (chunks[k].owner() == me) {
        from = Math.min(from, chunks[k].offset());
        to = Math.max(to, chunks[k].offset() + chunks[k].length());
      }
    }
    List<Integer> out = new ArrayList<>();
    for (int r = 0; r < ranges.length; r += 2) {
      int lo = Math.max(ranges[r], from);
      int hi = Math.min(ranges[r + 1], to);
      if (lo < hi) {
        out.add(lo);
        out.add(hi);
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  private void toOthers(Piece piece) {
    for (int q = 0; q < partitions; q++) {
      if (q != me) {
        mesh.send(q, piece);
      }
    }
  }

  /**
   * parts' slices added into out[offset, offset + length) with the association of
   * OrderedReduce.inOrder: groups of groupSize(P) consecutive partitions, each added left to right,
   * then the groups left to right.
   */
  private void addInOrder(Piece[] parts, float[] out, int offset, int length) {
    int size = OrderedReduce.groupSize(parts.length);
    if (size < parts.length && (group == null || group.length < length)) {
      group = new float[CHUNK];
    }
    for (int g = 0; g < parts.length; g += size) {
      float[] to = g == 0 ? out : group;
      int at = g == 0 ? offset : 0;
      Piece first = check(parts[g], length);
      System.arraycopy(first.data(), first.offset(), to, at, length);
      for (int k = g + 1; k < Math.min(g + size, parts.length); k++) {
        Piece p = check(parts[k], length);
        float[] d = p.data();
        for (int i = 0, j = p.offset(); i < length; i++, j++) {
          to[at + i] += d[j];
        }
      }
      if (g > 0) {
        for (int i = 0; i < length; i++) {
          out[offset + i] += group[i];
        }
      }
    }
  }

  private static Piece check(Piece p, Chunk c) {
    return check(p, c.length());
  }

  private static Piece check(Piece p, int length) {
    if (p.length() != length) {
      throw new IllegalStateException(
          "partition "
              + p.from()
              + " sent "
              + p.length()
              + " floats of chunk "
              + p.chunk()
              + ", expected "
              + length);
    }
    return p;
  }

  /** The bytes this task has sent to tasks in other JVMs. */
  long sentBytes() {
    return mesh.sentBytes();
  }

  @Override
  public void close() {
    mesh.close();
  }
}

/*
 * The executor-side sum of train.aggregation: allreduce, run by every task of the barrier stage
 * each step, with the driver off the data path. The gradient and the buffers of a step, as one
 * vector, are cut into chunks of at most CHUNK floats, dealt out to the P tasks in turn, so that
 * each task owns 1 / P of every region of the vector. Reduce-scatter: every task sends each chunk
 * to its owner; the owner adds the P slices of a chunk in OrderedReduce's association (partition
 * order, grouped as the driver groups many partitions), the very additions the driver would make,
 * so every mode gives the same bits. The loss, counts and compute times go to every task and are
 * added there in the same order. Each owner then averages and updates its own chunks with the
 * driver's arithmetic (after every task has said its chunks are finite: a step that is not finite
 * changes nothing anywhere), and all-gather sends the updated weights and buffers of each chunk to
 * every other task. Each task sends and receives (P - 1) / P of the vector twice per step, what a
 * ring all-reduce moves, in parallel over P - 1 connections, and updates 1 / P of it. Both halves
 * overlap the computation, as DDP's gradient buckets and FSDP's prefetched weights do: backward
 * reports, layer by layer from the last, from where the gradient is final (ready()), and the
 * chunks wholly past that point leave at once, while the earlier layers still compute; the next
 * step's forward pass asks, layer by layer from the first, for the weights up to that layer
 * (gathered()), and the chunks past it arrive while it computes.
 */
package org.sparkcnn.driver.sync;

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
  private int gathering = -1; // the step whose weights are arriving (sendShard), or -1
  private float[] into; // where they go: the task's parameters
  private float[] intoBuffers; // and its buffers
  private int received; // the gradient chunks [0, received) of it are in place
  private boolean buffersIn; // and its buffer chunks
  private long waited; // nanoseconds spent waiting for them (takeWaited)

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
   * `partitions` owners: each part cut into a multiple of `partitions` chunks of about the same
   * length (at most CHUNK), dealt out in turn, chunk k to owner k mod partitions. Every owner then
   * holds a slice of every region of the vector: while the owners send their updated chunks at
   * once, the weights arrive about in the order of the layers, the order a forward pass needs them
   * in.
   */
  static Chunk[] chunks(int partitions, int gradLength, int bufferLength) {
    List<Chunk> out = new ArrayList<>();
    deal(out, partitions, false, gradLength);
    deal(out, partitions, true, bufferLength);
    return out.toArray(new Chunk[0]);
  }

  /** length floats cut into rounds of `partitions` chunks of at most CHUNK, dealt out in turn. */
  private static void deal(List<Chunk> out, int partitions, boolean buffers, int length) {
    if (length == 0) {
      return;
    }
    long per = (long) partitions * CHUNK;
    long pieces = (length + per - 1) / per * partitions;
    int size = (int) Math.max(1, (length + pieces - 1) / pieces);
    for (int at = 0, k = 0; at < length; at += size, k++) {
      out.add(new Chunk(k % partitions, buffers, at, Math.min(size, length - at)));
    }
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
      if (!c.buffers()) {
        finite &= StepResult.average(total.gradSum, inv, avg, c.offset(), c.offset() + c.length());
        continue;
      }
      for (int i = c.offset(); i < c.offset() + c.length(); i++) {
        mean[i] = total.bufferSum[i];
        mean[i] /= total.partitions;
        finite &= Float.isFinite(mean[i]);
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
   * All-gather, the sending half: this task's chunks of the mean buffers and of params (the ones it
   * updated) go to every other task, the buffers first (a step sets them before its first layer),
   * then the weights in the order of the layers. The other owners' chunks of step arrive into
   * params and buffers through gatherBuffers(), gathered() and finishGather().
   */
  void sendShard(int step, float[] params, float[] mean, float[] buffers) {
    for (int k = gradChunks; k < chunks.length; k++) {
      Chunk c = chunks[k];
      if (c.owner() == me) {
        toOthers(Piece.floats(Piece.WEIGHTS, step, me, k, mean, c.offset(), c.length()));
        System.arraycopy(mean, c.offset(), buffers, c.offset(), c.length());
      }
    }
    for (int k = 0; k < gradChunks; k++) {
      Chunk c = chunks[k];
      if (c.owner() == me) {
        toOthers(Piece.floats(Piece.WEIGHTS, step, me, k, params, c.offset(), c.length()));
      }
    }
    gathering = step;
    into = params;
    intoBuffers = buffers;
    received = 0;
    buffersIn = false;
  }

  /** The other owners' mean buffers of the step being gathered, in place. */
  void gatherBuffers() throws InterruptedException {
    if (gathering < 0 || buffersIn) {
      return;
    }
    long t0 = System.nanoTime();
    for (int k = gradChunks; k < chunks.length; k++) {
      Chunk c = chunks[k];
      if (c.owner() != me) {
        Piece b = check(mesh.inbox().weights(gathering, k), c);
        System.arraycopy(b.data(), b.offset(), intoBuffers, c.offset(), c.length());
      }
    }
    buffersIn = true;
    waited += System.nanoTime() - t0;
  }

  /**
   * The weights [0, upTo) of the step being gathered in place (the chunks that begin below upTo,
   * taken in order as they arrive): what a forward pass asks for before each layer.
   */
  void gathered(int upTo) {
    long t0 = System.nanoTime();
    try {
      while (gathering >= 0 && received < gradChunks && chunks[received].offset() < upTo) {
        Chunk c = chunks[received];
        if (c.owner() != me) {
          Piece w = check(mesh.inbox().weights(gathering, received), c);
          System.arraycopy(w.data(), w.offset(), into, c.offset(), c.length());
        }
        received++;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while receiving the updated weights", e);
    }
    waited += System.nanoTime() - t0;
  }

  /**
   * Every chunk of the step being gathered in place, and that step's pieces forgotten (call it
   * after gatherTo0() of that step).
   */
  void finishGather() throws InterruptedException {
    if (gathering < 0) {
      return;
    }
    gatherBuffers();
    gathered(Integer.MAX_VALUE);
    mesh.inbox().drop(gathering, false);
    gathering = -1;
  }

  /** The nanoseconds spent waiting for gathered weights since the last call, and a new count. */
  long takeWaited() {
    long w = waited;
    waited = 0;
    return w;
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

  /** Forgets step's pieces (every one of them is used), but for weights still being gathered. */
  void done(int step) {
    mesh.inbox().drop(step, step == gathering);
  }

  /**
   * The parts of ranges ([from, to) pairs, ascending) that fall in this task's gradient chunks, as
   * ascending [from, to) pairs.
   */
  int[] own(int[] ranges) {
    List<Integer> out = new ArrayList<>();
    for (int k = 0; k < gradChunks; k++) {
      Chunk c = chunks[k];
      for (int r = 0; c.owner() == me && r < ranges.length; r += 2) {
        int lo = Math.max(ranges[r], c.offset());
        int hi = Math.min(ranges[r + 1], c.offset() + c.length());
        if (lo < hi && !out.isEmpty() && out.get(out.size() - 1) == lo) {
          out.set(out.size() - 1, hi); // continues the range before
        } else if (lo < hi) {
          out.add(lo);
          out.add(hi);
        }
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

/*
 * The flat vectors of DESIGN.md contract 1: all trainable parameters in one float[], their
 * gradients in a second of the same layout, and non-trainable state (BatchNorm running statistics)
 * in a third. Layers read and write views of these at fixed offsets. On an executor, params is the
 * broadcast array itself (read only there); swapping the reference rebinds every layer at once.
 */
package org.sparkcnn.engine;

public final class Vectors {
  public float[] params;
  public final float[] grads;
  public float[] buffers;

  public Vectors(int paramCount, int bufferCount) {
    this.params = new float[paramCount];
    this.grads = new float[paramCount];
    this.buffers = new float[bufferCount];
  }
}

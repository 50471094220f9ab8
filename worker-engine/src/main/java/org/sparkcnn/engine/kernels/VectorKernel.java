/*
 * The Vector API micro-kernel: an 8 x (2 vectors) tile of C in 16 registers, each step of k one
 * load of two B vectors, eight broadcasts of A and sixteen FMAs (Goto and van de Geijn's register
 * block). The kernel reads a packed panel (packed) or, for a stride-1 convolution, the padded
 * images themselves through a table of row offsets (shifted): two methods, as an offset looked up
 * for packed panels too costs the plain GEMM a tenth of its speed, and as one method holding both
 * loops was now and then compiled by C2 with its vectors boxed (about one JVM start in ten ran
 * ResNet-20 four times slower). Its stores have no branch either: a first add into C after many
 * overwrites made C2 deoptimise and recompile the kernel mid-run, the usual prelude to the boxed
 * compile, so C is always read and its lanes zeroed by a mask where the kernel overwrites. Eight
 * rows divide the usual channel counts (16, 32, 64, ...), so a convolution's output channels
 * rarely leave a ragged tile. Each loop and its stores stay in one method without helper calls:
 * a vector that crosses a call the JIT does not inline is boxed, which costs a factor of four.
 */
package org.sparkcnn.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

final class VectorKernel extends MicroKernel {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  static final int L = S.length();

  VectorKernel() {
    super(8, 2 * L);
  }

  @Override
  void run(
      int kc,
      float[] ap,
      int aOff,
      float[] bp,
      int bOff,
      int[] rows,
      int r0,
      float[] c,
      int cOff,
      int ldc,
      boolean overwrite) {
    if (rows == null) {
      packed(kc, ap, aOff, bp, bOff, c, cOff, ldc, overwrite);
    } else {
      shifted(kc, ap, aOff, bp, bOff, rows, r0, c, cOff, ldc, overwrite);
    }
  }

  /** A packed panel: row p of B at bOff + p * nr. */
  private static void packed(
      int kc,
      float[] ap,
      int aOff,
      float[] bp,
      int bOff,
      float[] c,
      int cOff,
      int ldc,
      boolean overwrite) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S);
    FloatVector c41 = FloatVector.zero(S);
    FloatVector c50 = FloatVector.zero(S);
    FloatVector c51 = FloatVector.zero(S);
    FloatVector c60 = FloatVector.zero(S);
    FloatVector c61 = FloatVector.zero(S);
    FloatVector c70 = FloatVector.zero(S);
    FloatVector c71 = FloatVector.zero(S);
    final int nr = 2 * L;
    for (int p = 0; p < kc; p++) {
      int bi = bOff + p * nr;
      int ai = aOff + p * 8;
      FloatVector b0 = FloatVector.fromArray(S, bp, bi);
      FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
      FloatVector a = FloatVector.broadcast(S, ap[ai]);
      c00 = b0.fma(a, c00);
      c01 = b1.fma(a, c01);
      a = FloatVector.broadcast(S, ap[ai + 1]);
      c10 = b0.fma(a, c10);
      c11 = b1.fma(a, c11);
      a = FloatVector.broadcast(S, ap[ai + 2]);
      c20 = b0.fma(a, c20);
      c21 = b1.fma(a, c21);
      a = FloatVector.broadcast(S, ap[ai + 3]);
      c30 = b0.fma(a, c30);
      c31 = b1.fma(a, c31);
      a = FloatVector.broadcast(S, ap[ai + 4]);
      c40 = b0.fma(a, c40);
      c41 = b1.fma(a, c41);
      a = FloatVector.broadcast(S, ap[ai + 5]);
      c50 = b0.fma(a, c50);
      c51 = b1.fma(a, c51);
      a = FloatVector.broadcast(S, ap[ai + 6]);
      c60 = b0.fma(a, c60);
      c61 = b1.fma(a, c61);
      a = FloatVector.broadcast(S, ap[ai + 7]);
      c70 = b0.fma(a, c70);
      c71 = b1.fma(a, c71);
    }
    // C is read also when overwritten: its lanes are replaced by zeros (never NaN * 0), and the
    // store would fetch the line anyway; no branch, so C2 never deoptimises on a first add
    VectorMask<Float> fresh = S.maskAll(overwrite);
    int r = cOff;
    FloatVector.fromArray(S, c, r).blend(0f, fresh).add(c00).intoArray(c, r);
    FloatVector.fromArray(S, c, r + L).blend(0f, fresh).add(c01).intoArray(c, r + L);
    r += ldc;
    FloatVector.fromArray(S, c, r).blend(0f, fresh).add(c10).intoArray(c, r);
    FloatVector.fromArray(S, c, r + L).blend(0f, fresh).add(c11).intoArray(c, r + L);
    r += ldc;
    FloatVector.fromArray(S, c, r).blend(0f, fresh).add(c20).intoArray(c, r);
    FloatVector.fromArray(S, c, r + L).blend(0f, fresh).add(c21).intoArray(c, r + L);
    r += ldc;
    FloatVector.fromArray(S, c, r).blend(0f, fresh).add(c30).intoArray(c, r);
    FloatVector.fromArray(S, c, r + L).blend(0f, fresh).add(c31).intoArray(c, r + L);
    r += ldc;
    FloatVector.fromArray(S, c, r).blend(0f, fresh).add(c40).intoArray(c, r);
    FloatVector.fromArray(S, c, r + L).blend(0f, fresh).add(c41).intoArray(c, r + L);
    r += ldc;
    FloatVector.fromArray(S, c, r).blend(0f, fresh).add(c50).intoArray(c, r);
    FloatVector.fromArray(S, c, r + L).blend(0f, fresh).add(c51).intoArray(c, r + L);
    r += ldc;
    FloatVector.fromArray(S, c, r).blend(0f, fresh).add(c60).intoArray(c, r);
    FloatVector.fromArray(S, c, r + L).blend(0f, fresh).add(c61).intoArray(c, r + L);
    r += ldc;
    FloatVector.fromArray(S, c, r).blend(0f, fresh).add(c70).intoArray(c, r);
    FloatVector.fromArray(S, c, r + L).blend(0f, fresh).add(c71).intoArray(c, r + L);
  }

  /** Rows where they lie: row p of B at bOff + rows[r0 + p]. */
  private static void shifted(
      int kc,
      float[] ap,
      int aOff,
      float[] bp,
      int bOff,
      int[] rows,
      int r0,
      float[] c,
      int cOff,
      int ldc,
      boolean overwrite) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S);
    FloatVector c41 = FloatVector.zero(S);
    FloatVector c50 = FloatVector.zero(S);
    FloatVector c51 = FloatVector.zero(S);
    FloatVector c60 = FloatVector.zero(S);
    FloatVector c61 = FloatVector.zero(S);
    FloatVector c70 = FloatVector.zero(S);
    FloatVector c71 = FloatVector.zero(S);
    for (int p = 0; p < kc; p++) {
      int bi = bOff + rows[r0 + p];
      int ai = aOff + p * 8;
      FloatVector b0 = FloatVector.fromArray(S, bp, bi);
      FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
      FloatVector a = FloatVector.broadcast(S, ap[ai]);
      c00 = b0.fma(a, c00);
      c01 = b1.fma(a, c01);
      a = FloatVector.broadcast(S, ap[ai + 1]);
      c10 = b0.fma(a, c10);
      c11 = b1.fma(a, c11);
      a = FloatVector.broadcast(S, ap[ai + 2]);
      c20 = b0.fma(a, c20);
      c21 = b1.fma(a, c21);
      a = FloatVector.broadcast(S, ap[ai + 3]);
      c30 = b0.fma(a, c30);
      c31 = b1.fma(a, c31);
      a = FloatVector.broadcast(S, ap[ai + 4]);
      c40 = b0.fma(a, c40);
      c41 = b1.fma(a, c41);
      a = FloatVector.broadcast(S, ap[ai + 5]);
      c50 = b0.fma(a, c50);
      c51 = b1.fma(a, c51);
      a = FloatVector.broadcast(S, ap[ai + 6]);
      c60 = b0.fma(a, c60);
      c61 = b1.fma(a, c61);
      a = FloatVector.broadcast(S, ap[ai + 7]);
      c70 = b0.fma(a, c70);
      c71 = b1.fma(a, c71);
    }
    // C is read also when overwritten: its lanes are replaced by zeros (never NaN * 0), and the
    // store would fetch the line anyway; no branch, so C2 never deoptimises on a first add
    VectorMask<Float> fresh = S.maskAll(overwrite);
    int r = cOff;
    FloatVector.fromArray(S, c, r).blend(0f, fresh).add(c00).intoArray(c, r);
    FloatVector.fromArray(S, c, r + L).blend(0f, fresh).add(c01).intoArray(c, r + L);
    r += ldc;
    FloatVector.fromArray(S, c, r).blend(0f, fresh).add(c10).intoArray(c, r);
    FloatVector.fromArray(S, c, r + L).blend(0f, fresh).add(c11).intoArray(c, r + L);
    r += ldc;
    FloatVector.fromArray(S, c, r).blend(0f, fresh).add(c20).intoArray(c, r);
    FloatVector.fromArray(S, c, r + L).blend(0f, fresh).add(c21).intoArray(c, r + L);
    r += ldc;
    FloatVector.fromArray(S, c, r).blend(0f, fresh).add(c30).intoArray(c, r);
    FloatVector.fromArray(S, c, r + L).blend(0f, fresh).add(c31).intoArray(c, r + L);
    r += ldc;
    FloatVector.fromArray(S, c, r).blend(0f, fresh).add(c40).intoArray(c, r);
    FloatVector.fromArray(S, c, r + L).blend(0f, fresh).add(c41).intoArray(c, r + L);
    r += ldc;
    FloatVector.fromArray(S, c, r).blend(0f, fresh).add(c50).intoArray(c, r);
    FloatVector.fromArray(S, c, r + L).blend(0f, fresh).add(c51).intoArray(c, r + L);
    r += ldc;
    FloatVector.fromArray(S, c, r).blend(0f, fresh).add(c60).intoArray(c, r);
    FloatVector.fromArray(S, c, r + L).blend(0f, fresh).add(c61).intoArray(c, r + L);
    r += ldc;
    FloatVector.fromArray(S, c, r).blend(0f, fresh).add(c70).intoArray(c, r);
    FloatVector.fromArray(S, c, r + L).blend(0f, fresh).add(c71).intoArray(c, r + L);
  }
}

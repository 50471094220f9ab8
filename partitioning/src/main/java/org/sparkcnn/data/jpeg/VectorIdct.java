/*
 * Pass 1 (the columns) of JpegIdct's libjpeg islow IDCT on the JDK Vector API: the 8 columns of a
 * block are the 8 lanes, so each row of coefficients is one vector and the column sums of
 * jidctint.c are done for all columns at once, in the same 32-bit integer operations (wrapping
 * additions and multiplications, whose order does not change the result) and with its shortcut
 * for a column without AC, hence the same bits as JpegIdct's scalar column pass; its output
 * rows are what the scalar row pass reads. JpegIdct uses it when the module jdk.incubator.vector
 * is present.
 */
package org.sparkcnn.data.jpeg;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

final class VectorIdct {
  static final VectorSpecies<Integer> S = IntVector.SPECIES_256; // 8 ints: one row of a block

  private VectorIdct() {}

  /**
   * ws [64] = pass 1 of the block in: [64] dequantised coefficients, natural order; false when a
   * value lies outside [-2^14, 2^14), where libjpeg builds part (JpegIdct).
   */
  static boolean columns(int[] in, int[] ws) {
    IntVector i0 = IntVector.fromArray(S, in, 0);
    IntVector i1 = IntVector.fromArray(S, in, 8);
    IntVector i2 = IntVector.fromArray(S, in, 16);
    IntVector i3 = IntVector.fromArray(S, in, 24);
    IntVector i4 = IntVector.fromArray(S, in, 32);
    IntVector i5 = IntVector.fromArray(S, in, 40);
    IntVector i6 = IntVector.fromArray(S, in, 48);
    IntVector i7 = IntVector.fromArray(S, in, 56);
    IntVector z1 = i2.add(i6).mul(JpegIdct.F0_541); // the even part
    IntVector t2 = z1.sub(i6.mul(JpegIdct.F1_847));
    IntVector t3 = z1.add(i2.mul(JpegIdct.F0_765));
    IntVector t0 = i0.add(i4).lanewise(VectorOperators.LSHL, 13);
    IntVector t1 = i0.sub(i4).lanewise(VectorOperators.LSHL, 13);
    IntVector t10 = t0.add(t3);
    IntVector t13 = t0.sub(t3);
    IntVector t11 = t1.add(t2);
    IntVector t12 = t1.sub(t2);
    IntVector q1 = i7.add(i1).mul(-JpegIdct.F0_899); // the odd part
    IntVector q2 = i5.add(i3).mul(-JpegIdct.F2_562);
    IntVector q3 = i7.add(i3);
    IntVector q4 = i5.add(i1);
    IntVector q5 = q3.add(q4).mul(JpegIdct.F1_175);
    q3 = q3.mul(-JpegIdct.F1_961).add(q5);
    q4 = q4.mul(-JpegIdct.F0_390).add(q5);
    IntVector o0 = i7.mul(JpegIdct.F0_298).add(q1).add(q3);
    IntVector o1 = i5.mul(JpegIdct.F2_053).add(q2).add(q4);
    IntVector o2 = i3.mul(JpegIdct.F3_072).add(q2).add(q3);
    IntVector o3 = i1.mul(JpegIdct.F1_501).add(q1).add(q4);
    // a column without AC takes jidctint.c's shortcut, DC << 2: the same as the sums except
    // where DC << 13 overflows, as an extreme DC of a corrupt file can
    VectorMask<Integer> dcOnly =
        i1.or(i2).or(i3).or(i4).or(i5).or(i6).or(i7).compare(VectorOperators.EQ, 0);
    IntVector dc = i0.lanewise(VectorOperators.LSHL, 2);
    IntVector range =
        descale(t10.add(o3), dc, dcOnly, ws, 0) // OR of every value + 2^14
            .or(descale(t10.sub(o3), dc, dcOnly, ws, 56))
            .or(descale(t11.add(o2), dc, dcOnly, ws, 8))
            .or(descale(t11.sub(o2), dc, dcOnly, ws, 48))
            .or(descale(t12.add(o1), dc, dcOnly, ws, 16))
            .or(descale(t12.sub(o1), dc, dcOnly, ws, 40))
            .or(descale(t13.add(o0), dc, dcOnly, ws, 24))
            .or(descale(t13.sub(o0), dc, dcOnly, ws, 32));
    return (range.reduceLanes(VectorOperators.OR) & ~0x7FFF) == 0;
  }

  /** Stores the descaled row at ws[at]; returns it + 2^14 (in [0, 2^15) when it fits). */
  private static IntVector descale(
      IntVector v, IntVector dc, VectorMask<Integer> dcOnly, int[] ws, int at) {
    IntVector row = v.add(1024).lanewise(VectorOperators.ASHR, 11).blend(dc, dcOnly);
    row.intoArray(ws, at);
    return row.add(16384);
  }
}

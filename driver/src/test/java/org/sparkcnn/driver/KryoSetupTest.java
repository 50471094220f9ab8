/*
 * The bulk float[] format of KryoSetup: every bit pattern (signed zeros, NaN payloads, subnormals)
 * comes back unchanged, for lengths below, at and across the conversion chunk, through Spark's
 * own Kryo instance with sparkcnn's registrator, and inside a StepResult; encoded samples and
 * encoded blocks (files, offsets, paths) come back whole; a partition Assignment (broadcast to the
 * executors) comes back with every id and partition.
 */
package org.sparkcnn.driver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import org.sparkcnn.data.Block;
import org.sparkcnn.data.EncodedSample;
import org.sparkcnn.driver.sync.StepResult;
import org.sparkcnn.engine.Shape;
import scala.reflect.ClassTag$;

class KryoSetupTest {
  private static final SerializerInstance KRYO =
      new KryoSerializer(
              new SparkConf()
                  .set("spark.kryo.registrationRequired", "true")
                  .set("spark.kryo.registrator", KryoSetup.class.getName()))
          .newInstance();

  @SuppressWarnings("unchecked")
  private static <T> T roundTrip(T value, Class<?> type) {
    ByteBuffer bytes = KRYO.serialize(value, ClassTag$.MODULE$.apply(type));
    return (T) KRYO.deserialize(bytes, ClassTag$.MODULE$.apply(type));
  }

  private static float[] bits(int n) {
    float[] x = new float[n];
    int[] special = {0x80000000, 0x7fc00001, 0xffa00000, 0x00000001, 0x7f800000, 0x3f800000};
    for (int i = 0; i < n; i++) {
      x[i] =
          i < special.length
              ? Float.intBitsToFloat(special[i])
              : Float.intBitsToFloat(i * 0x9E3779B9);
    }
    return x;
  }

  @Test
  void floatArraysKeepEveryBit() {
    for (int n : new int[] {0, 1, 7, 1 << 14, (1 << 14) + 3, 3 * (1 << 14) + 11}) {
      float[] x = bits(n);
      float[] y = roundTrip(x, float[].class);
      assertEquals(n, y.length);
      for (int i = 0; i < n; i++) {
        assertEquals(
            Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(y[i]), "n=" + n + " i=" + i);
      }
    }
  }

  @Test
  void assignmentsKeepEveryIdAndPartition() {
    var members =
        new org.sparkcnn.data.Assignment.Members(
            new long[] {0, 2, 3, 7, 1L << 40}, new int[] {1, 0, 1, 0, 2});
    var a =
        org.sparkcnn.data.Assignment.of(
            members, 3, org.sparkcnn.data.Assignment.Mode.STRATIFIED, 5, 2);
    var back = roundTrip(a, org.sparkcnn.data.Assignment.class);
    org.junit.jupiter.api.Assertions.assertTrue(a.sameAs(back));
    assertEquals(a.partitionOf(1L << 40), back.partitionOf(1L << 40));
  }

  @Test
  void stepResultsKeepTheirVectorsAndCounts() {
    StepResult r = new StepResult(bits(40_000), 1.5, 3, 64, 99, bits(5), 2);
    StepResult back = roundTrip(r, StepResult.class);
    assertArrayEquals(r.gradSum(), back.gradSum());
    assertArrayEquals(r.bufferSum, back.bufferSum);
    assertEquals(1.5, back.lossSum());
    assertEquals(64, back.count());
    assertEquals(2, back.partitions);
    assertNull(back.gradBlock);
    assertNull(roundTrip(new StepResult(null, 0, 0, 0, 0), StepResult.class).gradSum());
    StepResult ref = new StepResult(null, 0, 0, 1, 0);
    ref.gradBlock = "test_sparkcnn_gradient_3_1_17";
    assertEquals(ref.gradBlock, roundTrip(ref, StepResult.class).gradBlock);
  }

  @Test
  void encodedSamplesAndBlocksComeBackWhole() {
    EncodedSample s = new EncodedSample(7, 1, new byte[] {1, 2, 3}, "/d/train/b/x y.jpg");
    EncodedSample t = roundTrip(s, EncodedSample.class);
    assertEquals(List.of(7L, 1, "/d/train/b/x y.jpg"), List.of(t.id(), t.label(), t.path()));
    assertArrayEquals(s.bytes(), t.bytes());
    Block b =
        Block.ofEncoded(
            3,
            Shape.of(3, 8, 8),
            List.of(s, new EncodedSample(9, 0, new byte[] {4, 5}, "/d/train/a/z.png")));
    Block back = roundTrip(b, Block.class);
    assertTrue(back.isEncoded());
    assertEquals(
        List.of(3, 2, 7L, 9L, 1, 0),
        List.of(
            back.partition(), back.size(), back.id(0), back.id(1), back.label(0), back.label(1)));
    assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, back.files());
    assertArrayEquals(new int[] {0, 3, 5}, back.offsets());
    assertEquals("/d/train/a/z.png", back.path(1));
    Block decoded =
        roundTrip(
            new Block(0, Shape.of(1, 1, 2), new long[] {4}, new int[] {2}, new byte[] {9, 8}),
            Block.class);
    assertArrayEquals(new byte[] {9, 8}, decoded.pixels());
  }
}

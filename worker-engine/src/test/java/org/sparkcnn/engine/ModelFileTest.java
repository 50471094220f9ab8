/*
 * The model file format (ModelFile, DESIGN.md contract 6): an exact round trip, and a clear error
 * for a damaged file, a file that is not a model file, and a format version this build cannot read.
 */
package org.sparkcnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class ModelFileTest {
  private static final Architecture ARCH = Models.lenet5(Shape.of(1, 12, 12), 3);
  private static final Map<String, Object> META =
      Map.of("epoch", 3, "accuracy", 0.875, "dataset", "mnist", "mean", List.of(0.1307));

  private static ModelFile.Contents contents() {
    Vectors v = ARCH.initialise(Init.HE, Rng.of(1));
    v.params[0] = Float.MIN_VALUE; // a subnormal and a negative zero survive bit for bit
    v.params[1] = -0f;
    return new ModelFile.Contents(ARCH, v.params, v.buffers, META);
  }

  private static byte[] write(ModelFile.Contents c) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ModelFile.write(out, c);
    return out.toByteArray();
  }

  private static ModelFile.Contents read(byte[] bytes) throws IOException {
    return ModelFile.read(new ByteArrayInputStream(bytes), "model.scnn");
  }

  @Test
  void roundTripsExactly() throws IOException {
    ModelFile.Contents c = contents();
    ModelFile.Contents back = read(write(c));
    assertEquals(ARCH.layers(), back.architecture().layers());
    assertEquals(ARCH.input(), back.architecture().input());
    assertEquals(ARCH.paramCount(), back.architecture().paramCount());
    assertArrayEquals(c.params(), back.params()); // bitwise, as Float.equals
    assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(back.params()[1]));
    assertArrayEquals(c.buffers(), back.buffers());
    assertEquals(META, back.meta());
  }

  @Test
  void batchNormRunningStatisticsRoundTrip() throws IOException {
    Architecture arch = ArchitectureTest.everyBuildingBlock();
    Vectors v = arch.initialise(Init.HE, Rng.of(2));
    Model model = new Model(arch, v);
    Rng rng = Rng.of(3);
    float[] x = new float[4 * arch.input().size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = rng.uniform(-1f, 2f);
    }
    model.forward(x, 4, true, 9L); // moves the running statistics away from 0 and 1
    assertTrue(v.buffers[0] != 0f && v.buffers[3] != 1f && v.buffers[7] != 1f);
    float[] expected = model.forward(x, 4, false).clone();

    ModelFile.Contents back =
        read(write(new ModelFile.Contents(arch, v.params, v.buffers, Map.of())));
    assertEquals(arch.layers(), back.architecture().layers());
    assertArrayEquals(v.buffers, back.buffers());
    Model restored =
        new Model(back.architecture(), new Vectors(back.params().length, back.buffers().length));
    restored.setParams(back.params());
    restored.vectors().buffers = back.buffers();
    assertArrayEquals(expected, restored.forward(x, 4, false), "eval output of the reloaded model");
  }

  @Test
  void aFlippedByteFailsTheChecksum() throws IOException {
    byte[] bytes = write(contents());
    for (int at : new int[] {bytes.length / 2, bytes.length - 5, bytes.length - 1}) {
      byte[] damaged = bytes.clone();
      damaged[at] ^= 0x10;
      IOException e = assertThrows(IOException.class, () -> read(damaged));
      assertTrue(
          e.getMessage().contains("model.scnn") && e.getMessage().contains("checksum"),
          e.getMessage());
    }
  }

  @Test
  void aTruncatedFileFailsTheChecksum() throws IOException {
    byte[] bytes = write(contents());
    IOException e =
        assertThrows(
            IOException.class, () -> read(java.util.Arrays.copyOf(bytes, bytes.length - 100)));
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
  }

  @Test
  void aWrongMagicSaysItIsNotAModelFile() throws IOException {
    byte[] bytes = write(contents());
    bytes[0] = 'P';
    IOException e = assertThrows(IOException.class, () -> read(bytes));
    assertTrue(e.getMessage().contains("not a sparkcnn model file"), e.getMessage());
    e = assertThrows(IOException.class, () -> read(new byte[3]));
    assertTrue(e.getMessage().contains("not a sparkcnn model file"), e.getMessage());
  }

  @Test
  void aNewerVersionNamesBothVersions() throws IOException {
    byte[] bytes = write(contents());
    bytes[4] = 2; // version u32 little-endian at offset 4
    // a file of another format version is reported as such, whether or not its checksum (which
    // a future format may compute differently) matches our reading of it
    for (byte[] file : new byte[][] {bytes, withChecksum(bytes)}) {
      IOException e = assertThrows(IOException.class, () -> read(file));
      assertTrue(
          e.getMessage().contains("format 2") && e.getMessage().contains("reads 1"),
          e.getMessage());
    }
  }

  @Test
  void vectorsThatDoNotFitTheArchitectureAreRejected() throws IOException {
    ModelFile.Contents c = contents();
    ModelFile.Contents wrong =
        new ModelFile.Contents(ARCH, new float[c.params().length - 1], c.buffers(), Map.of());
    assertThrows(IllegalArgumentException.class, () -> write(wrong));

    // a file whose parameter count does not match its architecture (checksum intact)
    byte[] bytes = write(c);
    int jsonLen = ByteBuffer.wrap(bytes, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    ByteBuffer.wrap(bytes, 12 + jsonLen, 8)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putLong(c.params().length - 1);
    IOException e = assertThrows(IOException.class, () -> read(withChecksum(bytes)));
    assertTrue(
        e.getMessage().contains("parameters")
            && e.getMessage().contains(Integer.toString(ARCH.paramCount())),
        e.getMessage());
  }

  /** The same bytes with the trailing CRC-32 recomputed. */
  private static byte[] withChecksum(byte[] bytes) {
    byte[] b = bytes.clone();
    CRC32 crc = new CRC32();
    crc.update(b, 0, b.length - 4);
    ByteBuffer.wrap(b, b.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue());
    return b;
  }
}

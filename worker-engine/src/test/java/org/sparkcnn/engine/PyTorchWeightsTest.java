/*
 * Loading PyTorch state_dicts by name (PyTorchWeights, PyTorchNames, ModelTensors): LeNet-5 from
 * ../shared/models/lenet5.safetensors reproduces PyTorch's outputs for the reference batch;
 * a small file written here lands at the right offsets (batch norm running statistics in the
 * buffer vector); a missing or mis-shaped tensor is named with the layer and both shapes and
 * leaves the vectors untouched; a skipped layer keeps its values; batch norms without affine or
 * running statistics have only the tensors PyTorch saves for them (num_batches_tracked an I64).
 */
package org.sparkcnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.engine.layers.BatchNorm;
import org.sparkcnn.engine.layers.BatchNorm1d;
import org.sparkcnn.engine.layers.BatchNorm2d;
import org.sparkcnn.engine.layers.Conv2d;
import org.sparkcnn.engine.layers.GlobalAvgPool2d;
import org.sparkcnn.engine.layers.Linear;

class PyTorchWeightsTest {
  @TempDir Path dir;

  @Test
  void lenet5ReproducesPyTorch() throws IOException {
    Path models = SharedData.root().resolve("models");
    SafeTensors st = SafeTensors.open(models.resolve("lenet5.safetensors"));
    Architecture arch = Models.lenet5(Shape.of(1, 28, 28), 10);
    assertEquals(List.of("0", "3", "7", "9"), PyTorchNames.modules("lenet5", arch));
    Vectors v = new Vectors(arch.paramCount(), arch.bufferCount());
    PyTorchWeights.Report r =
        PyTorchWeights.load(st, arch, PyTorchNames.modules("lenet5", arch), i -> false, v);
    assertEquals(List.of("conv1", "conv2", "fc1", "fc2"), r.loaded());
    assertEquals(List.of(), r.unused());
    float[] x = ModelCases.f32(models.resolve("lenet5.input.f32"));
    float[] expected = ModelCases.f32(models.resolve("lenet5.output.f32"));
    float[] y = new Model(arch, v).forward(x, 2, false);
    Conformance.Outcome o = ModelCases.compare("lenet5", expected, y);
    assertTrue(o.passed(), "max relative error " + o.maxRelError());
  }

  /** conv (no bias) -> bn -> gap -> fc, as sparkcnn names it. */
  private static Architecture small() {
    return new Architecture(
        Shape.of(2, 4, 4),
        List.of(
            new Conv2d.Spec("conv1", 0, 3, 3, 1, 1, false), BatchNorm2d.Spec.of("bn1", 0),
            new GlobalAvgPool2d.Spec("gap"), Linear.Spec.of("fc", 3, 2)));
  }

  private Path file(String fcWeightShape, boolean withMean) throws IOException {
    float[] conv = new float[3 * 2 * 9];
    for (int i = 0; i < conv.length; i++) {
      conv[i] = i;
    }
    float[] rest = {10, 11, 12, 20, 21, 22, 30, 31, 32, 40, 41, 42, 1, 2, 3, 4, 5, 6, 7, 8};
    float[] all = Arrays.copyOf(conv, conv.length + rest.length);
    System.arraycopy(rest, 0, all, conv.length, rest.length);
    int c = conv.length * 4;
    String header =
        "{\"conv1.weight\": {\"dtype\": \"F32\", \"shape\": [3, 2, 3, 3],"
            + " \"data_offsets\": [0, "
            + c
            + "]},"
            + "\"bn1.weight\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": ["
            + c
            + ", "
            + (c + 12)
            + "]},"
            + "\"bn1.bias\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": ["
            + (c + 12)
            + ", "
            + (c + 24)
            + "]},"
            + (withMean
                ? "\"bn1.running_mean\": {\"dtype\": \"F32\", \"shape\": [3],"
                    + " \"data_offsets\": ["
                    + (c + 24)
                    + ", "
                    + (c + 36)
                    + "]},"
                : "")
            + "\"bn1.running_var\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": ["
            + (c + 36)
            + ", "
            + (c + 48)
            + "]},"
            + "\"fc.weight\": {\"dtype\": \"F32\", \"shape\": "
            + fcWeightShape
            + ", \"data_offsets\": ["
            + (c + 48)
            + ", "
            + (c + 72)
            + "]},"
            + "\"fc.bias\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": ["
            + (c + 72)
            + ", "
            + (c + 80)
            + "]},"
            + "\"extra\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [0, 0]}}";
    return SafeTensorsTest.write(
        dir.resolve("small.safetensors"), null, header, SafeTensorsTest.floats(all));
  }

  @Test
  void tensorsLandAtTheirOffsets() throws IOException {
    Architecture arch = small();
    Vectors v = new Vectors(arch.paramCount(), arch.bufferCount());
    List<String> names = PyTorchNames.modules("my-own", arch);
    assertEquals(List.of("conv1", "bn1", "fc"), names);
    PyTorchWeights.Report r =
        PyTorchWeights.load(SafeTensors.open(file("[2, 3]", true)), arch, names, i -> false, v);
    assertEquals(List.of("extra"), r.unused());
    assertEquals(53f, v.params[53]);
    assertArrayEquals(
        new float[] {10, 11, 12, 20, 21, 22, 1, 2, 3, 4, 5, 6, 7, 8},
        Arrays.copyOfRange(v.params, 54, 68));
    assertArrayEquals(new float[] {30, 31, 32, 40, 41, 42}, v.buffers);
  }

  @Test
  void missingAndMisshapedTensorsAreNamed() throws IOException {
    Architecture arch = small();
    Vectors v = new Vectors(arch.paramCount(), arch.bufferCount());
    List<String> names = PyTorchNames.modules(null, arch);
    SafeTensors bad = SafeTensors.open(file("[3, 2]", false));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> PyTorchWeights.load(bad, arch, names, i -> false, v));
    String m = e.getMessage();
    assertTrue(m.startsWith(bad.file() + ": 2 tensors do not fit the model"), m);
    assertTrue(m.contains("missing bn1.running_mean (layer bn1 needs [3])"), m);
    assertTrue(m.contains("fc.weight is [3, 2], layer fc needs [2, 3]"), m);
    assertArrayEquals(new float[arch.paramCount()], v.params); // nothing copied
    // skipping the head (top-level layer 3) still names the missing running mean
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> PyTorchWeights.load(bad, arch, names, i -> i == 3, v));
    assertTrue(e.getMessage().contains("1 tensor does not fit"), e.getMessage());
    Arrays.fill(v.params, -1f);
    PyTorchWeights.Report r =
        PyTorchWeights.load(SafeTensors.open(file("[3, 2]", true)), arch, names, i -> i == 3, v);
    assertEquals(List.of("fc"), r.skipped());
    assertEquals(-1f, v.params[arch.paramOffset(3)]); // the head kept its values
    assertEquals(0f, v.params[0]);
  }

  @Test
  void batchNormsLoadTheTensorsTheirArgumentsGive() throws IOException {
    // bn1 affine=False: running statistics only; bn2 track_running_stats=False: weight and bias
    // only; bn3 momentum=None: also num_batches_tracked, an I64; bn4 neither: no tensors at all
    Architecture arch =
        new Architecture(
            Shape.of(2),
            List.of(
                new BatchNorm1d.Spec("bn1", 2, null, null, false, null),
                new BatchNorm1d.Spec("bn2", 2, null, null, null, false),
                new BatchNorm1d.Spec("bn3", 2, null, BatchNorm.CUMULATIVE),
                new BatchNorm1d.Spec("bn4", 2, null, null, false, false)));
    assertEquals(List.of("bn1", "bn2", "bn3"), PyTorchNames.modules(null, arch));
    java.nio.ByteBuffer data =
        java.nio.ByteBuffer.allocate(8 * 8 + 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (float f = 1; f <= 16; f++) {
      data.putFloat(f);
    }
    data.putLong(7);
    String[] names = {
      "bn1.running_mean",
      "bn1.running_var",
      "bn2.weight",
      "bn2.bias",
      "bn3.weight",
      "bn3.bias",
      "bn3.running_mean",
      "bn3.running_var"
    };
    StringBuilder header = new StringBuilder("{");
    for (int i = 0; i < names.length; i++) {
      header
          .append("\"")
          .append(names[i])
          .append("\": {\"dtype\": \"F32\", \"shape\": [2]," + " \"data_offsets\": [")
          .append(8 * i)
          .append(", ")
          .append(8 * i + 8)
          .append("]}, ");
    }
    header.append(
        "\"bn3.num_batches_tracked\": {\"dtype\": \"I64\", \"shape\": [],"
            + " \"data_offsets\": [64, 72]}}");
    Path f =
        SafeTensorsTest.write(dir.resolve("bn.safetensors"), null, header.toString(), data.array());
    Vectors v = new Vectors(arch.paramCount(), arch.bufferCount());
    PyTorchWeights.Report r =
        PyTorchWeights.load(
            SafeTensors.open(f), arch, PyTorchNames.modules(null, arch), i -> false, v);
    assertEquals(List.of(), r.unused());
    assertArrayEquals(new float[] {5, 6, 7, 8, 9, 10, 11, 12}, v.params);
    assertArrayEquals(new float[] {1, 2, 3, 4, 13, 14, 15, 16, 7}, v.buffers);
  }

  @Test
  void shippedTablesNameEveryLayer() {
    Architecture arch = Models.lenet5(Shape.of(1, 28, 28), 10);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> PyTorchNames.modules("squeezenet1_1", arch));
    assertTrue(e.getMessage().contains("not the shipped squeezenet1_1"), e.getMessage());
  }
}

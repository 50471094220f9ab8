/*
 * Models made by PyTorch (../shared/models): every NAME.safetensors of a shipped model, loaded by
 * PyTorch's names into the shipped definition, reproduces PyTorch's outputs for the reference
 * batch (ModelCases, as `sparkcnn conformance DIR` runs it); finetune.from takes a safetensors
 * or ONNX file, model.file an ONNX model (architecture and starting weights), and a tensor or a
 * model that does not fit is named before Spark starts.
 */
package org.sparkcnn.driver.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparkcnn.engine.Architecture;
import org.sparkcnn.engine.Conformance;
import org.sparkcnn.engine.ModelCases;
import org.sparkcnn.engine.OnnxImport;
import org.sparkcnn.engine.PyTorchNames;
import org.sparkcnn.engine.SafeTensors;
import org.sparkcnn.engine.Shape;
import org.sparkcnn.engine.SharedData;
import org.sparkcnn.engine.Vectors;

class ModelImportTest {
  private static Path models() {
    return SharedData.root().resolve("models");
  }

  @Test
  void everyModelOfTheFolderReproducesPyTorch() throws Exception {
    List<Conformance.Outcome> out =
        ModelCases.runFolder(
            models(),
            name -> ModelCatalog.SHIPPED.contains(name) ? ModelCatalog.shipped(name) : null);
    assertEquals(
        List.of(
            "googlenet.onnx",
            "lenet5.onnx",
            "lenet5.safetensors",
            "resnet18.safetensors",
            "resnet20.onnx",
            "resnet20.safetensors",
            "squeezenet1_1.onnx",
            "squeezenet1_1.safetensors"),
        out.stream().map(Conformance.Outcome::name).toList());
    for (Conformance.Outcome o : out) {
      System.out.printf("%s max_rel_error=%.3g %s%n", o.name(), o.maxRelError(), o.problem());
      assertTrue(o.passed(), o.name() + ": " + o.problem() + " " + o.maxRelError());
    }
  }

  @Test
  void finetuneFromSafetensorsLoadsAndNamesMisfitsBeforeSpark() throws Exception {
    String file = models().resolve("resnet20.safetensors").toString();
    JobConfig c =
        JobConfig.resolve(
            Map.of(
                "model.name",
                "resnet20",
                "finetune.from",
                file,
                "finetune.freeze",
                List.of("conv*", "bn*", "basic*"),
                "finetune.reinit",
                "fc1"),
            "test");
    TrainingPlan plan = TrainingPlan.from(c);
    Architecture arch = plan.architecture();
    Vectors v = new Vectors(arch.paramCount(), arch.bufferCount());
    String line = plan.fineTuning().load(arch, v);
    assertTrue(
        line.contains("PyTorch names of resnet20")
            && line.contains("initialised [fc1]")
            && line.contains("unused tensors [14.weight, 14.bias]"),
        line);
    SafeTensors st = SafeTensors.open(Path.of(file));
    assertEquals(st.floats("0.weight")[5], v.params[5]);
    float[] mean = st.floats("1.running_mean");
    assertEquals(mean[mean.length - 1], v.buffers[mean.length - 1]); // BN statistics loaded
    int[] trainable = plan.fineTuning().trainableRanges(arch);
    assertEquals(
        List.of(arch.paramOffset(arch.indexOf("fc1")), arch.paramCount()),
        List.of(trainable[0], trainable[1]));

    JobConfig wrong =
        JobConfig.resolve(Map.of("model.name", "lenet5", "finetune.from", file), "test");
    var e = assertThrows(JobConfig.ConfigException.class, () -> TrainingPlan.from(wrong));
    assertTrue(e.getMessage().startsWith("key 'finetune.from': " + file), e.getMessage());
    assertTrue(
        e.getMessage().contains("0.weight is [16, 3, 3, 3], layer conv1 needs" + " [20, 3, 5, 5]"),
        e.getMessage());
  }

  @Test
  void torchvisionNamesOfTheOtherShippedModels() {
    Shape in = Shape.of(3, 224, 224);
    Architecture vgg = ModelCatalog.build(ModelCatalog.shipped("vgg16"), "vgg16", in, 1000);
    assertEquals(
        List.of(
            "features.0",
            "features.2",
            "features.5",
            "features.7",
            "features.10",
            "features.12",
            "features.14",
            "features.17",
            "features.19",
            "features.21",
            "features.24",
            "features.26",
            "features.28",
            "classifier.0",
            "classifier.3",
            "classifier.6"),
        PyTorchNames.modules("vgg16", vgg));
    Architecture r50 = ModelCatalog.build(ModelCatalog.shipped("resnet50"), "resnet50", in, 1000);
    List<String> names = PyTorchNames.modules("resnet50", r50);
    assertEquals(
        List.of(
            "conv1",
            "bn1",
            "layer1.0.conv1",
            "layer1.0.bn1",
            "layer1.0.conv2",
            "layer1.0.bn2",
            "layer1.0.conv3",
            "layer1.0.bn3",
            "layer1.0.downsample.0",
            "layer1.0.downsample.1",
            "layer1.1.conv1"),
        names.subList(0, 11));
    assertEquals(
        List.of("layer4.2.conv3", "layer4.2.bn3", "fc"),
        names.subList(names.size() - 3, names.size()));
    assertTrue(names.contains("layer3.5.bn2") && !names.contains("layer3.6.bn2"));
    Architecture google = ModelCatalog.build(ModelCatalog.shipped("googlenet"), "g", in, 1000);
    names = PyTorchNames.modules("googlenet", google);
    assertEquals(List.of("conv1.conv", "conv1.bn", "conv2.conv"), names.subList(0, 3));
    assertEquals("inception5b.branch4.1.bn", names.get(names.size() - 2));
  }

  @Test
  void modelFileOnnxBuildsTheNetworkAndStartsFromItsWeights() throws Exception {
    String file = models().resolve("lenet5.onnx").toString();
    String data = SharedData.root().resolve("datasets").toString();
    JobConfig c =
        JobConfig.resolve(
            Map.of("model.file", file, "data.source", "mnist", "data.dir", data), "test");
    TrainingPlan plan = TrainingPlan.from(c);
    Architecture arch = plan.architecture();
    assertEquals(1_256_080, arch.paramCount());
    Vectors v = new Vectors(arch.paramCount(), arch.bufferCount());
    String line = plan.fineTuning().load(arch, v);
    assertTrue(line.contains("4 layers loaded in order"), line);
    assertArrayEquals(OnnxImport.read(Path.of(file)).vectors().params, v.params);

    JobConfig wrong =
        JobConfig.resolve(
            Map.of(
                "model.file",
                models().resolve("resnet20.onnx").toString(),
                "data.source",
                "mnist",
                "data.dir",
                data),
            "test");
    var e = assertThrows(JobConfig.ConfigException.class, () -> TrainingPlan.from(wrong));
    assertTrue(
        e.getMessage()
            .contains(
                "resnet20.onnx takes 3x32x32 and gives 10 values, which"
                    + " do not fit the data (data mnist: 1x28x28, 10 classes)"),
        e.getMessage());
    // ONNX weights into a shipped definition: in order, shapes checked
    JobConfig into =
        JobConfig.resolve(
            Map.of(
                "model.name",
                "resnet20",
                "finetune.from",
                models().resolve("resnet20.onnx").toString()),
            "test");
    e = assertThrows(JobConfig.ConfigException.class, () -> TrainingPlan.from(into));
    assertTrue(
        e.getMessage().contains("it has 22 layers with weights, the model 43"), e.getMessage());
  }

  @Test
  void everyGoldenCasePassesWithTheShippedDefinitions() throws Exception {
    List<Conformance.Outcome> all =
        Conformance.runFolder(
            SharedData.golden(),
            name -> ModelCatalog.SHIPPED.contains(name) ? ModelCatalog.shipped(name) : null);
    assertEquals(43, all.size());
    for (Conformance.Outcome o : all) {
      if (o.name().equals("resnet20_step")) {
        System.out.printf(
            "resnet20_step worst %s max_rel_error=%.3g%n", o.tensor(), o.maxRelError());
      }
      assertTrue(o.passed(), o.toString());
    }
  }
}

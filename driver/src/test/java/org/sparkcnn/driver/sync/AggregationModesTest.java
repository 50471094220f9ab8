/*
 * Every way of running a step writes the same model, bit for bit: a job per step (tree or
 * sharded sums), a barrier stage with the driver adding, and a barrier stage whose tasks add
 * among themselves (allreduce), for LeNet-5 and for a network with BatchNorm (whose running
 * statistics are averaged too), on 1, 2 and 3 partitions, with momentum and a checkpoint every
 * 2 steps (under allreduce the driver takes the tasks' state there).
 */
package org.sparkcnn.driver.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparkcnn.driver.persist.ResumeTest;
import org.sparkcnn.driver.persist.RunFolder;

class AggregationModesTest {
  @TempDir Path dir;

  private byte[] model(String net, int partitions, String mode) throws Exception {
    Map<String, Object> k =
        new HashMap<>(
            Map.of(
                "data.train_size",
                96,
                "data.test_size",
                24,
                "train.batch_size",
                24,
                "train.partitions",
                partitions,
                "train.epochs",
                1,
                "optim.lr",
                0.05,
                "optim.momentum",
                0.9,
                "train.checkpoint_every_steps",
                2,
                "train.execution",
                mode.split("/")[0],
                "train.aggregation",
                mode.split("/")[1]));
    if (net.equals("bn")) {
      Path yaml = dir.resolve("bn.yaml");
      Files.writeString(
          yaml,
          String.join(
              "\n",
              "layers:",
              "  - conv2d: {out: 4, kernel: 3, stride: 2}",
              "  - batch_norm2d",
              "  - relu",
              "  - flatten",
              "  - linear: {out: $classes}",
              ""));
      k.put("model.file", yaml.toString());
    } else {
      k.put("model.name", net);
    }
    Path run =
        ResumeTest.train(dir.resolve(net + "-" + partitions + "-" + mode.replace('/', '-')), k);
    return Files.readAllBytes(run.resolve(RunFolder.MODEL));
  }

  @ParameterizedTest
  @CsvSource({"lenet5, 1", "lenet5, 2", "lenet5, 3", "bn, 1", "bn, 2", "bn, 3"})
  void everyModeWritesTheModelOfAJobPerStep(String net, int partitions) throws Exception {
    byte[] jobs = model(net, partitions, "jobs/tree");
    for (String mode : new String[] {"jobs/sharded", "barrier/tree", "barrier/allreduce"}) {
      assertArrayEquals(jobs, model(net, partitions, mode), mode);
    }
  }
}

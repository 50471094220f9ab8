/*
 * `train --resume RUN_DIR`: everything checked before Spark starts. The run folder's config.yaml
 * with the --set overrides on top is the new config; the newest checkpoint that reads back whole
 * is the starting point (a damaged newer one is passed over with a warning). The keys that define
 * the model, its data and the order the data is visited in must be those the checkpoint was
 * trained with; any other key may change (more epochs, a lower learning rate after a non-finite
 * stop), and the changes are listed. Only when all is well is the run folder touched.
 */
package org.sparkcnn.driver.persist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.sparkcnn.driver.cli.Reporter;
import org.sparkcnn.driver.config.ConfigKey;
import org.sparkcnn.driver.config.JobConfig;
import org.sparkcnn.driver.config.Keys;
import org.sparkcnn.driver.config.TrainingPlan;
import org.sparkcnn.engine.ModelFile;

public final class Resume {
  /** Keys a resumed run must keep: they define the model, the data and the visiting order. */
  static final List<ConfigKey<?>> MUST_MATCH =
      List.of(
          Keys.DATA_SOURCE,
          Keys.DATA_TRAIN_SIZE,
          Keys.DATA_TEST_SIZE,
          Keys.DATA_NORMALIZE,
          Keys.DATA_PARTITIONING,
          Keys.DATA_RESHUFFLE_EVERY,
          Keys.MODEL_NAME,
          Keys.MODEL_FILE,
          Keys.MODEL_INIT,
          Keys.FINETUNE_FROM,
          Keys.FINETUNE_FREEZE,
          Keys.FINETUNE_REINIT,
          Keys.BATCH_SIZE,
          Keys.SEED,
          Keys.ACCUMULATE_STEPS);

  private Resume() {}

  /** What a resumed run starts from. */
  public record Start(TrainingPlan plan, RunFolder run, Checkpoint checkpoint) {}

  /** Checks the folder, the checkpoint and the config; ConfigException on any problem. */
  public static Start open(Path runDir, List<String> overrides, Path dataDir, String master)
      throws IOException {
    if (!Files.isDirectory(runDir)) {
      throw new JobConfig.ConfigException(
          "--resume "
              + runDir
              + ": no such folder; expected the"
              + " run folder of an earlier run (its --run-dir, holding "
              + RunFolder.CONFIG
              + ")");
    }
    Path configFile = runDir.resolve(RunFolder.CONFIG);
    if (!Files.isRegularFile(configFile)) {
      throw new JobConfig.ConfigException(
          "--resume "
              + runDir
              + ": holds no "
              + RunFolder.CONFIG
              + "; expected the run folder of an earlier run");
    }
    JobConfig c = JobConfig.load(configFile, overrides);
    if (dataDir != null) {
      c = c.with(Keys.DATA_DIR, dataDir.toString());
    }
    if (master != null) {
      c = c.with(Keys.MASTER, master);
    }
    Checkpoints.Loaded loaded = Checkpoints.of(c, runDir).latestValid(m -> Reporter.warn("%s", m));
    Checkpoint ckpt = loaded.checkpoint();
    Checkpoint.State s = ckpt.state();
    JobConfig saved = JobConfig.parse(ckpt.config(), loaded.file() + " (its config)", List.of());
    List<String> problems = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    for (ConfigKey<?> k : Keys.ALL) {
      Object was = saved.get(k);
      Object now = c.get(k);
      if (k == Keys.PARTITIONS) {
        if (c.get(Keys.PARTITIONS) != 0 && c.get(Keys.PARTITIONS) != s.partitions()) {
          problems.add(
              "key 'train.partitions': the checkpoint was trained on "
                  + s.partitions()
                  + " partitions, the config asks for "
                  + now);
        }
      } else if (!Objects.equals(was, now)) {
        (MUST_MATCH.contains(k) ? problems : changed)
            .add(
                "key '"
                    + k.name()
                    + "': "
                    + (MUST_MATCH.contains(k)
                        ? "the checkpoint was trained with "
                            + was
                            + ", the config"
                            + " asks for "
                            + now
                        : was + " -> " + now));
      }
    }
    if (!problems.isEmpty()) {
      throw new JobConfig.ConfigException(
          "--resume "
              + runDir
              + ": the config does not match"
              + " checkpoint "
              + loaded.file()
              + "; these keys define the model and its data and must"
              + " stay as they were:\n  "
              + String.join("\n  ", problems));
    }
    c = c.with(Keys.PARTITIONS, s.partitions());
    TrainingPlan plan = TrainingPlan.from(c);
    if (!ModelFile.JSON
        .valueToTree(plan.architecture())
        .equals(ModelFile.JSON.valueToTree(ckpt.architecture()))) {
      throw new JobConfig.ConfigException(
          "--resume "
              + runDir
              + ": the model of the config ("
              + plan.architecture().paramCount()
              + " parameters) is not the one of checkpoint "
              + loaded.file()
              + " ("
              + ckpt.architecture().paramCount()
              + " parameters); was the"
              + " model definition edited?");
    }
    if (s.epoch() > plan.epochs() || (s.epochDone() && s.epoch() == plan.epochs())) {
      throw new JobConfig.ConfigException(
          "--resume "
              + runDir
              + ": checkpoint "
              + loaded.file()
              + " is at epoch "
              + s.epoch()
              + " step "
              + s.step()
              + "/"
              + s.stepsPerEpoch()
              + " and the config trains "
              + plan.epochs()
              + " epochs: nothing is left to train; to"
              + " train further, raise train.epochs, e.g. --set train.epochs="
              + (s.epoch() + 1));
    }
    Reporter.out(
        "resuming %s from checkpoint %s (epoch %d, global step %d)%s",
        runDir,
        loaded.file(),
        s.epoch(),
        s.globalStep(),
        changed.isEmpty() ? "" : " with changed keys: " + String.join(", ", changed));
    return new Start(plan, RunFolder.resume(runDir, c, s.globalStep()), ckpt);
  }
}

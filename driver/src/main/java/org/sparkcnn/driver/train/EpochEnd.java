/*
 * Where a trainer keeps what it has done: at the end of each epoch the test split's evaluation
 * (Evaluation, summed in partition order), the metrics.jsonl and log lines, the run's charts
 * (TrainingCharts) and model.scnn, replaced atomically; a checkpoint then and every
 * train.checkpoint_every_steps steps (never of weights that are not finite); and the message that
 * names the last good checkpoint when a run has to stop.
 */
package org.sparkcnn.driver.train;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkcnn.data.Normalizer;
import org.sparkcnn.data.cache.TrainingData;
import org.sparkcnn.driver.cli.Reporter;
import org.sparkcnn.driver.config.Keys;
import org.sparkcnn.driver.config.LrSchedule;
import org.sparkcnn.driver.config.TrainingPlan;
import org.sparkcnn.driver.persist.Checkpoint;
import org.sparkcnn.driver.persist.Checkpoints;
import org.sparkcnn.driver.persist.RunFolder;
import org.sparkcnn.driver.report.HeapPeaks;
import org.sparkcnn.driver.report.TrainingCharts;
import org.sparkcnn.driver.step.Evaluation;
import org.sparkcnn.driver.step.Inference;
import org.sparkcnn.driver.sync.OrderedReduce;
import org.sparkcnn.driver.sync.StepResult;
import org.sparkcnn.engine.ModelFile;

final class EpochEnd {
  private final TrainingPlan plan;
  private final RunFolder run;
  private final Checkpoints checkpoints;

  EpochEnd(TrainingPlan plan, RunFolder run) {
    this.plan = plan;
    this.run = run;
    this.checkpoints = Checkpoints.of(plan.config(), run.dir());
  }

  /**
   * The end of epoch p.epoch, after its steps (trainSeconds of them): evaluation, the metrics and
   * log lines, the charts, model.scnn and the checkpoint.
   */
  Trainer.Result finish(
      JavaSparkContext jsc,
      TrainingData data,
      Progress p,
      int steps,
      double trainSeconds,
      String runId,
      LrSchedule schedule)
      throws IOException {
    var arch = plan.architecture();
    double testLoss = Double.NaN;
    double testAccuracy = Double.NaN;
    if (data.testSamples() > 0) {
      jsc.setJobGroup("sparkcnn-eval", "epoch " + p.epoch + " evaluation", false);
      JobStep.Published w = JobStep.Published.of(jsc, p.v);
      StepResult t =
          OrderedReduce.sum(
              data.test()
                  .mapPartitions(
                      new Evaluation(
                          runId,
                          arch,
                          w.params(),
                          w.buffers(),
                          JobStep.evalRecipe(plan, data),
                          plan.loss(),
                          plan.evalBatch(data.batches().localBatch(0)))));
      w.destroy();
      testLoss = t.lossSum() / t.count();
      testAccuracy = (double) t.correct() / t.count();
    }
    EpochMeter m = p.meter;
    double wall = p.wall();
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("epoch", p.epoch);
    line.put("step", p.globalStep);
    line.put("train_loss", m.lossSum / m.seen);
    line.put("train_accuracy", (double) m.correct / m.seen);
    if (data.testSamples() > 0) { // a run without a test split (Spark ML, no validation rows)
      line.put("test_loss", testLoss);
      line.put("test_accuracy", testAccuracy);
    }
    line.put("images_per_sec", m.timedImages() / trainSeconds);
    line.put("step_ms", m.stepMs());
    line.put("compute_ms", m.computeMs());
    line.put("sync_ms_p50", m.syncMs(0.5));
    line.put("sync_ms_p90", m.syncMs(0.9));
    line.put("skipped_steps", m.skipped);
    line.put("skipped_images", data.skippedTrain());
    line.put("skipped_test_images", data.skippedTest());
    line.put("lr", schedule.at(Math.max(0, p.globalStep - 1)));
    line.put("wall_s", wall);
    HeapPeaks.put(line, jsc, data.train());
    run.appendMetrics(line);
    Reporter.out(
        "epoch %d: train_loss=%.4f train_accuracy=%.4f%s images_per_sec=%.0f step_ms=%.1f"
            + " compute_ms=%.1f sync_ms_p50=%.1f sync_ms_p90=%.1f wall_s=%.1f",
        p.epoch,
        m.lossSum / m.seen,
        (double) m.correct / m.seen,
        data.testSamples() == 0
            ? ""
            : String.format(" test_loss=%.4f test_accuracy=%.4f", testLoss, testAccuracy),
        m.timedImages() / trainSeconds,
        m.stepMs(),
        m.computeMs(),
        m.syncMs(0.5),
        m.syncMs(0.9),
        wall);
    TrainingCharts.afterEpoch(run.dir());
    ModelFile.Contents model =
        new ModelFile.Contents(
            arch,
            p.v.params.clone(),
            p.v.buffers.clone(),
            meta(data.norm(), p.epoch, testAccuracy));
    run.saveModel(model);
    save(p, data, steps);
    return new Trainer.Result(testAccuracy, testLoss, p.epoch, wall, model);
  }

  /** Names the newest checkpoint and how to continue from it, or what to do without one. */
  String lastCheckpoint(String withoutOne, String resumeWith) throws IOException {
    List<org.apache.hadoop.fs.Path> kept = checkpoints.list();
    return kept.isEmpty()
        ? "no checkpoint was written yet, " + withoutOne
        : "the last good checkpoint is "
            + kept.get(0)
            + " (continue from it with --resume "
            + run.dir()
            + resumeWith
            + ")";
  }

  /** Writes the checkpoint of the current step, unless the weights are not finite. */
  void save(Progress p, TrainingData data, int steps) throws IOException {
    for (float x : p.v.params) {
      if (!Float.isFinite(x)) {
        Reporter.warn(
            "epoch %d step %d: the weights are not finite, no checkpoint written", p.epoch, p.step);
        return;
      }
    }
    EpochMeter m = p.meter;
    var state =
        new Checkpoint.State(
            p.epoch,
            p.step,
            steps,
            p.globalStep,
            p.sgd.steps(),
            plan.seed(),
            data.batches().partitions(),
            m.lossSum,
            m.correct,
            m.seen,
            m.skipped,
            p.wall());
    float[] momentum = p.sgd.momentumBuffer() == null ? new float[0] : p.sgd.momentumBuffer();
    checkpoints.save(
        new Checkpoint(
            plan.architecture(),
            plan.config().toYaml(),
            state,
            p.v.params,
            p.v.buffers,
            momentum,
            data.norm().mean(),
            data.norm().std()));
  }

  private Map<String, Object> meta(Normalizer norm, int epoch, double testAccuracy) {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("model", plan.config().get(Keys.MODEL_NAME));
    meta.put("data_source", plan.config().get(Keys.DATA_SOURCE));
    meta.put("classes", plan.source().classes());
    Inference.describe(
        meta,
        plan.source().shape(),
        plan.config().get(Keys.DATA_AUGMENT),
        plan.config().get(Keys.DATA_EVAL_TRANSFORM),
        norm,
        plan.source().classNames());
    meta.put("epoch", epoch);
    if (Double.isFinite(testAccuracy)) {
      meta.put("test_accuracy", testAccuracy);
    }
    return meta;
  }
}

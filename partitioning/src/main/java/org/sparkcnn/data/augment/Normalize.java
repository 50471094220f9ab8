/*
 * Per-channel normalisation x = (x - mean[c]) / std[c] (torchvision Normalize), where it stands in
 * the pipeline; for training and evaluation. A pipeline with a normalize op normalises only there:
 * data.normalize's dataset statistics are not applied on top.
 */
package org.sparkcnn.data.augment;

import org.sparkcnn.engine.Rng;
import org.sparkcnn.engine.Shape;

record Normalize(Shape outputShape, float[] mean, float[] std) implements SampleOp<Void> {
  static Normalize parse(Settings s, Shape in) {
    if (!s.has("mean") || !s.has("std")) {
      throw s.error(
          "needs mean and std (a number, or one per channel), e.g. mean: [0.485, 0.456,"
              + " 0.406], std: [0.229, 0.224, 0.225]");
    }
    float[] mean = s.perChannel("mean", 0, in.c());
    float[] std = s.perChannel("std", 1, in.c());
    for (float v : std) {
      if (!(v > 0)) {
        throw s.bad("std", "positive numbers");
      }
    }
    return new Normalize(in, mean, std);
  }

  @Override
  public String name() {
    return "normalize";
  }

  @Override
  public double p() {
    return 1;
  }

  @Override
  public Void draw(Rng r) {
    return null;
  }

  @Override
  public void apply(Image src, Void params, Image dst) {
    dst.reshape(src.c, src.h, src.w);
    int plane = src.h * src.w;
    for (int ch = 0; ch < src.c; ch++) {
      float m = mean[ch];
      float sd = std[ch];
      for (int i = ch * plane; i < (ch + 1) * plane; i++) {
        dst.px[i] = (src.px[i] - m) / sd;
      }
    }
  }
}

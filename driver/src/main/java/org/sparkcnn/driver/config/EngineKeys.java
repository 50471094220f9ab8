/*
 * The engine.* keys of a job config: how the executors' replicas compute (the compute threads of a
 * task, the SGEMM micro-kernel, the convolution paths and their grid chunks, fused ReLUs), which
 * TrainingPlan.engine turns into the engine's EngineOptions. Keys.ALL lists them with the others.
 */
package org.sparkcnn.driver.config;

import org.sparkcnn.engine.EngineOptions;

public final class EngineKeys {
  private EngineKeys() {}

  public static final ConfigKey<Integer> THREADS =
      ConfigKey.ofInt(
          "engine.threads",
          0,
          0,
          "Compute threads per Spark task; 0 chooses: in local mode the cores over the partitions,"
              + " on a cluster spark.task.cpus.");
  public static final ConfigKey<EngineOptions.GemmKernel> GEMM =
      ConfigKey.ofEnum(
          "engine.gemm",
          EngineOptions.GemmKernel.AUTO,
          "The matrix products' micro-kernel: auto, the Vector API kernel where the JVM has the"
              + " jdk.incubator.vector module (else scalar); scalar, the plain Java kernel (slower,"
              + " the same results up to rounding; to compare, or where the vector module"
              + " misbehaves). The log says which is present.");
  public static final ConfigKey<EngineOptions.ConvPaths> CONV =
      ConfigKey.ofEnum(
          "engine.conv",
          EngineOptions.ConvPaths.AUTO,
          "How convolutions run: auto, on grids of their images where the layer allows (stride 1,"
              + " or a 2D stride without dilation), else lowered; lowered, every convolution"
              + " through im2col. The same results up to rounding; `sparkcnn summary` shows each"
              + " layer's path.");
  public static final ConfigKey<Integer> CONV_CHUNK_KIB =
      ConfigKey.ofInt(
          "engine.conv_chunk_kib",
          (int) (EngineOptions.DEFAULT_CHUNK_BYTES >> 10),
          1,
          "KiB of grids a chunk of samples may fill on a thread on the grid paths: about three"
              + " quarters of a core's L2 cache (768 for 1 MiB). Changes speed, and the weight"
              + " gradients' rounding (they are summed per chunk).");
  public static final ConfigKey<Boolean> FUSE_RELU =
      ConfigKey.ofBool(
          "engine.fuse_relu",
          true,
          "Apply a ReLU that follows batch norm or a residual block inside that layer (one pass"
              + " over memory less); the same results either way.");
}

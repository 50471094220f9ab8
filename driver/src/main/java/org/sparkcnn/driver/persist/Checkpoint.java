/*
 * A training checkpoint: what a run needs to continue exactly where it stopped. The weights, the
 * BatchNorm buffers and SGD's momentum are the flat vectors of DESIGN.md contract 1; the state
 * says where in the run they are. Every random draw of sparkcnn comes from a counter-based
 * generator keyed by (seed, epoch, step, partition or sample id), so the seed, the epoch and the
 * step are the generators' whole state. The channel normaliser is kept bit for bit, so that a
 * resumed run can check it sees the same data.
 *
 * File format, version 1, the layout of ModelFile (DESIGN.md contract 6); integers little-endian:
 *
 *   magic     4 bytes  "SCKP"
 *   version   u32      1
 *   jsonLen   u32      length of the header JSON in bytes
 *   json      UTF-8    {"format":1, "architecture":{..}, "config":"<the resolved config, YAML>",
 *                       "state":{..}, "vectors":["params","buffers","momentum",
 *                       "normalize_mean","normalize_std"]}
 *   then for each vector named, in that order: u64 n, then n float32 values
 *   crc32     u32      CRC-32 of every byte before it
 *
 * Reading checks the magic, the version, the checksum (a truncated or damaged file fails here) and
 * the vector sizes, and says which failed: every failure is an IOException that names the file,
 * and no length in the file is trusted before it is checked against the bytes left. Never Java
 * serialization.
 */
package org.sparkcnn.driver.persist;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;
import org.sparkcnn.engine.Architecture;
import org.sparkcnn.engine.ModelFile;

public record Checkpoint(
    Architecture architecture,
    String config,
    State state,
    float[] params,
    float[] buffers,
    float[] momentum,
    float[] normalizeMean,
    float[] normalizeStd) {

  public static final int VERSION = 1;
  private static final byte[] MAGIC = {'S', 'C', 'K', 'P'};
  private static final List<String> VECTORS =
      List.of("params", "buffers", "momentum", "normalize_mean", "normalize_std");
  private static final ObjectMapper STATE_JSON =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /**
   * Where the run is. epoch: the epoch in progress (1-based); step: its steps done, stepsPerEpoch
   * when it has ended; globalStep: steps done in the run (skipped ones included); optimizerSteps:
   * SGD updates applied (its first step differs); partitions: the data's partition count, which a
   * resumed run keeps. lossSum, correct, seen and skipped are the epoch's sums so far, so that a
   * run resumed mid-epoch reports the same train_loss; wallSeconds is the training time so far.
   */
  public record State(
      int epoch,
      int step,
      int stepsPerEpoch,
      long globalStep,
      long optimizerSteps,
      long seed,
      int partitions,
      double lossSum,
      long correct,
      long seen,
      long skipped,
      double wallSeconds) {

    public boolean epochDone() {
      return step >= stepsPerEpoch;
    }
  }

  public void write(OutputStream sink) throws IOException {
    Architecture arch = architecture;
    if (params.length != arch.paramCount()
        || buffers.length != arch.bufferCount()
        || (momentum.length != 0 && momentum.length != params.length)) {
      throw new IllegalArgumentException(
          "cannot write a checkpoint: "
              + params.length
              + " parameters, "
              + buffers.length
              + " buffers and "
              + momentum.length
              + " momentum"
              + " values do not fit an architecture of "
              + arch.paramCount()
              + " and "
              + arch.bufferCount());
    }
    ObjectNode header = ModelFile.JSON.createObjectNode();
    header.put("format", VERSION);
    header.set("architecture", ModelFile.JSON.valueToTree(arch));
    header.put("config", config);
    header.set("state", STATE_JSON.valueToTree(state));
    header.set("vectors", ModelFile.JSON.valueToTree(VECTORS));
    byte[] json = ModelFile.JSON.writeValueAsBytes(header);
    CheckedOutputStream out =
        new CheckedOutputStream(new BufferedOutputStream(sink, 1 << 16), new CRC32());
    out.write(MAGIC);
    out.write(le(8).putInt(VERSION).putInt(json.length).array());
    out.write(json);
    for (float[] v : List.of(params, buffers, momentum, normalizeMean, normalizeStd)) {
      writeVector(out, v);
    }
    out.write(le(4).putInt((int) out.getChecksum().getValue()).array());
    out.flush();
  }

  /** Reads and verifies a checkpoint; any damage is an IOException that names source. */
  public static Checkpoint read(InputStream in, String source) throws IOException {
    byte[] all = in.readAllBytes();
    if (all.length < 16 || !Arrays.equals(Arrays.copyOf(all, 4), MAGIC)) {
      throw new IOException(
          source
              + ": not a sparkcnn checkpoint (expected the magic 'SCKP'"
              + ", "
              + all.length
              + " bytes)");
    }
    ByteBuffer b = ByteBuffer.wrap(all, 4, all.length - 8).order(ByteOrder.LITTLE_ENDIAN);
    int version = b.getInt();
    if (version != VERSION) {
      throw new IOException(
          source + ": checkpoint format " + version + ", this build reads " + VERSION);
    }
    CRC32 crc = new CRC32();
    crc.update(all, 0, all.length - 4);
    int stored = ByteBuffer.wrap(all, all.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    if (stored != (int) crc.getValue()) {
      throw new IOException(source + ": checksum mismatch, the checkpoint is damaged or truncated");
    }
    int jsonLen = b.getInt();
    if (jsonLen < 0 || jsonLen > b.remaining()) {
      throw new IOException(
          source
              + ": header length "
              + Integer.toUnsignedLong(jsonLen)
              + " does not fit a checkpoint of "
              + all.length
              + " bytes");
    }
    byte[] json = new byte[jsonLen];
    b.get(json);
    Architecture arch;
    State state;
    String config;
    try {
      JsonNode header = ModelFile.JSON.readTree(new String(json, StandardCharsets.UTF_8));
      if (header == null
          || !VECTORS.equals(ModelFile.JSON.treeToValue(header.get("vectors"), List.class))) {
        throw new IOException(
            "holds the vectors "
                + (header == null ? null : header.get("vectors"))
                + ", expected "
                + VECTORS);
      }
      if (header.get("architecture") == null
          || header.get("state") == null
          || header.get("config") == null
          || !header.get("config").isTextual()) {
        throw new IOException("the header needs an architecture, a state and a config");
      }
      arch = ModelFile.JSON.treeToValue(header.get("architecture"), Architecture.class);
      state = STATE_JSON.treeToValue(header.get("state"), State.class);
      config = header.get("config").asText();
    } catch (IOException | RuntimeException e) { // a malformed header behind a valid checksum
      throw new IOException(source + ": malformed checkpoint: " + firstLine(e.getMessage()), e);
    }
    float[] params = readVector(b, source, "params", arch.paramCount());
    float[] buffers = readVector(b, source, "buffers", arch.bufferCount());
    float[] momentum = readVector(b, source, "momentum", -1);
    if (momentum.length != 0 && momentum.length != params.length) {
      throw new IOException(
          source
              + ": holds "
              + momentum.length
              + " momentum values for "
              + params.length
              + " parameters");
    }
    float[] mean = readVector(b, source, "normalize_mean", -1);
    float[] std = readVector(b, source, "normalize_std", mean.length);
    return new Checkpoint(arch, config, state, params, buffers, momentum, mean, std);
  }

  /** Jackson's messages go on with the location on a second line. */
  private static String firstLine(String s) {
    int nl = s == null ? -1 : s.indexOf('\n');
    return nl < 0 ? String.valueOf(s) : s.substring(0, nl);
  }

  private static void writeVector(OutputStream out, float[] v) throws IOException {
    out.write(le(8).putLong(v.length).array());
    ByteBuffer chunk = le(1 << 16);
    for (int from = 0; from < v.length; from += chunk.capacity() / 4) {
      int n = Math.min(chunk.capacity() / 4, v.length - from);
      chunk.clear();
      chunk.asFloatBuffer().put(v, from, n);
      out.write(chunk.array(), 0, 4 * n);
    }
  }

  /** A vector of the expected length (-1: any length that fits the file). */
  private static float[] readVector(ByteBuffer b, String source, String what, int expected)
      throws IOException {
    if (b.remaining() < 8) {
      throw new IOException(source + ": ends before its " + what + " values");
    }
    long n = b.getLong();
    if ((expected >= 0 && n != expected) || n < 0 || n > b.remaining() / 4) {
      throw new IOException(
          source
              + ": holds "
              + n
              + " "
              + what
              + " values"
              + (expected >= 0 ? ", its architecture needs " + expected : "")
              + " ("
              + b.remaining()
              + " bytes left)");
    }
    float[] v = new float[(int) n];
    b.asFloatBuffer().get(v);
    b.position(b.position() + 4 * v.length);
    return v;
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }
}

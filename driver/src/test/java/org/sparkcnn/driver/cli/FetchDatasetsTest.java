/*
 * deploy/fetch-datasets.sh against a local mirror (SPARKCNN_DATASET_MIRROR): MNIST from
 * ../shared/datasets arrives verified by the SHA-256 sums in deploy/datasets.sha256; a tampered
 * copy is refused with its name and leaves no file behind; an unknown name is refused.
 */
package org.sparkcnn.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.engine.SharedData;

class FetchDatasetsTest {
  @TempDir Path dir;

  private record Run(int status, String output) {}

  private static Run fetch(String mirror, String name, Path into) throws Exception {
    Path script = Path.of(System.getProperty("sparkcnn.root"), "deploy", "fetch-datasets.sh");
    ProcessBuilder pb =
        new ProcessBuilder("bash", script.toString(), name, into.toString())
            .redirectErrorStream(true);
    pb.environment().put("SPARKCNN_DATASET_MIRROR", mirror);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Run(p.waitFor(), out);
  }

  @Test
  void mnistFromAMirrorIsVerified() throws Exception {
    Path shared = SharedData.root().resolve("datasets");
    Run r = fetch(shared.toUri().toString(), "mnist", dir.resolve("data"));
    assertEquals(0, r.status(), r.output());
    assertEquals(4, r.output().lines().filter(l -> l.endsWith(" verified")).count(), r.output());
    assertEquals(
        Files.size(shared.resolve("mnist/train-images-idx3-ubyte.gz")),
        Files.size(dir.resolve("data/mnist/train-images-idx3-ubyte.gz")));
  }

  @Test
  void aTamperedCopyIsRefused() throws Exception {
    Path mirror = Files.createDirectories(dir.resolve("mirror/mnist"));
    Path shared = SharedData.root().resolve("datasets/mnist");
    try (var files = Files.list(shared)) {
      for (Path f : files.toList()) {
        Files.copy(f, mirror.resolve(f.getFileName()));
      }
    }
    byte[] labels = Files.readAllBytes(mirror.resolve("t10k-labels-idx1-ubyte.gz"));
    labels[labels.length / 2] ^= 1;
    Files.write(mirror.resolve("t10k-labels-idx1-ubyte.gz"), labels);
    Run r = fetch(dir.resolve("mirror").toUri().toString(), "mnist", dir.resolve("data"));
    assertEquals(1, r.status(), r.output());
    assertTrue(r.output().contains("t10k-labels-idx1-ubyte.gz: sha256"), r.output());
    assertFalse(Files.exists(dir.resolve("data/mnist/t10k-labels-idx1-ubyte.gz")));
    assertFalse(Files.exists(dir.resolve("data/mnist/t10k-labels-idx1-ubyte.gz.part")));
    Run unknown = fetch("file:///nowhere", "imagenet", dir.resolve("data"));
    assertEquals(1, unknown.status());
    assertTrue(unknown.output().contains("unknown dataset 'imagenet'"), unknown.output());
  }
}

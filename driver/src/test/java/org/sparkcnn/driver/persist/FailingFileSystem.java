/*
 * A local Hadoop file system under the scheme failfs:// whose writes fail, as a full disk or a
 * lost datanode would, once failAfter bytes have been written to a file (a negative limit, the
 * default, never fails). Tests register it with spark.hadoop.fs.failfs.impl.
 */
package org.sparkcnn.driver.persist;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

public class FailingFileSystem extends RawLocalFileSystem {
  static final String SCHEME = "failfs";
  static volatile long failAfter = -1;

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  @Override
  public FSDataOutputStream create(
      Path f,
      FsPermission permission,
      boolean overwrite,
      int bufferSize,
      short replication,
      long blockSize,
      Progressable progress)
      throws IOException {
    return failing(
        f, super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress));
  }

  @Override
  public FSDataOutputStream create(
      Path f,
      boolean overwrite,
      int bufferSize,
      short replication,
      long blockSize,
      Progressable progress)
      throws IOException {
    return failing(f, super.create(f, overwrite, bufferSize, replication, blockSize, progress));
  }

  private static FSDataOutputStream failing(Path f, FSDataOutputStream real) throws IOException {
    long limit = failAfter;
    if (limit < 0) {
      return real;
    }
    return new FSDataOutputStream(
        new OutputStream() {
          private long written;

          @Override
          public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            if (written + len > limit) {
              real.write(b, off, (int) Math.max(0, limit - written));
              written = limit;
              throw new IOException(f + ": no space left on device (after " + limit + " bytes)");
            }
            real.write(b, off, len);
            written += len;
          }

          @Override
          public void close() throws IOException {
            real.close();
          }
        },
        null);
  }
}

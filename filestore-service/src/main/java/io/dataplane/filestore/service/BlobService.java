package io.dataplane.filestore.service;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.error.ErrorCodes;
import io.dataplane.filestore.blob.BlobStore;
import io.dataplane.filestore.config.FilestoreConfig;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Blobs as the rest of the service sees them: received into a scratch file while being counted and
 * hashed, stored once per backend, and read back only after their bytes were checked against their
 * digest.
 */
@ApplicationScoped
public class BlobService {

  /** Error code of a blob whose bytes no longer match its digest (HTTP 500). */
  public static final String CORRUPT = "CORRUPT";

  private static final int BUFFER = 64 * 1024;

  private final BlobStore store;
  private final Pool pool;
  private final FilestoreMetrics metrics;
  private final Path tmp;

  public BlobService(BlobStore store, Pool pool, FilestoreMetrics metrics, FilestoreConfig config) {
    this.store = store;
    this.pool = pool;
    this.metrics = metrics;
    this.tmp = Path.of(config.tmpDirectory());
    try {
      Files.createDirectories(tmp);
      // scratch files left by a crash are of no use to anyone
      try (var left = Files.newDirectoryStream(tmp, "{upload,verify,bundle}-*.part")) {
        for (Path p : left) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the scratch directory " + tmp, e);
    }
  }

  /** Bytes received into a scratch file: delete {@link #file()} when done. */
  public record Received(Path file, long size, String hex) implements AutoCloseable {
    @Override
    public void close() {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        Log.warnf("cannot delete scratch file %s: %s", file, e.getMessage());
      }
    }
  }

  /** Thrown by {@link #receive} as soon as more than the allowed bytes arrived. */
  public static final class TooLargeException extends IOException {
    public TooLargeException() {
      super("limit exceeded");
    }
  }

  public String backend() {
    return store.backend();
  }

  public Path newScratchFile(String kind) throws IOException {
    return Files.createTempFile(tmp, kind + "-", ".part");
  }

  /**
   * Copies {@code in} to a scratch file, counting and hashing as it goes; stops reading and throws
   * {@link TooLargeException} the moment more than {@code limit} bytes arrived.
   */
  public Received receive(InputStream in, long limit) throws IOException {
    Path file = newScratchFile("upload");
    MessageDigest md = Digests.sha256();
    long size = 0;
    try (OutputStream out = Files.newOutputStream(file)) {
      byte[] buf = new byte[BUFFER];
      int n;
      while ((n = in.read(buf)) > 0) {
        size += n;
        if (size > limit) {
          throw new TooLargeException();
        }
        md.update(buf, 0, n);
        out.write(buf, 0, n);
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(file);
      throw e;
    }
    return new Received(file, size, Digests.hex(md));
  }

  /**
   * Stores a received blob unless this backend already holds the same content; either way the blob
   * is marked as just used, so the collector leaves it alone while its reference is saved.
   */
  public void store(Received r) throws IOException {
    String hex = r.hex();
    boolean stored =
        Await.io(
            "cannot register blob " + hex,
            underBlobLock(
                hex,
                c ->
                    c.preparedQuery(
                            "update blobs set last_used_at = now()"
                                + " where backend = $1 and digest = $2")
                        .execute(Tuple.of(store.location(), hex))
                        .chain(
                            rows ->
                                rows.rowCount() > 0
                                    ? Uni.createFrom().item(false)
                                    : Await.blocking(
                                            () -> {
                                              store.write(hex, r.file(), r.size());
                                              return true;
                                            })
                                        .call(
                                            () ->
                                                c.preparedQuery(
                                                        "insert into blobs (backend, digest,"
                                                            + " size_bytes) values ($1, $2, $3)")
                                                    .execute(
                                                        Tuple.of(
                                                            store.location(), hex, r.size()))))));
    if (stored) {
      metrics.blobStored(r.size());
    }
  }

  /**
   * Removes blobs no file and no bundle refers to that were not used for {@code grace}; returns how
   * many. Bundles are immutable and never collected.
   */
  public int collectUnreferenced(java.time.Duration grace, int max) throws IOException {
    String unreferenced =
        " and last_used_at < now() - make_interval(secs => $2)"
            + " and not exists (select 1 from files f where f.digest = b.digest)"
            + " and not exists (select 1 from bundles u where u.digest = 'sha256:' || b.digest)";
    double graceSeconds = grace.toMillis() / 1000.0;
    List<String> candidates = new ArrayList<>();
    Await.io(
            "cannot find unreferenced blobs",
            pool.preparedQuery(
                    "select digest from blobs b where backend = $1" + unreferenced + " limit $3")
                .execute(Tuple.of(store.location(), graceSeconds, (long) max)))
        .forEach(row -> candidates.add(row.getString(0)));
    int removed = 0;
    for (String hex : candidates) {
      // checked again under the blob's lock: a writer may have just used it
      Long size =
          Await.io(
              "cannot collect blob " + hex,
              underBlobLock(
                  hex,
                  c ->
                      c.preparedQuery(
                              "delete from blobs b where backend = $1 and digest = $3"
                                  + unreferenced
                                  + " returning size_bytes")
                          .execute(Tuple.of(store.location(), graceSeconds, hex))
                          .chain(
                              rows ->
                                  rows.size() == 0
                                      ? Uni.createFrom().<Long>nullItem()
                                      : Await.blocking(
                                          () -> {
                                            store.delete(hex);
                                            return rows.iterator().next().getLong(0);
                                          }))));
      if (size != null) {
        metrics.blobStored(-size);
        removed++;
      }
    }
    return removed;
  }

  /**
   * Runs {@code work} in one transaction that holds the blob's lock first: writers and the
   * collector of one blob take turns.
   */
  private <T> Uni<T> underBlobLock(String hex, Function<SqlConnection, Uni<T>> work) {
    return pool.withTransaction(
        c ->
            c.preparedQuery("select pg_advisory_xact_lock(hashtextextended($1, 0))")
                .execute(Tuple.of("blobref:" + hex))
                .chain(() -> work.apply(c)));
  }

  /**
   * Copies blob {@code hex} into a scratch file and checks it against its digest before anyone sees
   * a byte of it. The caller deletes the returned file.
   *
   * @throws DataplaneException CORRUPT if the bytes do not match (the blob is never served)
   */
  public Path fetchVerified(String hex) throws IOException {
    Path file = newScratchFile("verify");
    try {
      MessageDigest md = Digests.sha256();
      try (InputStream in = open(hex);
          OutputStream out = Files.newOutputStream(file)) {
        byte[] buf = new byte[BUFFER];
        int n;
        while ((n = in.read(buf)) > 0) {
          md.update(buf, 0, n);
          out.write(buf, 0, n);
        }
      }
      String actual = Digests.hex(md);
      if (!actual.equals(hex)) {
        throw corrupt(hex, actual);
      }
      return file;
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(file);
      throw e;
    }
  }

  /**
   * Streams blob {@code hex}, failing at its end (before the reader sees end-of-stream) if the
   * bytes did not match. For readers that are not serving the bytes to anyone, such as the bundler.
   */
  public InputStream openVerifying(String hex) throws IOException {
    MessageDigest md = Digests.sha256();
    return new FilterInputStream(open(hex)) {
      private boolean checked;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
          md.update(b, off, n);
        } else if (n < 0 && !checked) {
          checked = true;
          String actual = Digests.hex(md);
          if (!actual.equals(hex)) {
            throw corrupt(hex, actual);
          }
        }
        return n;
      }
    };
  }

  private InputStream open(String hex) throws IOException {
    try {
      return store.open(hex);
    } catch (BlobStore.NoSuchBlobException e) {
      metrics.corruptBlob();
      Log.errorf("blob %s is registered but missing from the %s backend", hex, store.backend());
      throw new DataplaneException(
          CORRUPT, "stored content sha256:" + hex + " is missing from the " + store.backend());
    }
  }

  private DataplaneException corrupt(String hex, String actual) {
    metrics.corruptBlob();
    Log.errorf(
        "blob %s in the %s backend is corrupt: its bytes hash to %s", hex, store.backend(), actual);
    return new DataplaneException(
        CORRUPT,
        "stored content sha256:"
            + hex
            + " no longer matches its digest; it is not served (restore it from a backup)");
  }

  /** The error for an upload cut off at a limit. */
  public static DataplaneException tooLarge(String message) {
    return new DataplaneException(ErrorCodes.TOO_LARGE, message);
  }
}

package io.dataplane.filestore.service;

import io.dataplane.filestore.blob.BlobStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicLong;

/** The service's domain metrics, all tagged with the backend in use. */
@ApplicationScoped
public class FilestoreMetrics {

  private final MeterRegistry registry;
  private final String backend;
  private final AtomicLong storedBytes = new AtomicLong();
  private final Counter uploads;
  private final Counter uploadBytes;
  private final Counter bundlesPublished;
  private final Counter corrupt;

  private final Pool pool;
  private final String location;
  private volatile long refreshedAt;

  public FilestoreMetrics(MeterRegistry registry, BlobStore store, Pool pool) {
    this.registry = registry;
    this.backend = store.backend();
    this.pool = pool;
    this.location = store.location();
    refresh();
    refreshedAt = System.nanoTime();
    // read from the database at most once a minute, so that every replica reports the total
    Gauge.builder("dataplane.filestore.stored.bytes", this, FilestoreMetrics::storedBytes)
        .description("Bytes of blobs held by the backend (each distinct content counted once)")
        .tag("backend", backend)
        .baseUnit("bytes")
        .register(registry);
    uploads =
        Counter.builder("dataplane.filestore.uploads")
            .description("Files written")
            .tag("backend", backend)
            .register(registry);
    uploadBytes =
        Counter.builder("dataplane.filestore.upload.bytes")
            .description("Bytes of files written")
            .tag("backend", backend)
            .register(registry);
    bundlesPublished =
        Counter.builder("dataplane.filestore.bundles.published")
            .description("Bundles published (including republications of the same content)")
            .tag("backend", backend)
            .register(registry);
    corrupt =
        Counter.builder("dataplane.filestore.corrupt.blobs")
            .description("Reads that found a blob whose bytes no longer match its digest")
            .tag("backend", backend)
            .register(registry);
  }

  /** Reads the total from the database in the background; the gauge shows it once read. */
  private void refresh() {
    pool.preparedQuery("select coalesce(sum(size_bytes), 0) from blobs where backend = $1")
        .execute(Tuple.of(location))
        .subscribe()
        .with(
            rows -> storedBytes.set(Math.max(0, rows.iterator().next().getLong(0))),
            e -> Log.warnf("cannot read the stored bytes of %s: %s", location, e.getMessage()));
  }

  private double storedBytes() {
    long now = System.nanoTime();
    if (now - refreshedAt > 60_000_000_000L) {
      refreshedAt = now;
      refresh();
    }
    return storedBytes.get();
  }

  public void blobStored(long bytes) {
    storedBytes.addAndGet(bytes);
  }

  public void uploaded(long bytes) {
    uploads.increment();
    uploadBytes.increment(bytes);
  }

  public void rejected(String reason) {
    registry
        .counter("dataplane.filestore.uploads.rejected", "backend", backend, "reason", reason)
        .increment();
  }

  /** A download served with content; {@code kind} is {@code file} or {@code bundle}. */
  public void downloaded(String kind) {
    registry.counter("dataplane.filestore.downloads", "backend", backend, "kind", kind).increment();
  }

  /** A conditional request answered 304 Not Modified. */
  public void cacheValidated(String kind) {
    registry
        .counter("dataplane.filestore.cache.validations", "backend", backend, "kind", kind)
        .increment();
  }

  public void bundlePublished() {
    bundlesPublished.increment();
  }

  public void corruptBlob() {
    corrupt.increment();
  }
}

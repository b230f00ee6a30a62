package io.dataplane.filestore.service;

import io.agroal.api.AgroalDataSource;
import io.dataplane.filestore.blob.BlobStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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

  private final AgroalDataSource dataSource;
  private final String location;
  private volatile long refreshedAt;

  public FilestoreMetrics(MeterRegistry registry, BlobStore store, AgroalDataSource dataSource) {
    this.registry = registry;
    this.backend = store.backend();
    this.dataSource = dataSource;
    this.location = store.location();
    storedBytes.set(Math.max(0, initialStoredBytes(dataSource, location)));
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

  private static long initialStoredBytes(AgroalDataSource dataSource, String location) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select coalesce(sum(size_bytes), 0) from blobs where backend = ?")) {
      ps.setString(1, location);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    } catch (SQLException e) {
      Log.warnf("cannot read the stored bytes of %s: %s", location, e.getMessage());
      return -1;
    }
  }

  private double storedBytes() {
    long now = System.nanoTime();
    if (now - refreshedAt > 60_000_000_000L) {
      refreshedAt = now;
      long fresh = initialStoredBytes(dataSource, location);
      if (fresh >= 0) {
        storedBytes.set(fresh);
      }
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

package io.dataplane.filestore.service;

import io.agroal.api.AgroalDataSource;
import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.events.BundlePublished;
import io.dataplane.filestore.Bundle;
import io.dataplane.filestore.StoredFile;
import io.dataplane.filestore.bundle.BundleWriter;
import io.dataplane.filestore.client.OrchestratorClient;
import io.dataplane.filestore.messaging.BundleEventsProducer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Bundles: a pipeline's files snapshotted into a deterministic tar.gz, named by the sha256 of its
 * bytes, stored once and never changed.
 */
@ApplicationScoped
public class BundleService {

  private final AgroalDataSource dataSource;
  private final OrchestratorClient orchestrator;
  private final BlobService blobs;
  private final FilestoreMetrics metrics;
  private final BundleEventsProducer events;

  public BundleService(
      AgroalDataSource dataSource,
      OrchestratorClient orchestrator,
      BlobService blobs,
      FilestoreMetrics metrics,
      BundleEventsProducer events) {
    this.dataSource = dataSource;
    this.orchestrator = orchestrator;
    this.blobs = blobs;
    this.metrics = metrics;
    this.events = events;
  }

  /** Snapshots the pipeline's current files into a bundle and publishes it. */
  public Bundle publish(String env, String pipeline, String actor) {
    FileService.checkScope(env, pipeline);
    orchestrator.requireEnvironment(env);
    List<StoredFile> files = snapshot(env, pipeline);
    Path archive;
    String hex;
    long size;
    try {
      archive = blobs.newScratchFile("bundle");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      MessageDigest md = Digests.sha256();
      try (OutputStream out =
          new DigestOutputStream(
              new BufferedOutputStream(Files.newOutputStream(archive), 64 * 1024), md)) {
        BundleWriter.write(
            files.stream()
                .map(
                    f ->
                        new BundleWriter.Entry(
                            f.path(),
                            f.sizeBytes(),
                            () -> blobs.openVerifying(Digests.hexOf(f.digest()))))
                .toList(),
            out);
      }
      hex = Digests.hex(md);
      size = Files.size(archive);
      blobs.store(new BlobService.Received(archive, size, hex));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot build the bundle of " + env + "/" + pipeline, e);
    } finally {
      try {
        Files.deleteIfExists(archive);
      } catch (IOException ignored) {
        // a scratch file; the tmp directory is not kept across restarts anyway
      }
    }
    Bundle bundle = new Bundle(Digests.of(hex), size, files.size());
    record(env, pipeline, actor, bundle);
    metrics.bundlePublished();
    return bundle;
  }

  /** The files as of one moment (one statement sees one snapshot). */
  private List<StoredFile> snapshot(String env, String pipeline) {
    try (Connection c = dataSource.getConnection()) {
      return FileService.list(c, env, pipeline, null);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot list the pipeline's files", e);
    }
  }

  private void record(String env, String pipeline, String actor, Bundle b) {
    Transactions.inTransaction(
        dataSource,
        "cannot record bundle " + b.digest(),
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "insert into bundles (digest, size_bytes, file_count) values (?, ?, ?)"
                      + " on conflict do nothing")) {
            ps.setString(1, b.digest());
            ps.setLong(2, b.sizeBytes());
            ps.setInt(3, b.files());
            ps.executeUpdate();
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "insert into bundle_publications (digest, environment, pipeline, published_by)"
                      + " values (?, ?, ?, ?)")) {
            ps.setString(1, b.digest());
            ps.setString(2, env);
            ps.setString(3, pipeline);
            ps.setString(4, actor);
            ps.executeUpdate();
          }
          events.published(
              c,
              new BundlePublished(env, pipeline, b.digest(), b.sizeBytes(), b.files()),
              traceparent());
          return null;
        });
  }

  /** The bundle {@code digest}, if it was ever published. */
  public Optional<Bundle> find(String digest) {
    if (!Digests.valid(digest)) {
      throw DataplaneException.invalid("digest", "a digest looks like sha256:<64 lowercase hex>");
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("select size_bytes, file_count from bundles where digest = ?")) {
      ps.setString(1, digest);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? Optional.of(new Bundle(digest, rs.getLong(1), rs.getInt(2)))
            : Optional.empty();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot look up bundle " + digest, e);
    }
  }

  private static String traceparent() {
    SpanContext s = Span.current().getSpanContext();
    if (!s.isValid()) {
      return null;
    }
    return "00-" + s.getTraceId() + "-" + s.getSpanId() + "-" + s.getTraceFlags().asHex();
  }
}

package io.dataplane.filestore.service;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.events.BundlePublished;
import io.dataplane.filestore.Bundle;
import io.dataplane.filestore.BundlePublication;
import io.dataplane.filestore.PublishedBundle;
import io.dataplane.filestore.StoredFile;
import io.dataplane.filestore.bundle.BundleWriter;
import io.dataplane.filestore.client.OrchestratorClient;
import io.dataplane.filestore.messaging.BundleEventsProducer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.quarkus.hibernate.reactive.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

/**
 * Bundles: a pipeline's files snapshotted into a deterministic tar.gz, named by the sha256 of its
 * bytes, stored once and never changed.
 */
@ApplicationScoped
public class BundleService {

  private final OrchestratorClient orchestrator;
  private final BlobService blobs;
  private final FilestoreMetrics metrics;
  private final BundleEventsProducer events;

  public BundleService(
      OrchestratorClient orchestrator,
      BlobService blobs,
      FilestoreMetrics metrics,
      BundleEventsProducer events) {
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
    return Await.onContext(() -> Panache.withSession(() -> FileService.files(env, pipeline, null)));
  }

  private void record(String env, String pipeline, String actor, Bundle b) {
    BundlePublished event =
        new BundlePublished(env, pipeline, b.digest(), b.sizeBytes(), b.files());
    String traceparent = traceparent();
    Await.onContext(
        () ->
            Panache.withTransaction(
                () ->
                    Panache.getSession()
                        .chain(
                            s ->
                                s.createNativeQuery(
                                        "insert into bundles (digest, size_bytes, file_count)"
                                            + " values (:digest, :size, :files)"
                                            + " on conflict do nothing")
                                    .setParameter("digest", b.digest())
                                    .setParameter("size", b.sizeBytes())
                                    .setParameter("files", b.files())
                                    .executeUpdate()
                                    .chain(
                                        () ->
                                            new BundlePublication(b.digest(), env, pipeline, actor)
                                                .persist())
                                    .chain(() -> events.published(s, event, traceparent)))));
  }

  /** The bundle {@code digest}, if it was ever published. */
  public Optional<Bundle> find(String digest) {
    if (!Digests.valid(digest)) {
      throw DataplaneException.invalid("digest", "a digest looks like sha256:<64 lowercase hex>");
    }
    return Await.onContext(
        () ->
            Panache.withSession(
                () ->
                    PublishedBundle.<PublishedBundle>findById(digest)
                        .map(f -> Optional.ofNullable(f).map(PublishedBundle::view))));
  }

  private static String traceparent() {
    SpanContext s = Span.current().getSpanContext();
    if (!s.isValid()) {
      return null;
    }
    return "00-" + s.getTraceId() + "-" + s.getSpanId() + "-" + s.getTraceFlags().asHex();
  }
}

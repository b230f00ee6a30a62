package io.dataplane.filestore.service;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.filestore.DraftFile;
import io.dataplane.filestore.StoredFile;
import io.dataplane.filestore.client.OrchestratorClient;
import io.dataplane.filestore.config.FilestoreConfig;
import io.dataplane.filestore.path.FilePaths;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * The files of pipeline drafts. A write first lands in a scratch file (counted against the limits
 * as it arrives), then in the backend under its digest, and only then does the file's row point at
 * it: concurrent writers of one path each store whole content, the last commit wins, nothing is
 * ever torn.
 */
@ApplicationScoped
public class FileService {

  private final OrchestratorClient orchestrator;
  private final BlobService blobs;
  private final FilestoreMetrics metrics;
  private final long maxFile;
  private final long maxPipeline;

  public FileService(
      OrchestratorClient orchestrator,
      BlobService blobs,
      FilestoreMetrics metrics,
      FilestoreConfig config) {
    this.orchestrator = orchestrator;
    this.blobs = blobs;
    this.metrics = metrics;
    this.maxFile = config.maxFileSize().asLongValue();
    this.maxPipeline = config.maxPipelineSize().asLongValue();
  }

  /** The result of a write: the file and whether it is new. */
  public record Written(StoredFile file, boolean created) {}

  /** Refuses bad environment or pipeline names, with the offending field as the path. */
  public static void checkScope(String environment, String pipeline) {
    if (!FilePaths.validName(environment)) {
      throw DataplaneException.invalid(
          "environment",
          "invalid environment name; use letters, digits, '.', '_' and '-' (at most 128)");
    }
    if (!FilePaths.validName(pipeline)) {
      throw DataplaneException.invalid(
          "pipeline", "invalid pipeline name; use letters, digits, '.', '_' and '-' (at most 128)");
    }
  }

  /** Refuses a bad file path with a message that says what is wrong. */
  public static void checkPath(String field, String path) {
    FilePaths.problem(path)
        .ifPresent(
            p -> {
              throw DataplaneException.invalid(field, p);
            });
  }

  /**
   * Writes {@code path} from {@code body}, enforcing the per-file and per-pipeline limits while the
   * bytes arrive.
   *
   * @param declaredLength the request's Content-Length, or -1 when unknown (chunked)
   */
  public Written write(
      String env,
      String pipeline,
      String path,
      String contentType,
      String actor,
      long declaredLength,
      InputStream body) {
    checkScope(env, pipeline);
    checkPath("path", path);
    orchestrator.requireEnvironment(env);
    if (declaredLength > maxFile) {
      metrics.rejected("file-limit");
      throw BlobService.tooLarge(fileLimitMessage());
    }
    long othersBytes =
        Await.onContext(() -> Panache.withSession(() -> totalBytesExcept(env, pipeline, path)));
    long allowed = Math.min(maxFile, maxPipeline - othersBytes);
    if (declaredLength > allowed) {
      metrics.rejected("pipeline-limit");
      throw BlobService.tooLarge(pipelineLimitMessage(othersBytes));
    }
    BlobService.Received received;
    try {
      received = blobs.receive(body, Math.max(allowed, 0));
    } catch (BlobService.TooLargeException e) {
      boolean fileLimit = allowed == maxFile;
      metrics.rejected(fileLimit ? "file-limit" : "pipeline-limit");
      throw BlobService.tooLarge(
          fileLimit ? fileLimitMessage() : pipelineLimitMessage(othersBytes));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot receive " + path, e);
    }
    try (received) {
      blobs.store(received);
      Written w = Await.onContext(() -> commit(env, pipeline, path, contentType, actor, received));
      metrics.uploaded(received.size());
      return w;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store " + path, e);
    }
  }

  private Uni<Written> commit(
      String env,
      String pipeline,
      String path,
      String contentType,
      String actor,
      BlobService.Received r) {
    return Panache.withTransaction(
        () ->
            lockPipeline(env, pipeline)
                // checked again under the lock: concurrent uploads to one pipeline cannot pass it
                // together
                .chain(() -> totalBytesExcept(env, pipeline, path))
                .invoke(
                    others -> {
                      if (others + r.size() > maxPipeline) {
                        metrics.rejected("pipeline-limit");
                        throw BlobService.tooLarge(pipelineLimitMessage(others));
                      }
                    })
                .chain(() -> DraftFile.<DraftFile>findById(key(env, pipeline, path)))
                .chain(
                    existing -> {
                      DraftFile f = existing;
                      if (f == null) {
                        f = new DraftFile();
                        f.environment = env;
                        f.pipeline = pipeline;
                        f.path = path;
                      }
                      f.sizeBytes = r.size();
                      f.digest = r.hex();
                      f.contentType = contentType;
                      f.modifiedBy = actor;
                      f.modifiedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
                      Uni<DraftFile> saved =
                          existing == null ? f.<DraftFile>persist() : Uni.createFrom().item(f);
                      return saved.map(s -> new Written(s.view(), existing == null));
                    }));
  }

  /** The file, if there is one. */
  @WithSession
  public Uni<Optional<StoredFile>> find(String env, String pipeline, String path) {
    checkScope(env, pipeline);
    checkPath("path", path);
    return DraftFile.<DraftFile>findById(key(env, pipeline, path))
        .map(f -> Optional.ofNullable(f).map(DraftFile::view));
  }

  /** The file, for blocking callers (downloads); 404 if there is none. */
  public StoredFile get(String env, String pipeline, String path) {
    return Await.onContext(() -> find(env, pipeline, path))
        .orElseThrow(() -> DataplaneException.notFound("file " + path));
  }

  /** The pipeline's files in path order (bytewise), optionally under {@code prefix}. */
  @WithSession
  public Uni<List<StoredFile>> list(String env, String pipeline, String prefix) {
    checkScope(env, pipeline);
    return files(env, pipeline, prefix);
  }

  /** The files as one statement sees them (one snapshot), in path order (bytewise). */
  static Uni<List<StoredFile>> files(String env, String pipeline, String prefix) {
    boolean under = prefix != null && !prefix.isEmpty();
    String sql =
        "select * from files where environment = :env and pipeline = :pipeline"
            + (under ? " and starts_with(path, :prefix)" : "")
            + " order by path collate \"C\"";
    return Panache.getSession()
        .chain(
            s -> {
              var q =
                  s.createNativeQuery(sql, DraftFile.class)
                      .setParameter("env", env)
                      .setParameter("pipeline", pipeline);
              if (under) {
                q.setParameter("prefix", prefix);
              }
              return q.getResultList();
            })
        .map(rows -> rows.stream().map(DraftFile::view).toList());
  }

  /** Moves {@code from} to {@code to}; 409 if {@code to} exists, 404 if {@code from} does not. */
  public Uni<StoredFile> move(String env, String pipeline, String from, String to, String actor) {
    checkScope(env, pipeline);
    checkPath("from", from);
    checkPath("to", to);
    return VertxContextSupport.executeBlocking(
            () -> {
              orchestrator.requireEnvironment(env);
              return null;
            })
        .chain(() -> Panache.withTransaction(() -> moveLocked(env, pipeline, from, to, actor)));
  }

  private Uni<StoredFile> moveLocked(
      String env, String pipeline, String from, String to, String actor) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    return lockPipeline(env, pipeline)
        .chain(
            () ->
                from.equals(to)
                    ? Uni.createFrom().nullItem()
                    : DraftFile.<DraftFile>findById(key(env, pipeline, to)))
        .chain(
            target -> {
              if (target != null) {
                throw DataplaneException.conflict(
                    "file " + to + " already exists; delete it first");
              }
              return DraftFile.<DraftFile>findById(key(env, pipeline, from));
            })
        .chain(
            f -> {
              if (f == null) {
                throw DataplaneException.notFound("file " + from);
              }
              f.modifiedBy = actor;
              f.modifiedAt = now;
              if (from.equals(to)) {
                return Uni.createFrom().item(f.view());
              }
              // the path is part of the key: the row under the new key replaces the old one
              DraftFile moved = new DraftFile();
              moved.environment = env;
              moved.pipeline = pipeline;
              moved.path = to;
              moved.sizeBytes = f.sizeBytes;
              moved.digest = f.digest;
              moved.contentType = f.contentType;
              moved.modifiedBy = actor;
              moved.modifiedAt = now;
              return f.delete().chain(() -> moved.<DraftFile>persist()).map(DraftFile::view);
            });
  }

  @WithTransaction
  public Uni<Void> delete(String env, String pipeline, String path) {
    checkScope(env, pipeline);
    checkPath("path", path);
    return DraftFile.delete("#DraftFile.deleteOne", env, pipeline, path)
        .invoke(
            n -> {
              if (n == 0) {
                throw DataplaneException.notFound("file " + path);
              }
            })
        .replaceWithVoid();
  }

  private static Uni<Long> totalBytesExcept(String env, String pipeline, String path) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNamedQuery("DraftFile.othersBytes", Long.class)
                    .setParameter(1, env)
                    .setParameter(2, pipeline)
                    .setParameter(3, path)
                    .getSingleResult());
  }

  private static DraftFile.Key key(String env, String pipeline, String path) {
    return new DraftFile.Key(env, pipeline, path);
  }

  /** Serializes the writers of one pipeline for the rest of the transaction. */
  private static Uni<Void> lockPipeline(String env, String pipeline) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "select 1 from pg_advisory_xact_lock(hashtextextended(:key, 0))")
                    .setParameter("key", "files:" + env + "/" + pipeline)
                    .getSingleResult())
        .replaceWithVoid();
  }

  private String fileLimitMessage() {
    return "the file is larger than the per-file limit of "
        + Sizes.human(maxFile)
        + " (dataplane.filestore.max-file-size)";
  }

  private String pipelineLimitMessage(long othersBytes) {
    return "the pipeline's files would exceed the per-pipeline limit of "
        + Sizes.human(maxPipeline)
        + " ("
        + Sizes.human(othersBytes)
        + " already used by other files; dataplane.filestore.max-pipeline-size)";
  }
}

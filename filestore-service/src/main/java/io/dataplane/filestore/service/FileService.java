package io.dataplane.filestore.service;

import io.agroal.api.AgroalDataSource;
import io.dataplane.common.error.DataplaneException;
import io.dataplane.filestore.StoredFile;
import io.dataplane.filestore.client.OrchestratorClient;
import io.dataplane.filestore.config.FilestoreConfig;
import io.dataplane.filestore.path.FilePaths;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
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

  private static final String COLUMNS =
      "environment, pipeline, path, size_bytes, digest, content_type, modified_by, modified_at";

  private final AgroalDataSource dataSource;
  private final OrchestratorClient orchestrator;
  private final BlobService blobs;
  private final FilestoreMetrics metrics;
  private final long maxFile;
  private final long maxPipeline;

  public FileService(
      AgroalDataSource dataSource,
      OrchestratorClient orchestrator,
      BlobService blobs,
      FilestoreMetrics metrics,
      FilestoreConfig config) {
    this.dataSource = dataSource;
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
    long othersBytes = totalBytesExcept(env, pipeline, path);
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
      Written w = commit(env, pipeline, path, contentType, actor, received);
      metrics.uploaded(received.size());
      return w;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store " + path, e);
    }
  }

  private Written commit(
      String env,
      String pipeline,
      String path,
      String contentType,
      String actor,
      BlobService.Received r) {
    return Transactions.inTransaction(
        dataSource,
        "cannot save " + path,
        c -> {
          lockPipeline(c, env, pipeline);
          // checked again under the lock: concurrent uploads to one pipeline cannot pass it
          // together
          long others = totalBytesExcept(c, env, pipeline, path);
          if (others + r.size() > maxPipeline) {
            metrics.rejected("pipeline-limit");
            throw BlobService.tooLarge(pipelineLimitMessage(others));
          }
          Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
          boolean created;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "insert into files ("
                      + COLUMNS
                      + ") values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (environment, pipeline, path)"
                      + " do update set size_bytes = excluded.size_bytes, digest = excluded.digest,"
                      + " content_type = excluded.content_type, modified_by = excluded.modified_by,"
                      + " modified_at = excluded.modified_at returning (xmax = 0)")) {
            bindFile(ps, env, pipeline, path);
            ps.setLong(4, r.size());
            ps.setString(5, r.hex());
            ps.setString(6, contentType);
            ps.setString(7, actor);
            ps.setTimestamp(8, Timestamp.from(now));
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              created = rs.getBoolean(1);
            }
          }
          return new Written(
              new StoredFile(
                  env, pipeline, path, r.size(), Digests.of(r.hex()), contentType, actor, now),
              created);
        });
  }

  public Optional<StoredFile> find(String env, String pipeline, String path) {
    checkScope(env, pipeline);
    checkPath("path", path);
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select "
                    + COLUMNS
                    + " from files where environment = ? and pipeline = ? and path = ?")) {
      bindFile(ps, env, pipeline, path);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(row(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read " + path, e);
    }
  }

  public StoredFile get(String env, String pipeline, String path) {
    return find(env, pipeline, path).orElseThrow(() -> DataplaneException.notFound("file " + path));
  }

  /** The pipeline's files in path order (bytewise), optionally under {@code prefix}. */
  public List<StoredFile> list(String env, String pipeline, String prefix) {
    checkScope(env, pipeline);
    try (Connection c = dataSource.getConnection()) {
      return list(c, env, pipeline, prefix);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot list files", e);
    }
  }

  static List<StoredFile> list(Connection c, String env, String pipeline, String prefix)
      throws SQLException {
    String sql =
        "select "
            + COLUMNS
            + " from files where environment = ? and pipeline = ?"
            + (prefix == null || prefix.isEmpty() ? "" : " and starts_with(path, ?)")
            + " order by path collate \"C\"";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, env);
      ps.setString(2, pipeline);
      if (prefix != null && !prefix.isEmpty()) {
        ps.setString(3, prefix);
      }
      List<StoredFile> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(row(rs));
        }
      }
      return out;
    }
  }

  /** Moves {@code from} to {@code to}; 409 if {@code to} exists, 404 if {@code from} does not. */
  public StoredFile move(String env, String pipeline, String from, String to, String actor) {
    checkScope(env, pipeline);
    checkPath("from", from);
    checkPath("to", to);
    orchestrator.requireEnvironment(env);
    return Transactions.inTransaction(
        dataSource,
        "cannot move " + from,
        c -> {
          lockPipeline(c, env, pipeline);
          Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
          if (!from.equals(to) && exists(c, env, pipeline, to)) {
            throw DataplaneException.conflict("file " + to + " already exists; delete it first");
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "update files set path = ?, modified_by = ?, modified_at = ?"
                      + " where environment = ? and pipeline = ? and path = ? returning "
                      + COLUMNS)) {
            ps.setString(1, to);
            ps.setString(2, actor);
            ps.setTimestamp(3, Timestamp.from(now));
            ps.setString(4, env);
            ps.setString(5, pipeline);
            ps.setString(6, from);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                throw DataplaneException.notFound("file " + from);
              }
              return row(rs);
            }
          }
        });
  }

  public void delete(String env, String pipeline, String path) {
    checkScope(env, pipeline);
    checkPath("path", path);
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "delete from files where environment = ? and pipeline = ? and path = ?")) {
      bindFile(ps, env, pipeline, path);
      if (ps.executeUpdate() == 0) {
        throw DataplaneException.notFound("file " + path);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot delete " + path, e);
    }
  }

  private boolean exists(Connection c, String env, String pipeline, String path)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "select 1 from files where environment = ? and pipeline = ? and path = ?")) {
      bindFile(ps, env, pipeline, path);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private long totalBytesExcept(String env, String pipeline, String path) {
    try (Connection c = dataSource.getConnection()) {
      return totalBytesExcept(c, env, pipeline, path);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot sum the pipeline's files", e);
    }
  }

  private static long totalBytesExcept(Connection c, String env, String pipeline, String path)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "select coalesce(sum(size_bytes), 0) from files"
                + " where environment = ? and pipeline = ? and path <> ?")) {
      bindFile(ps, env, pipeline, path);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Binds the key of a file (environment, pipeline, path) as the first three parameters. */
  private static void bindFile(PreparedStatement ps, String env, String pipeline, String path)
      throws SQLException {
    ps.setString(1, env);
    ps.setString(2, pipeline);
    ps.setString(3, path);
  }

  /** Serializes the writers of one pipeline for the rest of the transaction. */
  static void lockPipeline(Connection c, String env, String pipeline) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("select pg_advisory_xact_lock(hashtextextended(?, 0))")) {
      ps.setString(1, "files:" + env + "/" + pipeline);
      ps.execute();
    }
  }

  private static StoredFile row(ResultSet rs) throws SQLException {
    return new StoredFile(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        rs.getLong(4),
        Digests.of(rs.getString(5)),
        rs.getString(6),
        rs.getString(7),
        rs.getTimestamp(8).toInstant());
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

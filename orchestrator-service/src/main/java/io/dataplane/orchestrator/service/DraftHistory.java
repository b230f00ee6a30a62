package io.dataplane.orchestrator.service;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.orchestrator.Pipeline;
import io.dataplane.orchestrator.Release;
import io.dataplane.orchestrator.dag.PipelineDefinition;
import io.dataplane.orchestrator.repository.Db;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Draft history: every saved draft of a pipeline whose normalized definition differs from the one
 * saved just before (same digest: no new version), listable, diffable against another version or a
 * release, and restorable (the restored version becomes the draft, recorded as a new version). At
 * most {@code drafts.keep} versions per pipeline are kept; the oldest go first.
 */
@ApplicationScoped
public class DraftHistory {

  /** One saved version of a draft; source and definition only when read alone. */
  public record DraftVersion(
      UUID id,
      String environment,
      String pipeline,
      int version,
      String digest,
      Instant savedAt,
      String savedBy,
      UUID restoredFrom,
      String source,
      String sourceFormat,
      PipelineDefinition definition) {}

  /** The differences from one version (or release, or the draft) to another, by path. */
  public record DraftDiff(String from, String to, List<PipelineService.Change> changes) {}

  /** Names the current draft in a diff. */
  public static final String CURRENT = "draft";

  private final Db db;
  private final PipelineService pipelines;

  public DraftHistory(Db db, PipelineService pipelines) {
    this.db = db;
    this.pipelines = pipelines;
  }

  /**
   * Records a saved draft in its history inside the saving transaction, unless its definition is
   * the same as the newest version's; prunes the versions beyond {@code keep}.
   */
  static void record(
      Db.Tx tx,
      String env,
      String name,
      String source,
      String format,
      PipelineDefinition definition,
      String actor,
      UUID restoredFrom,
      int keep)
      throws SQLException {
    String digest = PipelineService.digest(definition, null);
    Optional<String> last =
        tx.one(
            "select digest from draft_versions where environment = ? and pipeline = ?"
                + " order by version desc limit 1",
            rs -> rs.getString(1),
            env,
            name);
    if (last.isPresent() && last.get().equals(digest)) {
      return;
    }
    tx.update(
        "insert into draft_versions (id, environment, pipeline, version, digest, source,"
            + " source_format, definition, saved_by, restored_from) values (?, ?, ?, coalesce("
            + "(select max(version) from draft_versions where environment = ? and pipeline = ?),"
            + " 0) + 1, ?, ?, ?, ?, ?, ?)",
        UUID.randomUUID(),
        env,
        name,
        env,
        name,
        digest,
        source,
        format,
        Db.Jsonb.of(definition),
        actor,
        restoredFrom);
    tx.update(
        "delete from draft_versions where environment = ? and pipeline = ? and version <="
            + " (select max(version) from draft_versions where environment = ? and pipeline = ?)"
            + " - ?",
        env,
        name,
        env,
        name,
        Math.max(1, keep));
  }

  /** The versions of a pipeline's draft, newest first (without their source). */
  public List<DraftVersion> list(String env, String name, int limit) {
    if (limit < 1 || limit > 1000) {
      throw DataplaneException.invalid("limit", "limit must be between 1 and 1000");
    }
    return db.tx(
        tx -> {
          pipelines.pipeline(tx, env, name);
          return tx.list(
              "select id, environment, pipeline, version, digest, saved_at, saved_by,"
                  + " restored_from from draft_versions where environment = ? and pipeline = ?"
                  + " order by version desc limit ?",
              rs -> row(rs, false),
              env,
              name,
              limit);
        });
  }

  /** One version of a pipeline's draft, with its source and definition. */
  public DraftVersion get(String env, String name, UUID id) {
    return db.tx(
        tx -> {
          pipelines.pipeline(tx, env, name);
          return version(tx, env, name, id)
              .orElseThrow(
                  () -> DataplaneException.notFound("draft version " + id + " of '" + name + "'"));
        });
  }

  private static Optional<DraftVersion> version(Db.Tx tx, String env, String name, UUID id)
      throws SQLException {
    return tx.one(
        "select * from draft_versions where id = ? and environment = ? and pipeline = ?",
        rs -> row(rs, true),
        id,
        env,
        name);
  }

  /**
   * What changed from {@code from} to {@code to}: each a draft version id, a release id of this
   * pipeline, or {@value #CURRENT} for the current draft.
   */
  public DraftDiff diff(String env, String name, String from, String to) {
    return db.tx(
        tx -> {
          Pipeline p = pipelines.pipeline(tx, env, name);
          PipelineDefinition a = definition(tx, env, name, p, from, "from");
          PipelineDefinition b = definition(tx, env, name, p, to, "to");
          List<PipelineService.Change> changes = new ArrayList<>();
          PipelineService.diff("", PipelineService.tree(a), PipelineService.tree(b), changes);
          return new DraftDiff(from, to, changes);
        });
  }

  private PipelineDefinition definition(
      Db.Tx tx, String env, String name, Pipeline p, String ref, String field) throws SQLException {
    if (ref == null || ref.isBlank()) {
      throw DataplaneException.invalid(
          field, field + " is required: a draft version id, a release id or '" + CURRENT + "'");
    }
    if (CURRENT.equals(ref)) {
      return p.definition();
    }
    UUID id;
    try {
      id = UUID.fromString(ref.strip());
    } catch (IllegalArgumentException e) {
      throw DataplaneException.invalid(
          field, field + " must be a draft version id, a release id or '" + CURRENT + "'");
    }
    Optional<DraftVersion> v = version(tx, env, name, id);
    if (v.isPresent()) {
      return v.get().definition();
    }
    Optional<Release> r =
        tx.one(
            "select "
                + io.dataplane.orchestrator.repository.Rows.RELEASE_COLS
                + " from releases where id = ? and environment = ? and pipeline = ?",
            io.dataplane.orchestrator.repository.Rows::release,
            id,
            env,
            name);
    return r.map(Release::definition)
        .orElseThrow(
            () ->
                DataplaneException.notFound(
                    "no draft version or release " + ref + " of '" + name + "' in '" + env + "'"));
  }

  /**
   * Makes an earlier version the draft again (checked against today's worker groups like any save)
   * and records it as a new version.
   */
  public Pipeline restore(String env, String name, UUID id, String actor) {
    DraftVersion v = get(env, name, id);
    return pipelines
        .saveDraft(env, name, v.source(), !"json".equals(v.sourceFormat()), actor, v.id())
        .value();
  }

  private static DraftVersion row(ResultSet rs, boolean full) throws SQLException {
    return new DraftVersion(
        Db.uuid(rs, "id"),
        rs.getString("environment"),
        rs.getString("pipeline"),
        rs.getInt("version"),
        rs.getString("digest"),
        Db.instant(rs, "saved_at"),
        rs.getString("saved_by"),
        Db.uuid(rs, "restored_from"),
        full ? rs.getString("source") : null,
        full ? rs.getString("source_format") : null,
        full ? Db.json(rs, "definition", PipelineDefinition.class) : null);
  }
}

package io.dataplane.scheduler.repository;

import io.dataplane.common.jdbc.Sql;
import io.dataplane.scheduler.Schedule;
import io.dataplane.scheduler.Trigger;
import io.dataplane.scheduler.trigger.TriggerGraph;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Triggers, their fire ledger and webhook deliveries (plain JDBC; Connection = caller's tx). */
@ApplicationScoped
public class TriggerRepository implements SchedulerTables {

  private static final String COLUMNS =
      "id, environment, name, pipeline, kind, description, upstream_pipeline, on_state, topic,"
          + " filter_field, filter_value, auth, token_hash, secret_name, params, state,"
          + " state_reason, release_id, latest_release_id, created_at, created_by, updated_at,"
          + " updated_by";

  /** One ledger row. */
  public record FireRow(
      UUID triggerId,
      String eventId,
      String requestId,
      Instant firedAt,
      String outcome,
      String reason,
      String releaseId,
      Map<String, Object> params,
      String source,
      int chainDepth) {}

  private final ScheduleRepository schedules;

  public TriggerRepository(ScheduleRepository schedules) {
    this.schedules = schedules;
  }

  @Override
  public ScheduleRepository schedules() {
    return schedules;
  }

  public void insert(Connection c, Trigger t) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "insert into triggers ("
                + COLUMNS
                + ") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?,"
                + " ?, ?)")) {
      int i = 1;
      ps.setObject(i++, t.id());
      ps.setString(i++, t.environment());
      i = bind(ps, i, t);
      ps.executeUpdate();
    }
  }

  public void update(Connection c, Trigger t) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "update triggers set name = ?, pipeline = ?, kind = ?, description = ?,"
                + " upstream_pipeline = ?, on_state = ?, topic = ?, filter_field = ?,"
                + " filter_value = ?, auth = ?, token_hash = ?, secret_name = ?, params = ?::jsonb,"
                + " state = ?, state_reason = ?, release_id = ?, latest_release_id = ?,"
                + " created_at = ?, created_by = ?, updated_at = ?, updated_by = ? where id = ?")) {
      int i = bind(ps, 1, t);
      ps.setObject(i, t.id());
      ps.executeUpdate();
    }
  }

  private static int bind(PreparedStatement ps, int i, Trigger t) throws SQLException {
    ps.setString(i++, t.name());
    ps.setString(i++, t.pipeline());
    ps.setString(i++, t.kind().name());
    ps.setString(i++, t.description());
    ps.setString(i++, t.upstreamPipeline());
    ps.setString(i++, t.onState());
    ps.setString(i++, t.topic());
    ps.setString(i++, t.filterField());
    ps.setString(i++, t.filterValue());
    ps.setString(i++, t.auth());
    ps.setString(i++, t.tokenHash());
    ps.setString(i++, t.secretName());
    ps.setString(i++, Jdbc.json(t.params()));
    ps.setString(i++, t.state().name());
    ps.setString(i++, t.stateReason());
    ps.setString(i++, t.releaseId());
    ps.setString(i++, t.latestReleaseId());
    ps.setObject(i++, ScheduleRepository.ts(t.createdAt()));
    ps.setString(i++, t.createdBy());
    ps.setObject(i++, ScheduleRepository.ts(t.updatedAt()));
    ps.setString(i++, t.updatedBy());
    return i;
  }

  public boolean delete(Connection c, UUID id) throws SQLException {
    return Jdbc.delete(c, "triggers", id);
  }

  public Optional<Trigger> find(Connection c, UUID id, boolean forUpdate) throws SQLException {
    List<Trigger> l =
        query(
            c,
            "select " + COLUMNS + " from triggers where id = ?" + (forUpdate ? " for update" : ""),
            id);
    return l.stream().findFirst();
  }

  public Optional<Trigger> find(UUID id) throws SQLException {
    try (Connection c = connection()) {
      return find(c, id, false);
    }
  }

  public boolean nameTaken(Connection c, String env, String name, UUID except) throws SQLException {
    return Jdbc.nameTaken(c, "triggers", env, name, except);
  }

  public List<Trigger> list(String env, String pipeline) throws SQLException {
    try (Connection c = connection()) {
      return list(c, env, pipeline, false);
    }
  }

  /** The triggers of an environment (of one pipeline when given), locked when asked. */
  public List<Trigger> list(Connection c, String env, String pipeline, boolean forUpdate)
      throws SQLException {
    return query(
        c,
        "select "
            + COLUMNS
            + " from triggers where environment = ? and (?::text is null or pipeline = ?)"
            + " order by name"
            + (forUpdate ? " for update" : ""),
        env,
        pipeline,
        pipeline);
  }

  /** Enabled completion triggers listening to runs of {@code upstream}. */
  public List<Trigger> completionsOf(String env, String upstream) throws SQLException {
    try (Connection c = connection()) {
      return query(
          c,
          "select "
              + COLUMNS
              + " from triggers where kind = 'COMPLETION' and environment = ?"
              + " and upstream_pipeline = ? and state = 'ENABLED'",
          env,
          upstream);
    }
  }

  /** Every enabled Kafka trigger (all environments: one consumer serves them). */
  public List<Trigger> kafkaTriggers() throws SQLException {
    try (Connection c = connection()) {
      return query(
          c, "select " + COLUMNS + " from triggers where kind = 'KAFKA' and state = 'ENABLED'");
    }
  }

  /** The completion edges of an environment (locked, so two creations cannot race a loop in). */
  public List<TriggerGraph.Edge> completionEdges(Connection c, String env, UUID except)
      throws SQLException {
    try (PreparedStatement lock =
        c.prepareStatement("select pg_advisory_xact_lock(hashtext('triggers/' || ?))")) {
      lock.setString(1, env);
      lock.execute();
    }
    return Sql.query(
        c,
        "select upstream_pipeline, pipeline from triggers where environment = ?"
            + " and kind = 'COMPLETION' and (?::uuid is null or id <> ?)",
        rs -> new TriggerGraph.Edge(rs.getString(1), rs.getString(2)),
        env,
        except,
        except);
  }

  /** Triggers of a pipeline (what they start). */
  public List<UUID> idsOfPipeline(Connection c, String env, String pipeline) throws SQLException {
    return Sql.query(
        c,
        "select id from triggers where environment = ? and pipeline = ?",
        rs -> rs.getObject(1, UUID.class),
        env,
        pipeline);
  }

  /** Stops a deleted pipeline's triggers; returns how many. */
  public int stopPipeline(Connection c, String env, String pipeline) throws SQLException {
    return Sql.update(
        c,
        "update triggers set state = 'STOPPED', state_reason = 'pipeline deleted',"
            + " updated_at = now(), updated_by = 'system'"
            + " where environment = ? and pipeline = ? and state <> 'STOPPED'",
        env,
        pipeline);
  }

  /** Triggers on "latest" run this release from now on. */
  public void released(Connection c, String env, String pipeline, String releaseId)
      throws SQLException {
    Sql.update(
        c,
        "update triggers set latest_release_id = ? where environment = ? and pipeline = ?",
        releaseId,
        env,
        pipeline);
  }

  /**
   * Inserts a ledger row; false when this event of this trigger is already in the ledger (a
   * redelivery).
   */
  public boolean insertFire(Connection c, FireRow f) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "insert into trigger_fires (trigger_id, event_id, request_id, fired_at, outcome,"
                + " reason, release_id, params, source, chain_depth)"
                + " values (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?) on conflict do nothing")) {
      ps.setObject(1, f.triggerId());
      ps.setString(2, f.eventId());
      ps.setString(3, f.requestId());
      ps.setObject(4, ScheduleRepository.ts(f.firedAt()));
      ps.setString(5, f.outcome());
      ps.setString(6, f.reason());
      ps.setString(7, f.releaseId());
      ps.setString(8, f.params() == null ? null : Jdbc.json(f.params()));
      ps.setString(9, f.source());
      ps.setInt(10, f.chainDepth());
      return ps.executeUpdate() == 1;
    }
  }

  public Optional<FireRow> fire(UUID triggerId, String eventId) throws SQLException {
    return fires("where trigger_id = ? and event_id = ?", 1, triggerId, eventId).stream()
        .findFirst();
  }

  /** The ledger row of a run request id (to know the chain depth of a triggered run). */
  public Optional<FireRow> fireByRequest(String requestId) throws SQLException {
    return fires("where request_id = ?", 1, requestId).stream().findFirst();
  }

  public List<FireRow> fires(UUID triggerId, int limit) throws SQLException {
    return fires("where trigger_id = ? order by fired_at desc", limit, triggerId);
  }

  private List<FireRow> fires(String where, int limit, Object... args) throws SQLException {
    try (Connection c = connection()) {
      return Sql.query(
          c,
          "select trigger_id, event_id, request_id, fired_at, outcome, reason, release_id,"
              + " params, source, chain_depth from trigger_fires "
              + where
              + " limit "
              + limit,
          rs -> {
            String p = rs.getString(8);
            return new FireRow(
                rs.getObject(1, UUID.class),
                rs.getString(2),
                rs.getString(3),
                rs.getObject(4, OffsetDateTime.class).toInstant(),
                rs.getString(5),
                rs.getString(6),
                rs.getString(7),
                p == null ? null : Jdbc.map(p),
                rs.getString(9),
                rs.getInt(10));
          },
          args);
    }
  }

  /**
   * Remembers a webhook delivery id; false when it was seen within {@code window} (a replay). An id
   * older than the window is taken as new (and the ledger still refuses a second run for it).
   */
  public boolean rememberDelivery(Connection c, UUID triggerId, String deliveryId, Duration window)
      throws SQLException {
    return Sql.update(
            c,
            "insert into hook_deliveries (trigger_id, delivery_id, seen_at) values (?, ?, now())"
                + " on conflict (trigger_id, delivery_id) do update set seen_at = now()"
                + " where hook_deliveries.seen_at < now() - ?::interval",
            triggerId,
            deliveryId,
            window.toMillis() + " milliseconds")
        == 1;
  }

  /** Forgets deliveries older than the window (run by housekeeping). */
  public int forgetDeliveries(Duration window) throws SQLException {
    try (Connection c = connection()) {
      return Sql.update(
          c,
          "delete from hook_deliveries where seen_at < now() - ?::interval",
          window.toMillis() + " milliseconds");
    }
  }

  private static List<Trigger> query(Connection c, String sql, Object... args) throws SQLException {
    return Sql.query(c, sql, TriggerRepository::read, args);
  }

  private static Trigger read(ResultSet rs) throws SQLException {
    return new Trigger(
        rs.getObject("id", UUID.class),
        rs.getString("environment"),
        rs.getString("name"),
        rs.getString("pipeline"),
        Trigger.Kind.valueOf(rs.getString("kind")),
        rs.getString("description"),
        rs.getString("upstream_pipeline"),
        rs.getString("on_state"),
        rs.getString("topic"),
        rs.getString("filter_field"),
        rs.getString("filter_value"),
        rs.getString("auth"),
        rs.getString("token_hash"),
        rs.getString("secret_name"),
        Jdbc.map(rs.getString("params")),
        Schedule.State.valueOf(rs.getString("state")),
        rs.getString("state_reason"),
        rs.getString("release_id"),
        rs.getString("latest_release_id"),
        rs.getObject("created_at", OffsetDateTime.class).toInstant(),
        rs.getString("created_by"),
        rs.getObject("updated_at", OffsetDateTime.class).toInstant(),
        rs.getString("updated_by"));
  }
}

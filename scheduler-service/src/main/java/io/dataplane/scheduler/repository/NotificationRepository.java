package io.dataplane.scheduler.repository;

import io.dataplane.common.jdbc.Sql;
import io.dataplane.scheduler.NotificationChannel;
import io.dataplane.scheduler.NotificationRule;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Notification channels, rules, deliveries and their attempts (plain JDBC). */
@ApplicationScoped
public class NotificationRepository implements SchedulerTables {

  private static final String CHANNEL =
      "id, environment, name, kind, url, secret_name, smtp_host, smtp_port, smtp_tls,"
          + " smtp_username, mail_from, mail_to, created_at, created_by, updated_at, updated_by";
  private static final String RULE =
      "id, environment, name, pipeline, events, channel_id, quiet_period_seconds, enabled,"
          + " created_at, created_by, updated_at, updated_by";
  private static final String DELIVERY =
      "id, rule_id, channel_id, environment, pipeline, event_type, event_key, facts, state,"
          + " attempts, next_attempt_at, last_error, last_status, created_at, finished_at";

  /** One delivery (a notification of one rule for one event). */
  public record Delivery(
      UUID id,
      UUID ruleId,
      UUID channelId,
      String environment,
      String pipeline,
      String event,
      String eventKey,
      Map<String, Object> facts,
      String state,
      int attempts,
      Instant nextAttemptAt,
      String lastError,
      Integer lastStatus,
      Instant createdAt,
      Instant finishedAt) {}

  /** One attempt of a delivery. */
  public record Attempt(
      int attempt, Instant at, String outcome, Integer status, String error, long durationMs) {}

  private final ScheduleRepository schedules;

  public NotificationRepository(ScheduleRepository schedules) {
    this.schedules = schedules;
  }

  @Override
  public ScheduleRepository schedules() {
    return schedules;
  }

  // --- channels ---

  public void saveChannel(Connection c, NotificationChannel ch, boolean insert)
      throws SQLException {
    String sql =
        insert
            ? "insert into notification_channels ("
                + CHANNEL
                + ") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            : "update notification_channels set id = ?, environment = ?, name = ?, kind = ?,"
                + " url = ?, secret_name = ?, smtp_host = ?, smtp_port = ?, smtp_tls = ?,"
                + " smtp_username = ?, mail_from = ?, mail_to = ?, created_at = ?, created_by = ?,"
                + " updated_at = ?, updated_by = ? where id = ?";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      ps.setObject(i++, ch.id());
      ps.setString(i++, ch.environment());
      ps.setString(i++, ch.name());
      ps.setString(i++, ch.kind().name());
      ps.setString(i++, ch.url());
      ps.setString(i++, ch.secretName());
      ps.setString(i++, ch.smtpHost());
      ps.setObject(i++, ch.smtpPort());
      ps.setString(i++, ch.smtpTls());
      ps.setString(i++, ch.smtpUsername());
      ps.setString(i++, ch.mailFrom());
      ps.setString(i++, ch.mailTo() == null ? null : String.join(",", ch.mailTo()));
      ps.setObject(i++, ScheduleRepository.ts(ch.createdAt()));
      ps.setString(i++, ch.createdBy());
      ps.setObject(i++, ScheduleRepository.ts(ch.updatedAt()));
      ps.setString(i++, ch.updatedBy());
      if (!insert) {
        ps.setObject(i, ch.id());
      }
      ps.executeUpdate();
    }
  }

  public Optional<NotificationChannel> channel(Connection c, UUID id) throws SQLException {
    return Sql.first(
        c,
        "select " + CHANNEL + " from notification_channels where id = ?",
        NotificationRepository::channel,
        id);
  }

  public List<NotificationChannel> channels(String env) throws SQLException {
    try (Connection c = connection()) {
      return Sql.query(
          c,
          "select " + CHANNEL + " from notification_channels where environment = ? order by name",
          NotificationRepository::channel,
          env);
    }
  }

  private static NotificationChannel channel(ResultSet rs) throws SQLException {
    String to = rs.getString("mail_to");
    return new NotificationChannel(
        rs.getObject("id", UUID.class),
        rs.getString("environment"),
        rs.getString("name"),
        NotificationChannel.Kind.valueOf(rs.getString("kind")),
        rs.getString("url"),
        rs.getString("secret_name"),
        rs.getString("smtp_host"),
        (Integer) rs.getObject("smtp_port"),
        rs.getString("smtp_tls"),
        rs.getString("smtp_username"),
        rs.getString("mail_from"),
        to == null ? null : List.of(to.split(",")),
        ScheduleRepository.instant(rs.getObject("created_at", OffsetDateTime.class)),
        rs.getString("created_by"),
        ScheduleRepository.instant(rs.getObject("updated_at", OffsetDateTime.class)),
        rs.getString("updated_by"));
  }

  public boolean delete(Connection c, String table, UUID id) throws SQLException {
    return Jdbc.delete(c, table, id);
  }

  public boolean nameTaken(Connection c, String table, String env, String name, UUID except)
      throws SQLException {
    return Jdbc.nameTaken(c, table, env, name, except);
  }

  // --- rules ---

  public void saveRule(Connection c, NotificationRule r, boolean insert) throws SQLException {
    String sql =
        insert
            ? "insert into notification_rules ("
                + RULE
                + ") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            : "update notification_rules set id = ?, environment = ?, name = ?, pipeline = ?,"
                + " events = ?, channel_id = ?, quiet_period_seconds = ?, enabled = ?,"
                + " created_at = ?, created_by = ?, updated_at = ?, updated_by = ? where id = ?";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      ps.setObject(i++, r.id());
      ps.setString(i++, r.environment());
      ps.setString(i++, r.name());
      ps.setString(i++, r.pipeline());
      ps.setArray(i++, c.createArrayOf("text", r.events().toArray()));
      ps.setObject(i++, r.channelId());
      ps.setInt(i++, r.quietPeriodSeconds());
      ps.setBoolean(i++, r.enabled());
      ps.setObject(i++, ScheduleRepository.ts(r.createdAt()));
      ps.setString(i++, r.createdBy());
      ps.setObject(i++, ScheduleRepository.ts(r.updatedAt()));
      ps.setString(i++, r.updatedBy());
      if (!insert) {
        ps.setObject(i, r.id());
      }
      ps.executeUpdate();
    }
  }

  public Optional<NotificationRule> rule(Connection c, UUID id, boolean forUpdate)
      throws SQLException {
    List<NotificationRule> l = rules(c, "id = ?" + (forUpdate ? " for update" : ""), id);
    return l.stream().findFirst();
  }

  public List<NotificationRule> rules(String env, String pipeline) throws SQLException {
    try (Connection c = connection()) {
      return rules(
          c,
          "environment = ? and (?::text is null or pipeline = ?) order by name",
          env,
          pipeline,
          pipeline);
    }
  }

  /** The enabled rules that an event of {@code pipeline} (null: none) matches. */
  public List<NotificationRule> matching(Connection c, String env, String pipeline, String event)
      throws SQLException {
    return rules(
        c,
        "environment = ? and enabled and ? = any(events)"
            + " and (pipeline is null or pipeline = ?) order by id",
        env,
        event,
        pipeline);
  }

  private List<NotificationRule> rules(Connection c, String where, Object... args)
      throws SQLException {
    return Sql.query(
        c,
        "select " + RULE + " from notification_rules where " + where,
        rs -> {
          Array a = rs.getArray("events");
          return new NotificationRule(
              rs.getObject("id", UUID.class),
              rs.getString("environment"),
              rs.getString("name"),
              rs.getString("pipeline"),
              Arrays.asList((String[]) a.getArray()),
              rs.getObject("channel_id", UUID.class),
              rs.getInt("quiet_period_seconds"),
              rs.getBoolean("enabled"),
              ScheduleRepository.instant(rs.getObject("created_at", OffsetDateTime.class)),
              rs.getString("created_by"),
              ScheduleRepository.instant(rs.getObject("updated_at", OffsetDateTime.class)),
              rs.getString("updated_by"));
        },
        args);
  }

  // --- deliveries ---

  /** Whether the rule already has a delivery for this event. */
  public boolean hasDelivery(Connection c, UUID ruleId, String eventKey) throws SQLException {
    return Sql.exists(
        c,
        "select 1 from notification_deliveries where rule_id = ? and event_key = ?",
        ruleId,
        eventKey);
  }

  /** Whether the rule sent (or will send) a notification about the pipeline within the period. */
  public boolean notifiedWithin(Connection c, UUID ruleId, String pipeline, int seconds)
      throws SQLException {
    if (seconds <= 0) {
      return false;
    }
    return Sql.exists(
        c,
        "select 1 from notification_deliveries where rule_id = ?"
            + " and pipeline is not distinct from ? and state <> 'SUPPRESSED'"
            + " and created_at > now() - make_interval(secs => ?) limit 1",
        ruleId,
        pipeline,
        seconds);
  }

  /** Inserts a delivery; false when the rule already had one for the event. */
  public boolean insertDelivery(Connection c, Delivery d) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "insert into notification_deliveries ("
                + DELIVERY
                + ") values (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, 0, ?, ?, null, ?, ?)"
                + " on conflict (rule_id, event_key) do nothing")) {
      int i = 1;
      ps.setObject(i++, d.id());
      ps.setObject(i++, d.ruleId());
      ps.setObject(i++, d.channelId());
      ps.setString(i++, d.environment());
      ps.setString(i++, d.pipeline());
      ps.setString(i++, d.event());
      ps.setString(i++, d.eventKey());
      ps.setString(i++, Jdbc.json(d.facts()));
      ps.setString(i++, d.state());
      ps.setObject(i++, ScheduleRepository.ts(d.nextAttemptAt()));
      ps.setString(i++, d.lastError());
      ps.setObject(i++, ScheduleRepository.ts(d.createdAt()));
      ps.setObject(i++, d.finishedAt() == null ? null : ScheduleRepository.ts(d.finishedAt()));
      return ps.executeUpdate() == 1;
    }
  }

  /**
   * Claims up to {@code limit} due deliveries: counts the attempt and moves {@code next_attempt_at}
   * past the lease, so that no other replica takes them while they are sent and a replica that dies
   * meanwhile leaves them to be tried again.
   */
  public List<Delivery> claim(int limit, Duration lease) throws SQLException {
    try (Connection c = connection();
        PreparedStatement ps =
            c.prepareStatement(
                "update notification_deliveries set attempts = attempts + 1,"
                    + " next_attempt_at = now() + make_interval(secs => ?)"
                    + " where id in (select id from notification_deliveries"
                    + " where state = 'PENDING' and next_attempt_at <= now()"
                    + " order by next_attempt_at limit ? for update skip locked)"
                    + " returning "
                    + DELIVERY)) {
      ps.setDouble(1, lease.toMillis() / 1000.0);
      ps.setInt(2, limit);
      return Sql.list(ps, NotificationRepository::delivery);
    }
  }

  /** Records an attempt and the delivery's new state (PENDING with its next time, or final). */
  public void finishAttempt(Delivery d, Attempt a, String state, Instant next) throws SQLException {
    try (Connection c = connection()) {
      c.setAutoCommit(false);
      try {
        try (PreparedStatement ps =
            c.prepareStatement(
                "insert into notification_attempts (delivery_id, attempt, at, outcome, status,"
                    + " error, duration_ms) values (?, ?, ?, ?, ?, ?, ?)"
                    + " on conflict (delivery_id, attempt) do nothing")) {
          ps.setObject(1, d.id());
          ps.setInt(2, a.attempt());
          ps.setObject(3, ScheduleRepository.ts(a.at()));
          ps.setString(4, a.outcome());
          ps.setObject(5, a.status());
          ps.setString(6, a.error());
          ps.setLong(7, a.durationMs());
          ps.executeUpdate();
        }
        try (PreparedStatement ps =
            c.prepareStatement(
                "update notification_deliveries set state = ?, last_error = ?, last_status = ?,"
                    + " next_attempt_at = coalesce(?, next_attempt_at),"
                    + " finished_at = case when ? = 'PENDING' then null else now() end"
                    + " where id = ? and attempts = ?")) {
          ps.setString(1, state);
          ps.setString(2, a.error());
          ps.setObject(3, a.status());
          ps.setObject(4, next == null ? null : ScheduleRepository.ts(next));
          ps.setString(5, state);
          ps.setObject(6, d.id());
          ps.setInt(7, a.attempt());
          ps.executeUpdate();
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  public Optional<Delivery> delivery(UUID id) throws SQLException {
    try (Connection c = connection()) {
      return Sql.first(
          c,
          "select " + DELIVERY + " from notification_deliveries where id = ?",
          NotificationRepository::delivery,
          id);
    }
  }

  /** Deliveries of an environment, newest first, optionally of one rule, channel or pipeline. */
  public List<Delivery> deliveries(
      String env, UUID ruleId, UUID channelId, String pipeline, int limit) throws SQLException {
    try (Connection c = connection()) {
      return Sql.query(
          c,
          "select "
              + DELIVERY
              + " from notification_deliveries where environment = ?"
              + " and (?::uuid is null or rule_id = ?) and (?::uuid is null or channel_id = ?)"
              + " and (?::text is null or pipeline = ?)"
              + " order by created_at desc, id limit ?",
          NotificationRepository::delivery,
          env,
          ruleId,
          ruleId,
          channelId,
          channelId,
          pipeline,
          pipeline,
          limit);
    }
  }

  public List<Attempt> attempts(UUID deliveryId) throws SQLException {
    try (Connection c = connection()) {
      return Sql.query(
          c,
          "select attempt, at, outcome, status, error, duration_ms from notification_attempts"
              + " where delivery_id = ? order by attempt",
          rs ->
              new Attempt(
                  rs.getInt(1),
                  ScheduleRepository.instant(rs.getObject(2, OffsetDateTime.class)),
                  rs.getString(3),
                  (Integer) rs.getObject(4),
                  rs.getString(5),
                  rs.getLong(6)),
          deliveryId);
    }
  }

  /** Deletes finished deliveries older than {@code days}; returns how many. */
  public int purge(int days) throws SQLException {
    if (days <= 0) {
      return 0;
    }
    try (Connection c = connection()) {
      return Sql.update(
          c,
          "delete from notification_deliveries where state <> 'PENDING'"
              + " and created_at < now() - make_interval(days => ?)",
          days);
    }
  }

  private static Delivery delivery(ResultSet rs) throws SQLException {
    OffsetDateTime fin = rs.getObject("finished_at", OffsetDateTime.class);
    return new Delivery(
        rs.getObject("id", UUID.class),
        rs.getObject("rule_id", UUID.class),
        rs.getObject("channel_id", UUID.class),
        rs.getString("environment"),
        rs.getString("pipeline"),
        rs.getString("event_type"),
        rs.getString("event_key"),
        Jdbc.map(rs.getString("facts")),
        rs.getString("state"),
        rs.getInt("attempts"),
        ScheduleRepository.instant(rs.getObject("next_attempt_at", OffsetDateTime.class)),
        rs.getString("last_error"),
        (Integer) rs.getObject("last_status"),
        ScheduleRepository.instant(rs.getObject("created_at", OffsetDateTime.class)),
        fin == null ? null : ScheduleRepository.instant(fin));
  }
}

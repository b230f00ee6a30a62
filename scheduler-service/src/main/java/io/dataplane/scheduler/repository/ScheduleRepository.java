package io.dataplane.scheduler.repository;

import io.agroal.api.AgroalDataSource;
import io.dataplane.common.jdbc.Sql;
import io.dataplane.scheduler.Schedule;
import io.dataplane.scheduler.config.SchedulerConfig;
import io.dataplane.scheduler.schedule.MisfirePolicy;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Schedules in PostgreSQL (plain JDBC). Methods taking a Connection join the caller's transaction.
 */
@ApplicationScoped
public class ScheduleRepository {

  private static final String COLUMNS =
      "id, environment, name, pipeline, description, cron, rrule, timezone, start_at, end_at,"
          + " params, misfire_policy, misfire_cap, state, state_reason, release_id,"
          + " latest_release_id, fired_through, created_at, created_by, updated_at, updated_by";

  private final AgroalDataSource dataSource;
  private final String changesChannel;

  public ScheduleRepository(AgroalDataSource dataSource, SchedulerConfig config) {
    this.dataSource = dataSource;
    this.changesChannel = changesChannel(config.schema());
  }

  /** The NOTIFY channel on which schedule changes are announced (payload: schedule id). */
  public static String changesChannel(String schema) {
    return schema + "_changes";
  }

  public Connection connection() throws SQLException {
    return dataSource.getConnection();
  }

  /** Runs the work in one transaction: commits when it returns, rolls back when it throws. */
  public <T> T inTransaction(Jdbc.Work<T> work) throws SQLException {
    try (Connection c = connection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /** Runs the step in one transaction: commits when it returns, rolls back when it throws. */
  public void inTransaction(Jdbc.Step step) throws SQLException {
    inTransaction(
        c -> {
          step.run(c);
          return null;
        });
  }

  /** Announces a change of a schedule to the leader, delivered at commit. */
  public void notifyChange(Connection c, UUID id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select pg_notify(?, ?)")) {
      ps.setString(1, changesChannel);
      ps.setString(2, id.toString());
      ps.execute();
    }
  }

  public void insert(Connection c, Schedule s) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "insert into schedules ("
                + COLUMNS
                + ") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setObject(1, s.id());
      ps.setString(2, s.environment());
      int i = bindDefinition(ps, 3, s);
      ps.setObject(i++, ts(s.createdAt()));
      ps.setString(i++, s.createdBy());
      ps.setObject(i++, ts(s.updatedAt()));
      ps.setString(i, s.updatedBy());
      ps.executeUpdate();
    }
  }

  /** Replaces every column but id, environment and creation; returns false when it is gone. */
  public boolean update(Connection c, Schedule s) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "update schedules set name = ?, pipeline = ?, description = ?, cron = ?, rrule = ?,"
                + " timezone = ?, start_at = ?, end_at = ?, params = ?::jsonb, misfire_policy = ?,"
                + " misfire_cap = ?, state = ?, state_reason = ?, release_id = ?,"
                + " latest_release_id = ?, fired_through = ?, updated_at = ?, updated_by = ?"
                + " where id = ?")) {
      int i = bindDefinition(ps, 1, s);
      ps.setObject(i++, ts(s.updatedAt()));
      ps.setString(i++, s.updatedBy());
      ps.setObject(i, s.id());
      return ps.executeUpdate() == 1;
    }
  }

  public boolean delete(Connection c, UUID id) throws SQLException {
    return Jdbc.delete(c, "schedules", id);
  }

  public Optional<Schedule> find(Connection c, UUID id, boolean forUpdate) throws SQLException {
    return Sql.first(
        c,
        "select " + COLUMNS + " from schedules where id = ?" + (forUpdate ? " for update" : ""),
        ScheduleRepository::map,
        id);
  }

  public Optional<Schedule> find(UUID id) throws SQLException {
    try (Connection c = connection()) {
      return find(c, id, false);
    }
  }

  /** The schedules among {@code ids} that still exist. */
  public List<Schedule> findAll(java.util.Collection<UUID> ids) throws SQLException {
    try (Connection c = connection();
        PreparedStatement ps =
            c.prepareStatement("select " + COLUMNS + " from schedules where id = any(?)")) {
      ps.setArray(1, c.createArrayOf("uuid", ids.toArray()));
      return all(ps);
    }
  }

  public boolean nameTaken(Connection c, String environment, String name, UUID except)
      throws SQLException {
    return Jdbc.nameTaken(c, "schedules", environment, name, except);
  }

  public List<Schedule> list(String environment, String pipeline) throws SQLException {
    try (Connection c = connection()) {
      return Sql.query(
          c,
          "select "
              + COLUMNS
              + " from schedules where environment = ? and (?::text is null or pipeline = ?)"
              + " order by name",
          ScheduleRepository::map,
          environment,
          pipeline,
          pipeline);
    }
  }

  /** Every enabled schedule (what the leader loads when it takes over). */
  public List<Schedule> enabled() throws SQLException {
    try (Connection c = connection();
        PreparedStatement ps =
            c.prepareStatement("select " + COLUMNS + " from schedules where state = 'ENABLED'")) {
      return all(ps);
    }
  }

  /** Ids of the schedules of one pipeline, locked. */
  public List<UUID> idsOfPipeline(Connection c, String environment, String pipeline)
      throws SQLException {
    return Sql.query(
        c,
        "select id from schedules where environment = ? and pipeline = ? for update",
        rs -> rs.getObject(1, UUID.class),
        environment,
        pipeline);
  }

  /** Number of schedules in each state. */
  public Map<Schedule.State, Long> countByState() throws SQLException {
    Map<Schedule.State, Long> out = new EnumMap<>(Schedule.State.class);
    for (Schedule.State s : Schedule.State.values()) {
      out.put(s, 0L);
    }
    try (Connection c = connection();
        PreparedStatement ps =
            c.prepareStatement("select state, count(*) from schedules group by state");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.put(Schedule.State.valueOf(rs.getString(1)), rs.getLong(2));
      }
    }
    return out;
  }

  private List<Schedule> all(PreparedStatement ps) throws SQLException {
    return Sql.list(ps, ScheduleRepository::map);
  }

  /** Binds the columns from name to fired_through, from index {@code i}; returns the next. */
  private static int bindDefinition(PreparedStatement ps, int i, Schedule s) throws SQLException {
    ps.setString(i++, s.name());
    ps.setString(i++, s.pipeline());
    ps.setString(i++, s.description());
    ps.setString(i++, s.cron());
    ps.setString(i++, s.rrule());
    ps.setString(i++, s.timezone());
    ps.setObject(i++, ts(s.startAt()));
    ps.setObject(i++, ts(s.endAt()));
    ps.setString(i++, Jdbc.json(s.params()));
    ps.setString(i++, s.misfirePolicy().name());
    ps.setInt(i++, s.misfireCap());
    ps.setString(i++, s.state().name());
    ps.setString(i++, s.stateReason());
    ps.setString(i++, s.releaseId());
    ps.setString(i++, s.latestReleaseId());
    ps.setObject(i++, ts(s.firedThrough()));
    return i;
  }

  private static Schedule map(ResultSet rs) throws SQLException {
    return new Schedule(
        rs.getObject("id", UUID.class),
        rs.getString("environment"),
        rs.getString("name"),
        rs.getString("pipeline"),
        rs.getString("description"),
        rs.getString("cron"),
        rs.getString("rrule"),
        rs.getString("timezone"),
        instant(rs.getObject("start_at", OffsetDateTime.class)),
        instant(rs.getObject("end_at", OffsetDateTime.class)),
        Jdbc.map(rs.getString("params")),
        MisfirePolicy.valueOf(rs.getString("misfire_policy")),
        rs.getInt("misfire_cap"),
        Schedule.State.valueOf(rs.getString("state")),
        rs.getString("state_reason"),
        rs.getString("release_id"),
        rs.getString("latest_release_id"),
        instant(rs.getObject("fired_through", OffsetDateTime.class)),
        instant(rs.getObject("created_at", OffsetDateTime.class)),
        rs.getString("created_by"),
        instant(rs.getObject("updated_at", OffsetDateTime.class)),
        rs.getString("updated_by"));
  }

  /** An instant as a JDBC timestamptz value (independent of the JVM's default timezone). */
  public static OffsetDateTime ts(Instant i) {
    return i == null ? null : OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
  }

  public static Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }
}

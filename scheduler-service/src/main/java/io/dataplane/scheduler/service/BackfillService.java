package io.dataplane.scheduler.service;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.events.RunStateChanged;
import io.dataplane.common.jdbc.Sql;
import io.dataplane.scheduler.Schedule;
import io.dataplane.scheduler.config.SchedulerConfig;
import io.dataplane.scheduler.repository.ScheduleRepository;
import io.dataplane.scheduler.schedule.ScheduleSpec;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Backfills: the fire times of a past window requested as runs, at most {@code maxConcurrent} in
 * flight. A requested item is in flight until the run it started ends (seen on {@code
 * dataplane.run-events}); a new run of the pipeline is matched to the oldest unmatched requested
 * item. An item whose run is not seen within {@code backfill.start-grace} stops counting.
 */
@ApplicationScoped
public class BackfillService {

  /** A backfill as shown by the API. */
  public record Backfill(
      UUID id,
      UUID scheduleId,
      Instant from,
      Instant to,
      int maxConcurrent,
      String state,
      int total,
      int pending,
      int requested,
      int done,
      int skipped,
      Instant createdAt,
      String createdBy,
      Instant finishedAt) {}

  /** A dry run: what a backfill would request. */
  public record DryRun(
      UUID scheduleId,
      Instant from,
      Instant to,
      List<Instant> fireTimes,
      List<Instant> alreadyFired) {}

  private final ScheduleRepository repository;
  private final SchedulerConfig config;
  private final String channel;

  public BackfillService(ScheduleRepository repository, SchedulerConfig config) {
    this.repository = repository;
    this.config = config;
    this.channel = channel(config.schema());
  }

  public static String channel(String schema) {
    return schema + "_backfills";
  }

  private List<Instant> window(Schedule s, Instant from, Instant to) {
    if (from == null) {
      throw DataplaneException.invalid("from", "from is required (an ISO-8601 instant)");
    }
    if (to == null) {
      throw DataplaneException.invalid("to", "to is required (an ISO-8601 instant)");
    }
    if (to.isBefore(from)) {
      throw DataplaneException.invalid("to", "to " + to + " is before from " + from);
    }
    if (to.isAfter(Instant.now())) {
      throw DataplaneException.invalid("to", "to must not be in the future");
    }
    ScheduleSpec spec = s.spec();
    int max = config.backfill().maxFires();
    List<Instant> times = spec.between(from, to, max + 1);
    if (times.size() > max) {
      throw DataplaneException.invalid(
          "to", "the window holds more than " + max + " fire times; backfill a shorter window");
    }
    return times;
  }

  public DryRun dryRun(Schedule s, Instant from, Instant to) throws SQLException {
    List<Instant> times = window(s, from, to);
    return new DryRun(s.id(), from, to, times, fired(s.id(), from, to));
  }

  private List<Instant> fired(UUID scheduleId, Instant from, Instant to) throws SQLException {
    try (Connection c = repository.connection()) {
      return Sql.query(
          c,
          "select fire_time from fires where schedule_id = ? and fire_time between ? and ?"
              + " order by fire_time",
          rs -> rs.getObject(1, OffsetDateTime.class).toInstant(),
          scheduleId,
          ScheduleRepository.ts(from),
          ScheduleRepository.ts(to));
    }
  }

  public Backfill create(Schedule s, Instant from, Instant to, int maxConcurrent, String actor)
      throws SQLException {
    if (maxConcurrent < 1 || maxConcurrent > 100) {
      throw DataplaneException.invalid("maxConcurrent", "maxConcurrent must be between 1 and 100");
    }
    List<Instant> times = window(s, from, to);
    UUID id = UUID.randomUUID();
    repository.inTransaction(
        c -> {
          Sql.update(
              c,
              "insert into backfills (id, schedule_id, environment, pipeline, from_time,"
                  + " to_time, max_concurrent, state, total, created_at, created_by)"
                  + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, now(), ?)",
              id,
              s.id(),
              s.environment(),
              s.pipeline(),
              ScheduleRepository.ts(from),
              ScheduleRepository.ts(to),
              maxConcurrent,
              times.isEmpty() ? "DONE" : "RUNNING",
              times.size(),
              actor);
          try (PreparedStatement ps =
              c.prepareStatement(
                  "insert into backfill_items (backfill_id, fire_time, state)"
                      + " select ?, t, 'PENDING' from unnest(?::timestamptz[]) as t")) {
            ps.setObject(1, id);
            ps.setArray(
                2,
                c.createArrayOf(
                    "timestamptz", times.stream().map(ScheduleRepository::ts).toArray()));
            ps.executeUpdate();
          }
          notifyChannel(c);
        });
    return find(id).orElseThrow();
  }

  public Optional<Backfill> find(UUID id) throws SQLException {
    List<Backfill> l = query("b.id = ?", id);
    return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
  }

  public List<Backfill> list(UUID scheduleId) throws SQLException {
    return query("b.schedule_id = ?", scheduleId);
  }

  public Backfill cancel(UUID id) throws SQLException {
    try (Connection c = repository.connection()) {
      Sql.update(
          c,
          "update backfills set state = 'CANCELLED', finished_at = now()"
              + " where id = ? and state = 'RUNNING'",
          id);
    }
    return find(id).orElseThrow(() -> DataplaneException.notFound("backfill " + id));
  }

  private List<Backfill> query(String where, UUID param) throws SQLException {
    try (Connection c = repository.connection()) {
      return Sql.query(
          c,
          "select b.id, b.schedule_id, b.from_time, b.to_time, b.max_concurrent, b.state,"
              + " b.total, b.created_at, b.created_by, b.finished_at,"
              + " count(*) filter (where i.state = 'PENDING'),"
              + " count(*) filter (where i.state = 'REQUESTED'),"
              + " count(*) filter (where i.state = 'DONE'),"
              + " count(*) filter (where i.state = 'SKIPPED')"
              + " from backfills b left join backfill_items i on i.backfill_id = b.id"
              + " where "
              + where
              + " group by b.id order by b.created_at desc limit 100",
          rs ->
              new Backfill(
                  rs.getObject(1, UUID.class),
                  rs.getObject(2, UUID.class),
                  rs.getObject(3, OffsetDateTime.class).toInstant(),
                  rs.getObject(4, OffsetDateTime.class).toInstant(),
                  rs.getInt(5),
                  rs.getString(6),
                  rs.getInt(7),
                  rs.getInt(11),
                  rs.getInt(12),
                  rs.getInt(13),
                  rs.getInt(14),
                  rs.getObject(8, OffsetDateTime.class).toInstant(),
                  rs.getString(9),
                  ScheduleRepository.instant(rs.getObject(10, OffsetDateTime.class))),
          param);
    }
  }

  private void notifyChannel(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select pg_notify(?, '')")) {
      ps.setString(1, channel);
      ps.execute();
    }
  }

  /**
   * Records a run state change: the first sight of a run of a pipeline with a running backfill
   * matches it to the oldest unmatched requested item; a terminal state ends that item.
   */
  public void onRun(RunStateChanged e) throws SQLException {
    if (e.runId() == null || e.environment() == null || e.pipeline() == null) {
      return;
    }
    boolean terminal = e.state() != null && e.state().isTerminal();
    repository.inTransaction(
        c -> {
          boolean first;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "insert into runs_seen (run_id, environment, pipeline, terminal)"
                      + " values (?, ?, ?, ?) on conflict (run_id) do update"
                      + " set terminal = runs_seen.terminal or excluded.terminal"
                      + " returning (xmax = 0)")) {
            ps.setObject(1, e.runId());
            ps.setString(2, e.environment());
            ps.setString(3, e.pipeline());
            ps.setBoolean(4, terminal);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              first = rs.getBoolean(1);
            }
          }
          int changed = 0;
          if (first) {
            try (PreparedStatement ps =
                c.prepareStatement(
                    "update backfill_items set run_id = ? where (backfill_id, fire_time) = ("
                        + " select i.backfill_id, i.fire_time from backfill_items i"
                        + " join backfills b on b.id = i.backfill_id"
                        + " where b.environment = ? and b.pipeline = ? and b.state = 'RUNNING'"
                        + " and i.state = 'REQUESTED' and i.run_id is null"
                        + " order by i.requested_at, i.fire_time limit 1 for update of i)")) {
              ps.setObject(1, e.runId());
              ps.setString(2, e.environment());
              ps.setString(3, e.pipeline());
              changed += ps.executeUpdate();
            }
          }
          if (terminal) {
            try (PreparedStatement ps =
                c.prepareStatement(
                    "update backfill_items set state = 'DONE' where run_id = ?"
                        + " and state = 'REQUESTED'")) {
              ps.setObject(1, e.runId());
              changed += ps.executeUpdate();
            }
          }
          if (changed > 0) {
            notifyChannel(c);
          }
        });
  }

  /**
   * One pass of the leader over the running backfills: requests as many items as each may have in
   * flight. Returns when to look again (null: only on a notification).
   */
  public Instant process(FireWriter writer, SchedulerMetrics metrics) throws Exception {
    Instant now = Instant.now();
    Duration grace = config.backfill().startGrace();
    Instant nextCheck = null;
    List<UUID> running;
    try (Connection c = repository.connection()) {
      running =
          Sql.query(
              c,
              "select id from backfills where state = 'RUNNING'",
              rs -> rs.getObject(1, UUID.class));
    }
    for (UUID id : running) {
      Instant check = processOne(id, now, grace, writer, metrics);
      if (check != null && (nextCheck == null || check.isBefore(nextCheck))) {
        nextCheck = check;
      }
    }
    return nextCheck;
  }

  private Instant processOne(
      UUID id, Instant now, Duration grace, FireWriter writer, SchedulerMetrics metrics)
      throws Exception {
    try (Connection c = repository.connection()) {
      c.setAutoCommit(false);
      try {
        UUID scheduleId;
        int max;
        try (PreparedStatement ps =
            c.prepareStatement(
                "select schedule_id, max_concurrent from backfills where id = ?"
                    + " and state = 'RUNNING' for update")) {
          ps.setObject(1, id);
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              c.rollback();
              return null;
            }
            scheduleId = rs.getObject(1, UUID.class);
            max = rs.getInt(2);
          }
        }
        Optional<Schedule> schedule = repository.find(c, scheduleId, false);
        if (schedule.isEmpty()) {
          finish(c, id, "CANCELLED");
          c.commit();
          return null;
        }
        int inFlight = 0;
        int pending = 0;
        Instant earliestExpiry = null;
        try (PreparedStatement ps =
            c.prepareStatement(
                "select state, run_id, requested_at from backfill_items where backfill_id = ?"
                    + " and state in ('PENDING', 'REQUESTED')")) {
          ps.setObject(1, id);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              if (rs.getString(1).equals("PENDING")) {
                pending++;
              } else if (rs.getObject(2) != null) {
                inFlight++;
              } else {
                Instant expiry = rs.getObject(3, OffsetDateTime.class).toInstant().plus(grace);
                if (expiry.isAfter(now)) {
                  inFlight++;
                  if (earliestExpiry == null || expiry.isBefore(earliestExpiry)) {
                    earliestExpiry = expiry;
                  }
                }
              }
            }
          }
        }
        if (pending == 0 && inFlight == 0) {
          finish(c, id, "DONE");
          c.commit();
          return null;
        }
        int slots = max - inFlight;
        if (slots > 0 && pending > 0) {
          List<Instant> next =
              Sql.query(
                  c,
                  "select fire_time from backfill_items where backfill_id = ?"
                      + " and state = 'PENDING' order by fire_time limit ?",
                  rs -> rs.getObject(1, OffsetDateTime.class).toInstant(),
                  id,
                  slots);
          List<FireWriter.Fire> fires = new ArrayList<>();
          for (Instant t : next) {
            fires.add(new FireWriter.Fire(schedule.get(), t, "BACKFILL", id));
          }
          Set<Instant> written = new HashSet<>();
          for (FireWriter.Fire f : writer.writeBackfill(c, fires)) {
            written.add(f.fireTime());
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "update backfill_items set state = ?, requested_at = now()"
                      + " where backfill_id = ? and fire_time = ?")) {
            for (Instant t : next) {
              ps.setString(1, written.contains(t) ? "REQUESTED" : "SKIPPED");
              ps.setObject(2, id);
              ps.setObject(3, ScheduleRepository.ts(t));
              ps.addBatch();
            }
            ps.executeBatch();
          }
          c.commit();
          Instant committed = Instant.now();
          for (Instant t : written) {
            metrics.fired(Duration.between(t, committed));
          }
          Log.infof(
              "backfill %s requested %d runs (%d already fired)",
              id, written.size(), next.size() - written.size());
          // look again at once: skipped items freed their slots; the rest wait for run events
          return written.size() < next.size() ? now : now.plus(grace);
        }
        c.commit();
        return earliestExpiry;
      } catch (Exception e) {
        c.rollback();
        throw e;
      }
    }
  }

  private static void finish(Connection c, UUID id, String state) throws SQLException {
    Sql.update(c, "update backfills set state = ?, finished_at = now() where id = ?", state, id);
  }
}

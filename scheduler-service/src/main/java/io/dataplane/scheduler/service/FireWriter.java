package io.dataplane.scheduler.service;

import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.events.EventTypes;
import io.dataplane.common.events.RunRequested;
import io.dataplane.common.events.Topics;
import io.dataplane.common.outbox.Outbox;
import io.dataplane.scheduler.Schedule;
import io.dataplane.scheduler.leader.Leadership;
import io.dataplane.scheduler.messaging.OutboxRelay;
import io.dataplane.scheduler.repository.ScheduleRepository;
import io.quarkus.logging.Log;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes fires: in one transaction, re-checks leadership, advances the schedules' {@code
 * fired_through}, inserts the ledger rows (a fire already in the ledger is skipped) and appends one
 * {@code RunRequested} per new row to the outbox.
 */
public final class FireWriter {

  /** One fire to write. */
  public record Fire(Schedule schedule, Instant fireTime, String kind, UUID backfillId) {}

  /** Fires with their RunRequested events built and encoded, ready to be written at the instant. */
  public record Prepared(
      List<Fire> fires, Map<UUID, Instant> firedThrough, Map<String, Outbox.Item> events) {}

  /** The ledger refused the write because this instance is not the leader any more. */
  public static final class NotLeaderException extends Exception {
    public NotLeaderException() {
      super("not the scheduler leader");
    }
  }

  private final ScheduleRepository repository;
  private final Leadership leadership;
  private final OutboxRelay outbox;
  private final String instanceId;

  public FireWriter(
      ScheduleRepository repository, Leadership leadership, OutboxRelay outbox, String instanceId) {
    this.repository = repository;
    this.leadership = leadership;
    this.outbox = outbox;
    this.instanceId = instanceId;
  }

  /** Builds and encodes the events of fires ahead of their instant (no database access). */
  public Prepared prepare(List<Fire> fires, Map<UUID, Instant> firedThrough) {
    Map<String, Outbox.Item> events = new HashMap<>();
    for (Fire f : fires) {
      events.put(
          Schedule.requestId(f.schedule().id(), f.fireTime()),
          event(f, f.schedule().releaseForFire()));
    }
    return new Prepared(fires, firedThrough, events);
  }

  private static Outbox.Item event(Fire f, String releaseId) {
    Schedule s = f.schedule();
    RunRequested event =
        new RunRequested(
            Schedule.requestId(s.id(), f.fireTime()),
            s.environment(),
            s.pipeline(),
            releaseId,
            s.params(),
            s.createdBy(),
            "SCHEDULE");
    EventTypes.Registration reg = EventTypes.of(RunRequested.class);
    // a fire's event occurs at the fire instant (or now, for a late one)
    Instant at = f.fireTime().isAfter(Instant.now()) ? f.fireTime() : Instant.now();
    return Outbox.item(
        Topics.RUN_REQUESTS,
        event.key(),
        new EventEnvelope<>(
            UUID.randomUUID(), reg.type(), reg.version(), at, "scheduler-service", event));
  }

  /**
   * Writes fires of enabled schedules and advances their {@code fired_through}. Schedules that are
   * no longer enabled are left alone (their fires are dropped).
   *
   * @param firedThrough per schedule, the new settled instant
   * @return the fires written
   */
  public List<Fire> writeScheduled(List<Fire> fires, Map<UUID, Instant> firedThrough)
      throws SQLException, NotLeaderException {
    return write(prepare(fires, firedThrough), Instant.now());
  }

  /**
   * Writes prepared fires (see {@link #writeScheduled}). Everything is written ahead, but the
   * transaction commits (the fires become visible and their events are relayed) not before {@code
   * commitAt}, the fire instant. The ledger's {@code fired_at} and {@code lag_ms} are then set to
   * the commit time.
   */
  public List<Fire> write(Prepared prepared, Instant commitAt)
      throws SQLException, NotLeaderException {
    List<Fire> fires = prepared.fires();
    Map<UUID, Instant> firedThrough = prepared.firedThrough();
    long t0 = System.nanoTime();
    try (Connection c = repository.connection()) {
      c.setAutoCommit(false);
      try {
        long t1 = System.nanoTime();
        fence(c);
        Map<UUID, String> enabled = advance(c, firedThrough);
        long t2 = System.nanoTime();
        List<Fire> keep = new ArrayList<>(fires.size());
        for (Fire f : fires) {
          if (enabled.containsKey(f.schedule().id())) {
            keep.add(f);
          }
        }
        List<Fire> written = insert(c, keep, enabled, prepared.events());
        long t3 = System.nanoTime();
        long wait;
        while ((wait = Duration.between(Instant.now(), commitAt).toNanos()) > 0) {
          LockSupport.parkNanos(wait);
        }
        long t4 = System.nanoTime();
        c.commit();
        Instant committed = Instant.now();
        if (Log.isDebugEnabled()) {
          Log.debugf(
              "wrote %d fires: connection %d ms, fence+advance %d ms, ledger+outbox %d ms,"
                  + " waited %d ms, commit %d ms",
              written.size(),
              (t1 - t0) / 1_000_000,
              (t2 - t1) / 1_000_000,
              (t3 - t2) / 1_000_000,
              (t4 - t3) / 1_000_000,
              (System.nanoTime() - t4) / 1_000_000);
        }
        recordCommit(c, written, committed);
        return written;
      } catch (SQLException | NotLeaderException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /**
   * Sets the ledger's fired_at and lag to the commit time (after the commit: off the fire path).
   */
  private static void recordCommit(Connection c, List<Fire> written, Instant committed) {
    if (written.isEmpty()) {
      return;
    }
    try {
      c.setAutoCommit(true);
      UUID[] ids = new UUID[written.size()];
      OffsetDateTime[] times = new OffsetDateTime[written.size()];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = written.get(i).schedule().id();
        times[i] = ScheduleRepository.ts(written.get(i).fireTime());
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "update fires f set fired_at = ?, lag_ms = greatest(0,"
                  + " (extract(epoch from ?::timestamptz - f.fire_time) * 1000)::bigint)"
                  + " from unnest(?::uuid[], ?::timestamptz[]) as v(id, ft)"
                  + " where f.schedule_id = v.id and f.fire_time = v.ft")) {
        OffsetDateTime at = ScheduleRepository.ts(committed);
        ps.setObject(1, at);
        ps.setObject(2, at);
        ps.setArray(3, c.createArrayOf("uuid", ids));
        ps.setArray(4, c.createArrayOf("timestamptz", times));
        ps.executeUpdate();
      }
    } catch (SQLException e) {
      Log.debugf("fire commit times not recorded: %s", e.getMessage());
    }
  }

  /**
   * Writes backfill fires (fire times already in the ledger are skipped). The caller's transaction
   * on {@code c} also marks the backfill items.
   */
  public List<Fire> writeBackfill(Connection c, List<Fire> fires)
      throws SQLException, NotLeaderException {
    fence(c);
    Map<UUID, String> releases = new HashMap<>();
    for (Fire f : fires) {
      releases.put(f.schedule().id(), f.schedule().releaseForFire());
    }
    return insert(c, fires, releases, Map.of());
  }

  private void fence(Connection c) throws SQLException, NotLeaderException {
    if (!leadership.holdsLock(c)) {
      throw new NotLeaderException();
    }
  }

  /** Advances fired_through of the enabled ones; returns id → release a fire of it runs now. */
  private Map<UUID, String> advance(Connection c, Map<UUID, Instant> firedThrough)
      throws SQLException {
    Map<UUID, String> out = new HashMap<>();
    if (firedThrough.isEmpty()) {
      return out;
    }
    UUID[] ids = new UUID[firedThrough.size()];
    OffsetDateTime[] times = new OffsetDateTime[ids.length];
    int i = 0;
    for (Map.Entry<UUID, Instant> e : firedThrough.entrySet()) {
      ids[i] = e.getKey();
      times[i++] = ScheduleRepository.ts(e.getValue());
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "update schedules s set fired_through = greatest(s.fired_through, v.ft)"
                + " from unnest(?::uuid[], ?::timestamptz[]) as v(id, ft)"
                + " where s.id = v.id and s.state = 'ENABLED'"
                + " returning s.id, coalesce(s.release_id, s.latest_release_id)")) {
      ps.setArray(1, c.createArrayOf("uuid", ids));
      ps.setArray(2, c.createArrayOf("timestamptz", times));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getObject(1, UUID.class), rs.getString(2));
        }
      }
    }
    return out;
  }

  private List<Fire> insert(
      Connection c, List<Fire> fires, Map<UUID, String> releases, Map<String, Outbox.Item> prepared)
      throws SQLException {
    if (fires.isEmpty()) {
      return List.of();
    }
    int n = fires.size();
    UUID[] ids = new UUID[n];
    OffsetDateTime[] times = new OffsetDateTime[n];
    String[] kinds = new String[n];
    String[] requestIds = new String[n];
    String[] releaseIds = new String[n];
    UUID[] backfills = new UUID[n];
    for (int i = 0; i < n; i++) {
      Fire f = fires.get(i);
      ids[i] = f.schedule().id();
      times[i] = ScheduleRepository.ts(f.fireTime());
      kinds[i] = f.kind();
      requestIds[i] = Schedule.requestId(f.schedule().id(), f.fireTime());
      releaseIds[i] = releases.get(f.schedule().id());
      backfills[i] = f.backfillId();
    }
    Set<String> inserted = new HashSet<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "insert into fires (schedule_id, fire_time, fired_at, lag_ms, kind, request_id,"
                + " release_id, backfill_id, fired_by)"
                + " select v.id, v.ft, greatest(clock_timestamp(), v.ft),"
                + " greatest(0, (extract(epoch from clock_timestamp() - v.ft) * 1000)::bigint),"
                + " v.kind, v.rid, v.rel, v.bf, ?"
                + " from unnest(?::uuid[], ?::timestamptz[], ?::text[], ?::text[], ?::text[],"
                + " ?::uuid[]) as v(id, ft, kind, rid, rel, bf)"
                + " on conflict do nothing returning request_id")) {
      ps.setString(1, instanceId);
      ps.setArray(2, array(c, "uuid", ids));
      ps.setArray(3, array(c, "timestamptz", times));
      ps.setArray(4, array(c, "text", kinds));
      ps.setArray(5, array(c, "text", requestIds));
      ps.setArray(6, array(c, "text", releaseIds));
      ps.setArray(7, array(c, "uuid", backfills));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          inserted.add(rs.getString(1));
        }
      }
    }
    List<Fire> written = new ArrayList<>(inserted.size());
    List<Outbox.Item> events = new ArrayList<>(inserted.size());
    for (int i = 0; i < n; i++) {
      if (!inserted.contains(requestIds[i])) {
        continue;
      }
      Fire f = fires.get(i);
      Outbox.Item item = prepared.get(requestIds[i]);
      if (item == null
          || !java.util.Objects.equals(
              ((RunRequested) item.envelope().payload()).releaseId(), releaseIds[i])) {
        // not prepared, or a release arrived since: build it now
        item = event(f, releaseIds[i]);
      }
      events.add(item);
      written.add(f);
    }
    outbox.outbox().appendAll(c, events);
    return written;
  }

  private static Array array(Connection c, String type, Object[] values) throws SQLException {
    return c.createArrayOf(type, values);
  }
}

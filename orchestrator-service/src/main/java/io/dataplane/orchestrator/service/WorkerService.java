package io.dataplane.orchestrator.service;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.events.CancelAttempt;
import io.dataplane.common.events.Topics;
import io.dataplane.common.events.WorkerGroupUnserved;
import io.dataplane.common.events.WorkerHeartbeat;
import io.dataplane.orchestrator.Worker;
import io.dataplane.orchestrator.config.OrchestratorConfig;
import io.dataplane.orchestrator.engine.LostResultRule;
import io.dataplane.orchestrator.messaging.EventOutbox;
import io.dataplane.orchestrator.repository.Db;
import io.dataplane.orchestrator.repository.Rows;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The worker registry: heartbeats keep workers ACTIVE; a worker silent for {@code
 * worker-lost-after} becomes LOST and its running attempts are re-queued as new attempts (no retry
 * used). A worker that reports attempts that are not current any more (it was lost and came back,
 * or its attempt was cancelled) is told to kill them. An attempt that a live worker has stopped
 * reporting (it ended there but its result never arrived) is re-queued after {@code
 * attempt-unreported-after}.
 *
 * <p>A worker serves worker groups of one environment each: its heartbeat lists {@code
 * environment/group} pairs, and "a worker of the group" always means one that serves that pair
 * (dev's {@code default} and prod's {@code default} are different groups).
 */
@ApplicationScoped
public class WorkerService {

  private final Db db;
  private final EventOutbox events;
  private final RunEngine engine;
  private final OrchestratorConfig config;
  private final EngineMetrics metrics;
  private final LostResultRule lostResults;
  private final Map<String, Instant> fencedSent = new ConcurrentHashMap<>();

  /** The outages told by {@link #unserved()}: group → its oldest waiting dispatch. */
  private final Map<String, Instant> unservedSent = new ConcurrentHashMap<>();

  /** Dispatches suspected lost (see check), with when this check first suspected them. */
  private final Map<String, Instant> suspectedLost = new ConcurrentHashMap<>();

  private volatile boolean listening;

  /**
   * A connected consumer completes a fetch at least every fetch.max.wait.ms (500 ms), records or
   * not; none for this long means the broker does not answer.
   */
  static final Duration UNREADABLE_AFTER = Duration.ofSeconds(2);

  private volatile Instant lastFetch = Instant.now();

  /** When the task-events consumer last had read every partition to its end. */
  private volatile Instant taskEventsCaughtUpAt = Instant.EPOCH;

  private volatile boolean unreadable;

  public WorkerService(
      Db db,
      EventOutbox events,
      RunEngine engine,
      OrchestratorConfig config,
      EngineMetrics metrics) {
    this.db = db;
    this.events = events;
    this.engine = engine;
    this.config = config;
    this.metrics = metrics;
    this.lostResults = new LostResultRule(config.attemptUnreportedAfter());
  }

  public void onHeartbeat(Instant occurredAt, WorkerHeartbeat hb) {
    if (hb.workerId() == null || hb.workerId().isBlank()) {
      return;
    }
    if (occurredAt != null && occurredAt.isBefore(Instant.now().minus(config.workerLostAfter()))) {
      // read late (this consumer lags, or replays after a restart): it still shows an ACTIVE
      // worker alive, but it must not revive a LOST one nor fence anything
      db.tx(
          tx -> {
            tx.update(
                "update workers set last_seen = now() where worker_id = ? and state = 'ACTIVE'",
                hb.workerId());
            markReported(tx, hb);
            return null;
          });
      return;
    }
    db.tx(
        tx -> {
          tx.update(
              "insert into workers (worker_id, groups, state, version, cpu_load, memory_used_bytes,"
                  + " memory_total_bytes, system_load, slots, free_slots, running, draining,"
                  + " started_at, sandbox, last_seen) values (?, ?, 'ACTIVE', ?, ?, ?, ?, ?, ?, ?,"
                  + " ?, ?, ?, ?, now()) on conflict (worker_id) do update set groups = excluded.groups,"
                  + " state = 'ACTIVE', version = excluded.version, cpu_load = excluded.cpu_load,"
                  + " memory_used_bytes = excluded.memory_used_bytes,"
                  + " memory_total_bytes = excluded.memory_total_bytes,"
                  + " system_load = excluded.system_load, slots = excluded.slots,"
                  + " free_slots = excluded.free_slots, running = excluded.running,"
                  + " draining = excluded.draining, started_at = excluded.started_at,"
                  + " sandbox = excluded.sandbox, last_seen = now()",
              hb.workerId(),
              (hb.groups() == null ? List.<String>of() : hb.groups()).toArray(new String[0]),
              hb.version(),
              hb.cpuLoad(),
              hb.memoryUsedBytes(),
              hb.memoryTotalBytes(),
              hb.systemLoad(),
              hb.slots(),
              hb.freeSlots(),
              Db.Jsonb.of(hb.running() == null ? List.of() : hb.running()),
              hb.draining(),
              hb.startedAt(),
              hb.sandbox());
          List<WorkerHeartbeat.RunningAttempt> reported = markReported(tx, hb);
          Instant speaksFor = LostResultRule.claimedBefore(occurredAt);
          if (hb.running() != null && speaksFor != null) {
            // the worker's active attempts it does not list: note since when; only those claimed
            // well before the heartbeat was built (one built before the claim, read after it,
            // says nothing about the attempt)
            tx.update(
                "update attempts a set unreported_since = now() where a.worker_id = ?"
                    + " and a.state in ('CLAIMED', 'RUNNING') and a.unreported_since is null"
                    + " and a.claimed_at < ?"
                    + " and not exists (select 1 from unnest(?::uuid[], ?::int[])"
                    + " as r(task_run_id, attempt) where r.task_run_id = a.task_run_id"
                    + " and r.attempt = a.attempt)",
                hb.workerId(),
                speaksFor,
                reported.stream()
                    .map(WorkerHeartbeat.RunningAttempt::taskRunId)
                    .toArray(UUID[]::new),
                reported.stream()
                    .map(WorkerHeartbeat.RunningAttempt::attempt)
                    .toArray(Integer[]::new));
          }
          if (reported.isEmpty()) {
            return null;
          }
          // one query for all reported attempts: those that are ours and not this worker's
          // current claimed/running attempt any more
          List<WorkerHeartbeat.RunningAttempt> stale =
              tx.list(
                  "select r.task_run_id, r.attempt, t.run_id from unnest(?::uuid[], ?::int[])"
                      + " as r(task_run_id, attempt) join task_runs t on t.id = r.task_run_id"
                      + " left join attempts a on a.task_run_id = r.task_run_id"
                      + " and a.attempt = r.attempt"
                      + " where not (t.attempt = r.attempt and a.state in ('CLAIMED', 'RUNNING')"
                      + " and a.worker_id = ?)",
                  rs ->
                      new WorkerHeartbeat.RunningAttempt(
                          Db.uuid(rs, "run_id"), Db.uuid(rs, "task_run_id"), rs.getInt("attempt")),
                  reported.stream()
                      .map(WorkerHeartbeat.RunningAttempt::taskRunId)
                      .toArray(UUID[]::new),
                  reported.stream()
                      .map(WorkerHeartbeat.RunningAttempt::attempt)
                      .toArray(Integer[]::new),
                  hb.workerId());
          for (WorkerHeartbeat.RunningAttempt ra : stale) {
            String key = hb.workerId() + "/" + ra.taskRunId() + "/" + ra.attempt();
            Instant last = fencedSent.get(key);
            if (last != null && last.isAfter(Instant.now().minusSeconds(10))) {
              continue;
            }
            fencedSent.put(key, Instant.now());
            Log.infof(
                "worker %s runs attempt %d of task run %s, which is not current: cancelling it",
                hb.workerId(), ra.attempt(), ra.taskRunId());
            events.append(
                tx,
                Topics.TASK_CONTROL,
                hb.workerId(),
                new CancelAttempt(
                    hb.workerId(),
                    ra.runId(),
                    ra.taskRunId(),
                    ra.attempt(),
                    "attempt is not current (fenced)"));
          }
          return null;
        });
  }

  /** Notes that the worker still holds the attempts it reports; returns them. */
  private static List<WorkerHeartbeat.RunningAttempt> markReported(Db.Tx tx, WorkerHeartbeat hb)
      throws java.sql.SQLException {
    if (hb.running() == null) {
      return List.of();
    }
    List<WorkerHeartbeat.RunningAttempt> reported =
        hb.running().stream().filter(r -> r.taskRunId() != null).toList();
    if (reported.isEmpty()) {
      return reported;
    }
    tx.update(
        "update attempts a set unreported_since = null from unnest(?::uuid[], ?::int[])"
            + " as r(task_run_id, attempt) where a.task_run_id = r.task_run_id"
            + " and a.attempt = r.attempt and a.worker_id = ?"
            + " and a.state in ('CLAIMED', 'RUNNING') and a.unreported_since is not null",
        reported.stream().map(WorkerHeartbeat.RunningAttempt::taskRunId).toArray(UUID[]::new),
        reported.stream().map(WorkerHeartbeat.RunningAttempt::attempt).toArray(Integer[]::new),
        hb.workerId());
    return reported;
  }

  /**
   * Called once the heartbeat consumer holds its partitions. Until then nobody reads heartbeats
   * (this service was down or starting), so every worker gets a full worker-lost-after window to be
   * heard again before it can be called lost.
   */
  public void heartbeatsFlowing() {
    lastFetch = Instant.now();
    db.tx(tx -> fullWindow(tx));
    listening = true;
  }

  /**
   * Every worker gets a full worker-lost-after window to be heard, and every active attempt a full
   * attempt-unreported-after window to be reported (heartbeats were not read for a while).
   */
  private static Object fullWindow(Db.Tx tx) throws java.sql.SQLException {
    tx.update("update workers set last_seen = now() where state = 'ACTIVE'");
    tx.update(
        "update attempts set unreported_since = null where state in ('CLAIMED', 'RUNNING')"
            + " and unreported_since is not null");
    return null;
  }

  /**
   * Called when the task-events consumer has read every partition it holds to its end: every task
   * event published before {@code readTo} has been applied.
   */
  public void taskEventsCaughtUp(Instant readTo) {
    taskEventsCaughtUpAt = readTo;
  }

  /** Called when the heartbeat consumer completed a fetch: the broker answers it. */
  public void heartbeatsReadable() {
    lastFetch = Instant.now();
  }

  /**
   * Whether heartbeats can be read now. When the broker is away, every worker falls silent at once
   * though none is gone: nobody is called lost then, and once the broker answers again every worker
   * gets a full worker-lost-after window to be heard, as after a start.
   */
  private boolean readable(Duration lostAfter) {
    Duration since = Duration.between(lastFetch, Instant.now());
    Duration limit = lostAfter.compareTo(UNREADABLE_AFTER) < 0 ? lostAfter : UNREADABLE_AFTER;
    if (since.compareTo(limit) > 0) {
      if (!unreadable) {
        unreadable = true;
        Log.warnf(
            "no heartbeat can be read (no fetch from Kafka for %s): no worker is called lost"
                + " until they can",
            since);
      }
      return false;
    }
    if (unreadable) {
      db.tx(tx -> fullWindow(tx));
      unreadable = false;
      Log.infof("heartbeats can be read again: every worker has %s to be heard", lostAfter);
    }
    return true;
  }

  /** Marks silent workers LOST, re-queues their attempts, refreshes the gauges. */
  public void check() {
    if (!listening) {
      return;
    }
    Duration lostAfter = config.workerLostAfter();
    if (!readable(lostAfter)) {
      refreshGauges();
      return;
    }
    List<String> lost =
        db.tx(
            tx ->
                tx.list(
                    "update workers set state = 'LOST' where state = 'ACTIVE'"
                        + " and last_seen < now() - make_interval(secs => ?) returning worker_id",
                    rs -> rs.getString(1),
                    lostAfter.toMillis() / 1000.0));
    for (String w : lost) {
      Log.warnf("worker %s is lost (silent for %s); re-queueing its attempts", w, lostAfter);
    }
    // attempts of lost workers (also those a crash left behind after the worker was marked)
    List<Object[]> orphaned =
        db.tx(
            tx ->
                tx.list(
                    "select a.task_run_id, a.attempt, a.worker_id from attempts a join workers w"
                        + " on w.worker_id = a.worker_id where a.state in ('CLAIMED', 'RUNNING')"
                        + " and w.state = 'LOST'",
                    rs ->
                        new Object[] {Db.uuid(rs, "task_run_id"), rs.getInt(2), rs.getString(3)}));
    for (Object[] o : orphaned) {
      engine.requeue((UUID) o[0], (Integer) o[1], "worker " + o[2] + " was lost");
    }
    // attempts a live worker stopped reporting (LostResultRule): a heartbeat built well after
    // their claim left them out for attempt-unreported-after, and the task events were read to
    // their end since. A worker stops reporting an attempt only once Kafka acknowledged its result,
    // so a result that exists has been applied by then: a late result is never re-queued.
    Instant eventsReadTo = taskEventsCaughtUpAt;
    List<Object[]> unreported =
        lostResults.off()
            ? List.of()
            : db.tx(
                tx ->
                    tx.list(
                        "select a.task_run_id, a.attempt, a.worker_id, a.unreported_since,"
                            + " a.claimed_at, a.started_at, now() as db_now from attempts a"
                            + " join workers w on w.worker_id = a.worker_id"
                            + " where a.state in ('CLAIMED', 'RUNNING') and w.state = 'ACTIVE'"
                            + " and a.unreported_since is not null",
                        rs ->
                            new Object[] {
                              Db.uuid(rs, "task_run_id"),
                              rs.getInt(2),
                              rs.getString(3),
                              Db.instant(rs, "unreported_since"),
                              Db.instant(rs, "claimed_at"),
                              Db.instant(rs, "started_at"),
                              Db.instant(rs, "db_now")
                            }));
    for (Object[] o : unreported) {
      if (!lostResults.lost(
          (Instant) o[3], (Instant) o[4], (Instant) o[5], eventsReadTo, (Instant) o[6])) {
        continue;
      }
      Log.warnf(
          "worker %s no longer reports attempt %s/%d (its result was lost): re-queueing it",
          o[2], o[0], o[1]);
      engine.requeue(
          (UUID) o[0],
          (Integer) o[1],
          "worker " + o[2] + " no longer reports this attempt; its result was lost");
      metrics.unreported();
    }
    // dispatches no worker took although one of the group had room: lost on the way. Not those
    // that merely wait their turn behind others (a large fan-out queues thousands for minutes
    // while the group's workers, between two claims, report a free slot): a dispatch is suspected
    // lost when the group's queue has gone well past it (an attempt dispatched more than the
    // period after it was claimed within the period) or has not moved (no claim of the group
    // within the period), and sent again once it has stayed suspect for the period: its
    // dispatched_at is its transaction's start, and a transaction dispatching thousands commits
    // long after it, so only what this check has seen for the period counts as waited for
    double after = config.redispatchAfter().toMillis() / 1000.0;
    List<Object[]> unclaimed =
        db.tx(
            tx ->
                tx.list(
                    "with moving as (select r.environment || '/' || b.worker_group as grp,"
                        + " max(b.dispatched_at) as passed from attempts b"
                        + " join runs r on r.id = b.run_id"
                        + " where b.claimed_at > now() - make_interval(secs => ?) group by 1)"
                        + " select a.task_run_id, a.attempt, r.environment || '/' || a.worker_group"
                        + " from attempts a join runs r on r.id = a.run_id"
                        + " left join moving m on m.grp = r.environment || '/' || a.worker_group"
                        + " where a.state = 'DISPATCHED'"
                        + " and a.dispatched_at < now() - make_interval(secs => ?)"
                        + " and (m.grp is null"
                        + " or m.passed > a.dispatched_at + make_interval(secs => ?))"
                        + " and exists (select 1 from workers w where w.state = 'ACTIVE'"
                        + " and not w.draining and w.free_slots > 0"
                        + " and r.environment || '/' || a.worker_group = any(w.groups))",
                    rs -> new Object[] {Db.uuid(rs, "task_run_id"), rs.getInt(2), rs.getString(3)},
                    after,
                    after,
                    after));
    Instant now = Instant.now();
    Map<String, Instant> seen = new HashMap<>();
    for (Object[] o : unclaimed) {
      String key = o[0] + "/" + o[1];
      Instant since = suspectedLost.getOrDefault(key, now);
      if (Duration.between(since, now).compareTo(config.redispatchAfter()) < 0) {
        seen.put(key, since);
        continue;
      }
      if (engine.redispatch((UUID) o[0], (Integer) o[1])) {
        Log.warnf(
            "attempt %s/%d was not taken within %s although group %s has free slots: dispatched"
                + " again",
            o[0], o[1], config.redispatchAfter(), o[2]);
        metrics.redispatched();
      }
    }
    // what is no longer suspect (claimed, or the queue moves again) starts afresh next time
    suspectedLost.clear();
    suspectedLost.putAll(seen);
    unserved();
    refreshGauges();
    fencedSent.values().removeIf(t -> t.isBefore(Instant.now().minusSeconds(60)));
  }

  /**
   * Tells (once per outage, {@code WorkerGroupUnserved} on {@code dataplane.run-events}, which the
   * scheduler's notification rules {@code NO_WORKER} read) about every worker group whose tasks
   * have waited longer than {@code unserved-alert-after} while no live worker serves it. The outage
   * is named by its oldest waiting dispatch, so every replica, and this one after a restart, names
   * it the same and the scheduler keeps one notification of it.
   */
  private void unserved() {
    List<WorkerGroupUnserved> found =
        db.tx(
            tx ->
                tx.list(
                    "select environment, worker_group, count(*) as waiting, min(dispatched_at) as"
                        + " since, (array_agg(distinct pipeline))[1:20] as pipelines,"
                        + " (select count(*) from workers w where g = any(w.groups)) as registered"
                        + " from (select r.environment, a.worker_group, r.pipeline, a.dispatched_at,"
                        + " r.environment || '/' || a.worker_group as g from attempts a"
                        + " join runs r on r.id = a.run_id where a.state = 'DISPATCHED') x"
                        + " where not exists (select 1 from workers w where w.state = '"
                        + Worker.ACTIVE
                        + "' and not w.draining and coalesce(w.sandbox, '') <> 'unavailable'"
                        + " and g = any(w.groups))"
                        + " group by environment, worker_group, g"
                        + " having min(dispatched_at) < now() - make_interval(secs => ?)",
                    rs ->
                        new WorkerGroupUnserved(
                            rs.getString("environment"),
                            rs.getString("worker_group"),
                            rs.getInt("registered"),
                            rs.getInt("waiting"),
                            List.of((String[]) rs.getArray("pipelines").getArray()),
                            rs.getTimestamp("since").toInstant()),
                    config.unservedAlertAfter().toMillis() / 1000.0));
    Map<String, Instant> now = new HashMap<>();
    for (WorkerGroupUnserved u : found) {
      String ref = u.environment() + "/" + u.workerGroup();
      now.put(ref, u.since());
      if (u.since().equals(unservedSent.get(ref))) {
        continue;
      }
      db.tx(
          tx -> {
            events.append(tx, Topics.RUN_EVENTS, ref, u);
            return null;
          });
      Log.warnf(
          "worker group %s has had no live worker for its %d waiting task(s) since %s (%d"
              + " registered)",
          ref, u.waitingTasks(), u.since(), u.registered());
    }
    unservedSent.clear();
    unservedSent.putAll(now);
  }

  private void refreshGauges() {
    Map<String, Long> depth = new HashMap<>();
    Map<String, Long> workers = new HashMap<>();
    db.tx(
        tx -> {
          for (Object[] r :
              tx.list(
                  "select r.environment || '/' || a.worker_group, count(*) from attempts a"
                      + " join runs r on r.id = a.run_id where a.state = 'DISPATCHED'"
                      + " group by r.environment, a.worker_group",
                  rs -> new Object[] {rs.getString(1), rs.getLong(2)})) {
            depth.put((String) r[0], (Long) r[1]);
          }
          // every known group shows its depth, 0 included, so dashboards and alerts see the series
          for (String g :
              tx.list(
                  "select environment || '/' || name from worker_groups", rs -> rs.getString(1))) {
            depth.putIfAbsent(g, 0L);
          }
          for (Object[] r :
              tx.list(
                  "select state, count(*) from workers group by state",
                  rs -> new Object[] {rs.getString(1), rs.getLong(2)})) {
            workers.put((String) r[0], (Long) r[1]);
          }
          return null;
        });
    metrics.queueDepth(depth);
    metrics.workers(workers);
  }

  /**
   * Workers that serve a group of the environment (or the one group), or every worker when the
   * environment is not given.
   */
  public List<Worker> list(String environment, String group) {
    boolean noEnv = environment == null || environment.isBlank();
    boolean noGroup = group == null || group.isBlank();
    if (noEnv && !noGroup) {
      throw DataplaneException.invalid(
          "environment", "a worker group belongs to an environment: give the environment too");
    }
    return db.tx(
        tx ->
            noEnv
                ? tx.list("select * from workers order by worker_id", Rows::worker)
                : noGroup
                    ? tx.list(
                        "select * from workers where exists (select 1 from unnest(groups) g"
                            + " where split_part(g, '/', 1) = ?) order by worker_id",
                        Rows::worker,
                        environment)
                    : tx.list(
                        "select * from workers where ? = any(groups) order by worker_id",
                        Rows::worker,
                        environment + "/" + group));
  }
}

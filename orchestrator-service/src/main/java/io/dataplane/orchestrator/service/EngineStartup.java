package io.dataplane.orchestrator.service;

import io.dataplane.orchestrator.config.OrchestratorConfig;
import io.dataplane.orchestrator.repository.Db;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * At start-up, re-arms every timer the database holds (retries due, attempt and run deadlines,
 * SLAs), starts runs a crash left queued while their pipeline had room, and starts the worker
 * check.
 */
@ApplicationScoped
public class EngineStartup {

  private final Db db;
  private final RunEngine engine;
  private final WorkerService workers;
  private final Timers timers;
  private final OrchestratorConfig config;
  private final io.dataplane.orchestrator.messaging.EventOutbox outbox;
  private final SlaWatch slas;

  public EngineStartup(
      Db db,
      RunEngine engine,
      WorkerService workers,
      Timers timers,
      OrchestratorConfig config,
      io.dataplane.orchestrator.messaging.EventOutbox outbox,
      SlaWatch slas) {
    this.slas = slas;
    this.outbox = outbox;
    this.db = db;
    this.engine = engine;
    this.workers = workers;
    this.timers = timers;
    this.config = config;
  }

  void start(@Observes @Priority(50) StartupEvent ev) {
    recover();
    timers.every(config.workerCheckInterval(), "worker check", workers::check);
    timers.every(java.time.Duration.ofMinutes(10), "housekeeping", this::housekeeping);
  }

  /** Drops relayed outbox rows after a day and remembered event ids after a week. */
  void housekeeping() {
    try {
      int sent = outbox.purgeSent(86_400);
      int seen =
          db.tx(
              tx ->
                  tx.update(
                      "delete from processed_events where processed_at < now() - interval '7 days'"));
      Log.debugf("housekeeping: %d outbox rows, %d event ids dropped", sent, seen);
    } catch (java.sql.SQLException e) {
      Log.warn("housekeeping failed", e);
    }
  }

  /** Re-arms the timers of the database's due times. */
  public void recover() {
    record Due(UUID id, int attempt, Instant at) {}
    List<Due> retries =
        db.tx(
            tx ->
                tx.list(
                    "select id, retry_at from task_runs where state = 'QUEUED'"
                        + " and retry_at is not null",
                    rs -> new Due(Db.uuid(rs, "id"), 0, Db.instant(rs, "retry_at"))));
    retries.forEach(d -> timers.at(d.at(), "retry " + d.id(), () -> engine.retryDue(d.id())));
    List<Due> deadlines =
        db.tx(
            tx ->
                tx.list(
                    "select task_run_id, attempt, deadline_at from attempts"
                        + " where state in ('CLAIMED', 'RUNNING') and deadline_at is not null",
                    rs ->
                        new Due(
                            Db.uuid(rs, "task_run_id"),
                            rs.getInt("attempt"),
                            Db.instant(rs, "deadline_at"))));
    deadlines.forEach(
        d ->
            timers.at(
                d.at(), "deadline " + d.id(), () -> engine.attemptDeadline(d.id(), d.attempt())));
    List<Due> runs =
        db.tx(
            tx ->
                tx.list(
                    "select id, deadline_at from runs where state = 'RUNNING'"
                        + " and deadline_at is not null",
                    rs -> new Due(Db.uuid(rs, "id"), 0, Db.instant(rs, "deadline_at"))));
    runs.forEach(
        d -> timers.at(d.at(), "run deadline " + d.id(), () -> engine.runDeadline(d.id())));
    List<Due> slaDue =
        db.tx(
            tx ->
                tx.list(
                    "select id, sla_due_at from runs where sla_due_at is not null"
                        + " and sla_missed_at is null and finished_at is null",
                    rs -> new Due(Db.uuid(rs, "id"), 0, Db.instant(rs, "sla_due_at"))));
    slaDue.forEach(d -> slas.schedule(d.id(), d.at()));
    List<String[]> queued =
        db.tx(
            tx ->
                tx.list(
                    "select distinct environment, pipeline from runs where state = 'QUEUED'",
                    rs -> new String[] {rs.getString(1), rs.getString(2)}));
    for (String[] q : queued) {
      engine.admitQueued(q[0], q[1]);
    }
    Log.infof(
        "engine recovered: %d retries, %d attempt deadlines, %d run deadlines, %d SLAs re-armed",
        retries.size(), deadlines.size(), runs.size(), slaDue.size());
  }
}

package io.dataplane.orchestrator.service;

import io.dataplane.common.events.RunState;
import io.dataplane.common.events.SlaMissed;
import io.dataplane.common.events.Topics;
import io.dataplane.orchestrator.PipelineRun;
import io.dataplane.orchestrator.dag.PipelineDefinition;
import io.dataplane.orchestrator.engine.SlaRule;
import io.dataplane.orchestrator.messaging.EventOutbox;
import io.dataplane.orchestrator.repository.Db;
import io.dataplane.orchestrator.repository.Rows;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.time.Instant;
import java.util.UUID;

/**
 * Pipeline SLAs ({@code sla:} in the definition): each run gets its due time when it is created; a
 * timer marks the run as having missed it while it still runs, and a run that ends late without the
 * timer having fired (the orchestrator was down) is marked as it ends. Each miss appends one {@link
 * SlaMissed} to {@code dataplane.run-events} and counts in {@code dataplane_sla_missed_total}; the
 * run goes on.
 */
@ApplicationScoped
public class SlaWatch {

  private final Db db;
  private final EventOutbox events;
  private final Timers timers;
  private final EngineMetrics metrics;
  private final PipelineService pipelines;

  public SlaWatch(
      Db db, EventOutbox events, Timers timers, EngineMetrics metrics, PipelineService pipelines) {
    this.db = db;
    this.events = events;
    this.timers = timers;
    this.metrics = metrics;
    this.pipelines = pipelines;
  }

  /** Gives a new run its due time (in the transaction that creates it) and arms its timer. */
  void arm(Db.Tx tx, PipelineRun run, PipelineDefinition def) throws SQLException {
    Instant due = SlaRule.due(def.sla(), run.createdAt());
    if (due == null) {
      return;
    }
    tx.update("update runs set sla_due_at = ? where id = ?", due, run.id());
    UUID id = run.id();
    tx.afterCommit(() -> schedule(id, due));
  }

  /** Arms the timer of a run's due time (also at start-up, for the runs the database holds). */
  void schedule(UUID runId, Instant due) {
    timers.at(due, "sla " + runId, () -> due(runId));
  }

  /** The run's SLA time came: marks it missed if it has not ended. */
  void due(UUID runId) {
    db.tx(
        tx -> {
          PipelineRun run =
              tx.one(
                      "select " + Rows.RUN_COLS + " from runs where id = ? for update",
                      Rows::run,
                      runId)
                  .orElse(null);
          if (run == null || run.state().isTerminal()) {
            return null;
          }
          if (run.slaDueAt() != null && Instant.now().isBefore(run.slaDueAt())) {
            Instant due = run.slaDueAt();
            tx.afterCommit(() -> schedule(runId, due)); // a timer that fired early
            return null;
          }
          markIfMissed(tx, run, run.state());
          return null;
        });
  }

  /**
   * Marks the run as having missed its SLA when it is due and not marked yet; called with the run
   * locked, also as it ends ({@code state}: the state it ends in).
   */
  void markIfMissed(Db.Tx tx, PipelineRun run, RunState state) throws SQLException {
    Instant now = Instant.now();
    if (!SlaRule.missed(run.slaDueAt(), run.slaMissedAt(), now)) {
      return;
    }
    // the instant the rule decided on, not the transaction's start (now()), which can be a little
    // before the due time the rule found passed
    tx.update("update runs set sla_missed_at = ? where id = ?", now, run.id());
    PipelineDefinition def = pipelines.release(tx, run.releaseId()).definition();
    String what = def.sla() == null ? "sla" : SlaRule.describe(def.sla());
    events.append(
        tx,
        Topics.RUN_EVENTS,
        run.id().toString(),
        new SlaMissed(run.id(), run.environment(), run.pipeline(), run.slaDueAt(), what, state));
    String env = run.environment();
    tx.afterCommit(
        () -> {
          metrics.slaMissed(env);
          Log.infof(
              "run %s of %s/%s missed its SLA (%s, due %s)",
              run.id(), env, run.pipeline(), what, run.slaDueAt());
        });
  }
}

package io.dataplane.orchestrator.service;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.orchestrator.config.OrchestratorConfig;
import io.dataplane.orchestrator.repository.Db;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Task log retention: per environment, days a finished run's logs are kept and the most bytes one
 * run stores (null on the environment: the platform default of {@code dataplane.orchestrator.logs};
 * 0: no limit). A periodic sweep deletes the logs of runs finished longer ago than their
 * environment keeps them, in bounded batches (never one giant delete).
 */
@ApplicationScoped
public class LogRetention {

  /** An environment's settings: what it set (null: the default) and what applies. */
  public record Settings(
      String environment,
      Integer retentionDays,
      Long maxBytesPerRun,
      int effectiveRetentionDays,
      long effectiveMaxBytesPerRun) {}

  private final Db db;
  private final OrchestratorConfig config;
  private final Timers timers;

  public LogRetention(Db db, OrchestratorConfig config, Timers timers) {
    this.db = db;
    this.config = config;
    this.timers = timers;
  }

  void start(@Observes StartupEvent ev) {
    timers.every(config.logs().sweepInterval(), "log retention", this::sweep);
  }

  public Settings get(String environment) {
    return db.tx(
        tx ->
            tx.one(
                    "select name, log_retention_days, log_max_bytes_per_run from environments"
                        + " where name = ?",
                    rs -> {
                      Integer days = (Integer) rs.getObject(2);
                      Long max = (Long) rs.getObject(3);
                      return new Settings(
                          rs.getString(1),
                          days,
                          max,
                          days == null ? config.logs().retentionDays() : days,
                          max == null ? config.logs().maxBytesPerRun() : max);
                    },
                    environment)
                .orElseThrow(
                    () -> DataplaneException.notFound("environment '" + environment + "'")));
  }

  /** Sets an environment's retention; null restores the platform default of that setting. */
  public Settings set(String environment, Integer retentionDays, Long maxBytesPerRun) {
    if (retentionDays != null && (retentionDays < 0 || retentionDays > 36_500)) {
      throw DataplaneException.invalid(
          "retentionDays", "must be between 0 (keep forever) and 36500 days");
    }
    if (maxBytesPerRun != null && maxBytesPerRun < 0) {
      throw DataplaneException.invalid("maxBytesPerRun", "must be 0 (no cap) or more");
    }
    int n =
        db.tx(
            tx ->
                tx.update(
                    "update environments set log_retention_days = ?, log_max_bytes_per_run = ?"
                        + " where name = ?",
                    retentionDays,
                    maxBytesPerRun,
                    environment));
    if (n == 0) {
      throw DataplaneException.notFound("environment '" + environment + "'");
    }
    Log.infof(
        "log retention of environment %s: %s days, %s bytes per run (null: the default)",
        environment, retentionDays, maxBytesPerRun);
    return get(environment);
  }

  /** One sweep with the configured batch size; returns the log lines deleted. */
  public long sweep() {
    return sweep(config.logs().sweepBatch(), config.logs().sweepMaxBatches());
  }

  /**
   * Deletes the task logs of runs finished longer ago than their environment keeps them, {@code
   * batch} rows per transaction, at most {@code maxBatches} transactions.
   */
  public long sweep(int batch, int maxBatches) {
    long total = 0;
    for (int i = 0; i < maxBatches; i++) {
      int n =
          db.tx(
              tx ->
                  tx.update(
                      "delete from task_logs where ctid = any(array(select l.ctid from runs r"
                          + " join environments e on e.name = r.environment"
                          + " join task_runs t on t.run_id = r.id"
                          + " join task_logs l on l.task_run_id = t.id"
                          + " where r.finished_at is not null"
                          + " and coalesce(e.log_retention_days, ?) > 0"
                          + " and r.finished_at < now()"
                          + " - make_interval(days => coalesce(e.log_retention_days, ?))"
                          + " limit ?))",
                      config.logs().retentionDays(),
                      config.logs().retentionDays(),
                      batch));
      total += n;
      if (n < batch) {
        break;
      }
    }
    // the cap's bookkeeping of runs whose logs are gone
    int usage =
        db.tx(
            tx ->
                tx.update(
                    "delete from run_log_usage u where u.run_id in (select u2.run_id"
                        + " from run_log_usage u2 join runs r on r.id = u2.run_id"
                        + " join environments e on e.name = r.environment"
                        + " where r.finished_at is not null"
                        + " and coalesce(e.log_retention_days, ?) > 0"
                        + " and r.finished_at < now()"
                        + " - make_interval(days => coalesce(e.log_retention_days, ?))"
                        + " limit ?)",
                    config.logs().retentionDays(),
                    config.logs().retentionDays(),
                    batch));
    if (total > 0 || usage > 0) {
      Log.infof("log retention: %d task log lines of expired runs deleted", total);
    }
    return total;
  }
}

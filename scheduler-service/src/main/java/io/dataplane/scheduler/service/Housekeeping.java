package io.dataplane.scheduler.service;

import io.dataplane.scheduler.config.SchedulerConfig;
import io.dataplane.scheduler.messaging.OutboxRelay;
import io.dataplane.scheduler.repository.FireRepository;
import io.dataplane.scheduler.repository.ScheduleRepository;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.Statement;

/**
 * Keeps the bookkeeping tables small: outbox rows sent more than a day ago and runs seen more than
 * a week ago are deleted every ten minutes, and fires older than {@code
 * dataplane.scheduler.ledger.retention-days} (the newest fire of each schedule stays).
 */
@ApplicationScoped
public class Housekeeping {

  private final OutboxRelay outbox;
  private final ScheduleRepository repository;
  private final FireRepository fires;
  private final SchedulerConfig config;

  public Housekeeping(
      OutboxRelay outbox,
      ScheduleRepository repository,
      FireRepository fires,
      SchedulerConfig config) {
    this.outbox = outbox;
    this.repository = repository;
    this.fires = fires;
    this.config = config;
  }

  /** Deletes the fires older than the ledger's retention; returns how many. */
  public long purgeFires() throws java.sql.SQLException {
    SchedulerConfig.Ledger l = config.ledger();
    long n = fires.purgeOlderThan(l.retentionDays(), l.sweepBatch(), l.sweepMaxBatches());
    if (n > 0) {
      Log.infof("fire ledger retention: %d fires older than %d days deleted", n, l.retentionDays());
    }
    return n;
  }

  @Scheduled(
      identity = "scheduler-housekeeping",
      every = "10m",
      delayed = "10m",
      concurrentExecution = ConcurrentExecution.SKIP)
  void run() {
    try {
      int sent = outbox.outbox().purgeSent(86_400);
      int runs;
      try (Connection c = repository.connection();
          Statement s = c.createStatement()) {
        runs = s.executeUpdate("delete from runs_seen where seen_at < now() - interval '7 days'");
      }
      if (sent + runs > 0) {
        Log.debugf("housekeeping: %d outbox rows, %d runs seen purged", sent, runs);
      }
      purgeFires();
    } catch (Exception e) {
      Log.warnf("housekeeping failed: %s", e.getMessage());
    }
  }
}

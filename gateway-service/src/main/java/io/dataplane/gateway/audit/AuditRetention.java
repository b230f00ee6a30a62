package io.dataplane.gateway.audit;

import io.dataplane.gateway.config.GatewayConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import io.quarkus.scheduler.Scheduler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Keeps the audit log to {@code dataplane.gateway.audit.retention}: a periodic sweep. */
@ApplicationScoped
public class AuditRetention {

  private final AuditService audit;
  private final GatewayConfig config;
  private final Scheduler scheduler;

  public AuditRetention(AuditService audit, GatewayConfig config, Scheduler scheduler) {
    this.audit = audit;
    this.config = config;
    this.scheduler = scheduler;
  }

  void start(@Observes StartupEvent ev) {
    String every = config.audit().sweepInterval().toString();
    scheduler
        .newJob("gateway-audit-retention")
        .setInterval(every)
        .setDelayed(every)
        .setConcurrentExecution(ConcurrentExecution.SKIP)
        .setTask(ex -> sweep())
        .schedule();
  }

  /** Deletes what is past the retention; returns how many entries. */
  public Integer sweep() {
    int n = audit.purgeOlderThan(config.audit().retention());
    if (n > 0) {
      Log.infof("audit retention: %d entries older than %s deleted", n, config.audit().retention());
    }
    return n;
  }
}

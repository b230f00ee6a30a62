package io.dataplane.gateway.audit;

import io.dataplane.gateway.config.GatewayConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Keeps the audit log to {@code dataplane.gateway.audit.retention}: a periodic sweep. */
@ApplicationScoped
public class AuditRetention {

  private final AuditService audit;
  private final GatewayConfig config;
  private final Vertx vertx;
  private long timer = -1;

  public AuditRetention(AuditService audit, GatewayConfig config, Vertx vertx) {
    this.audit = audit;
    this.config = config;
    this.vertx = vertx;
  }

  void start(@Observes StartupEvent ev) {
    timer =
        vertx.setPeriodic(
            config.audit().sweepInterval().toMillis(), id -> vertx.executeBlocking(this::sweep));
  }

  void stop(@Observes ShutdownEvent ev) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
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

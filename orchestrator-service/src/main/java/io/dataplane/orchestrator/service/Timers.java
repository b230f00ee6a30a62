package io.dataplane.orchestrator.service;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * In-memory timers for due times the database holds (retry due, attempt deadline, run deadline).
 * They are armed after the commit that set the due time, and re-armed from the database at
 * start-up, so they survive a restart.
 */
@ApplicationScoped
public class Timers {

  private final ScheduledThreadPoolExecutor executor;

  public Timers() {
    executor =
        new ScheduledThreadPoolExecutor(
            2,
            r -> {
              Thread t = new Thread(r, "orchestrator-timer");
              t.setDaemon(true);
              return t;
            });
    executor.setRemoveOnCancelPolicy(true);
  }

  public void at(Instant due, String what, Runnable action) {
    long delay = Math.max(0, Duration.between(Instant.now(), due).toMillis());
    executor.schedule(
        () -> {
          try {
            action.run();
          } catch (RuntimeException e) {
            Log.warnf(e, "timer %s failed", what);
          }
        },
        delay,
        TimeUnit.MILLISECONDS);
  }

  public void every(Duration period, String what, Runnable action) {
    executor.scheduleWithFixedDelay(
        () -> {
          try {
            action.run();
          } catch (RuntimeException e) {
            Log.warnf(e, "periodic %s failed", what);
          }
        },
        period.toMillis(),
        period.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  void stop(@Observes ShutdownEvent ev) {
    executor.shutdownNow();
  }
}

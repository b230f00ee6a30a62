package io.dataplane.orchestrator.service;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import io.quarkus.scheduler.Scheduler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * In-memory timers for due times the database holds (retry due, attempt deadline, run deadline).
 * They are armed after the commit that set the due time, and re-armed from the database at
 * start-up, so they survive a restart. Periodic work ({@link #every}) is a job of the Quarkus
 * scheduler (a run still going skips the next; metrics {@code scheduled_methods_*}; stopped with
 * the application).
 */
@ApplicationScoped
public class Timers {

  private final ScheduledThreadPoolExecutor executor;
  private final Scheduler scheduler;

  public Timers(Scheduler scheduler) {
    this.scheduler = scheduler;
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

  /**
   * Runs {@code action} every {@code period} (first after one period) as the Quarkus scheduler's
   * job {@code orchestrator-<what>}; the scheduler checks its jobs once a second, so a period under
   * a second runs once a second.
   */
  public void every(Duration period, String what, Runnable action) {
    String every = period.toString();
    scheduler
        .newJob("orchestrator-" + what.replace(' ', '-'))
        .setInterval(every)
        .setDelayed(every)
        .setConcurrentExecution(ConcurrentExecution.SKIP)
        .setTask(
            ex -> {
              try {
                action.run();
              } catch (RuntimeException e) {
                Log.warnf(e, "periodic %s failed", what);
              }
            })
        .schedule();
  }

  void stop(@Observes ShutdownEvent ev) {
    executor.shutdownNow();
  }
}

package io.dataplane.scheduler.service;

import io.dataplane.scheduler.NotificationChannel;
import io.dataplane.scheduler.config.NotificationConfig;
import io.dataplane.scheduler.notify.Backoff;
import io.dataplane.scheduler.repository.NotificationRepository;
import io.dataplane.scheduler.repository.NotificationRepository.Attempt;
import io.dataplane.scheduler.repository.NotificationRepository.Delivery;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import io.quarkus.scheduler.Scheduler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sends due deliveries on every replica: each poll claims a batch ({@code FOR UPDATE SKIP LOCKED},
 * with a lease), sends each over its channel and records the attempt. A failed attempt is tried
 * again after an exponential backoff until {@code max-attempts}; a refused target or a missing
 * secret fails at once. A replica that dies mid-send leaves the row PENDING with its lease, and any
 * replica sends it when the lease ends: delivery is at least once, and every attempt of one
 * delivery carries the same {@code X-Dataplane-Delivery} id for receivers to dedupe on.
 */
@ApplicationScoped
public class NotificationDispatcher {

  private final NotificationRepository repository;
  private final ChannelSender sender;
  private final NotificationConfig config;
  private final MeterRegistry meters;
  private final Backoff backoff;
  private final Scheduler scheduler;

  public NotificationDispatcher(
      NotificationRepository repository,
      ChannelSender sender,
      NotificationConfig config,
      MeterRegistry meters,
      Scheduler scheduler) {
    this.scheduler = scheduler;
    this.repository = repository;
    this.sender = sender;
    this.config = config;
    this.meters = meters;
    this.backoff = new Backoff(config.backoffBase(), config.backoffMax());
  }

  void onStart(@Observes StartupEvent ev) {
    for (String o : new String[] {"DELIVERED", "FAILED", "TIMEOUT", "REFUSED"}) {
      meters.counter("dataplane.notification.attempts", "outcome", o);
    }
    if (!config.enabled()) {
      Log.info(
          "notifications: this replica sends none (dataplane.scheduler.notifications.enabled=false)");
      return;
    }
    // the Quarkus scheduler checks its jobs once a second: a shorter poll interval polls each
    // second
    scheduler
        .newJob("scheduler-notifications-poll")
        .setInterval(config.pollInterval().toString())
        .setDelayed(config.pollInterval().toString())
        .setConcurrentExecution(ConcurrentExecution.SKIP)
        .setTask(ex -> poll())
        .schedule();
    scheduler
        .newJob("scheduler-notifications-purge")
        .setInterval("10m")
        .setDelayed("10s")
        .setConcurrentExecution(ConcurrentExecution.SKIP)
        .setTask(ex -> purge())
        .schedule();
  }

  /** The lease of a claimed delivery: long enough for one send and its bookkeeping. */
  Duration lease() {
    return config.sendTimeout().multipliedBy(2).plusSeconds(30);
  }

  void poll() {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        var batch = repository.claim(config.batchSize(), lease());
        for (Delivery d : batch) {
          deliver(d);
        }
        if (batch.size() < config.batchSize()) {
          return;
        }
      }
    } catch (Exception e) {
      Log.warnf("notifications: poll failed, next poll retries: %s", e.getMessage());
    }
  }

  private void deliver(Delivery d) throws SQLException {
    Optional<NotificationChannel> ch;
    try (Connection c = repository.connection()) {
      ch = repository.channel(c, d.channelId());
    }
    Instant start = Instant.now();
    ChannelSender.Result r =
        ch.isEmpty()
            ? new ChannelSender.Result("REFUSED", null, "the channel was deleted")
            : sender.send(ch.get(), d.id().toString(), d.facts());
    long ms = Duration.between(start, Instant.now()).toMillis();
    meters.counter("dataplane.notification.attempts", "outcome", r.outcome()).increment();
    String state;
    Instant next = null;
    if (r.delivered()) {
      state = "DELIVERED";
    } else if (r.permanent() || d.attempts() >= config.maxAttempts()) {
      state = "FAILED";
    } else {
      state = "PENDING";
      next =
          Instant.now().plus(backoff.delay(d.attempts(), ThreadLocalRandom.current().nextDouble()));
    }
    repository.finishAttempt(
        d, new Attempt(d.attempts(), start, r.outcome(), r.status(), r.error(), ms), state, next);
    if (!r.delivered()) {
      Log.infof(
          "notification %s (%s, attempt %d) %s: %s%s",
          d.id(),
          d.event(),
          d.attempts(),
          r.outcome(),
          r.error(),
          next == null ? "" : "; next attempt at " + next);
    }
  }

  void purge() {
    try {
      int n = repository.purge(config.retentionDays());
      if (n > 0) {
        Log.infof(
            "notifications: %d finished deliveries older than %d days deleted",
            n, config.retentionDays());
      }
    } catch (Exception e) {
      Log.warnf("notifications: purge failed: %s", e.getMessage());
    }
  }
}

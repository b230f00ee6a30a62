package io.dataplane.scheduler.service;

import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.events.EventTypes;
import io.dataplane.common.events.RunRequested;
import io.dataplane.common.events.Topics;
import io.dataplane.common.outbox.Outbox;
import io.dataplane.common.triggers.ParamTemplates;
import io.dataplane.scheduler.Schedule;
import io.dataplane.scheduler.Trigger;
import io.dataplane.scheduler.config.SchedulerConfig;
import io.dataplane.scheduler.messaging.OutboxRelay;
import io.dataplane.scheduler.repository.TriggerRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Fires a trigger for one event: renders the params, then in one transaction writes the ledger row
 * ({@code (triggerId, eventId)} is its primary key: a redelivered event finds its row and starts
 * nothing) and, for a good fire, the {@code RunRequested} in the outbox, whose {@code requestId}
 * {@code trigger:<triggerId>@<eventId>} the orchestrator also keeps unique. A template error or a
 * chain too deep records a FAILED row with the reason, requests nothing and is notified as a
 * MISFIRE to the matching notification rules.
 */
@ApplicationScoped
public class TriggerFirer {

  /** What became of an event. */
  public enum Outcome {
    /** A run was requested. */
    REQUESTED,
    /** Recorded failed with a reason; no run. */
    FAILED,
    /** The ledger already had this event: nothing new. */
    DUPLICATE,
    /** The trigger is gone, paused or stopped: nothing recorded. */
    IGNORED
  }

  /** The result of one event. */
  public record Result(Outcome outcome, String requestId, String reason) {}

  private final TriggerRepository repository;
  private final OutboxRelay outbox;
  private final SchedulerConfig config;
  private final MeterRegistry meters;
  private final NotificationService notifications;

  public TriggerFirer(
      TriggerRepository repository,
      OutboxRelay outbox,
      SchedulerConfig config,
      MeterRegistry meters,
      NotificationService notifications) {
    this.notifications = notifications;
    this.repository = repository;
    this.outbox = outbox;
    this.config = config;
    this.meters = meters;
  }

  /**
   * Fires {@code trigger} for one event.
   *
   * @param context what the params templates see (upstream, body, message, …)
   * @param defaultParams the params when the trigger maps none (a webhook body, a message)
   * @param source a short description for the ledger
   * @param depth the chain depth of this fire (0 unless a completion of a triggered run)
   */
  public Result fire(
      Trigger trigger,
      String eventId,
      Map<String, Object> context,
      Map<String, Object> defaultParams,
      String source,
      int depth)
      throws SQLException {
    String requestId = Trigger.requestId(trigger.id(), eventId);
    Map<String, Object> params = null;
    String failure = null;
    if (depth > config.triggers().maxChainDepth()) {
      failure =
          "chain depth "
              + depth
              + " exceeds dataplane.scheduler.triggers.max-chain-depth="
              + config.triggers().maxChainDepth();
    } else {
      try {
        if (trigger.params() == null || trigger.params().isEmpty()) {
          params = defaultParams == null ? Map.of() : defaultParams;
          ParamTemplates.requireNoNul("params", params);
        } else {
          params = ParamTemplates.render(trigger.params(), context);
        }
      } catch (ParamTemplates.TemplateException e) {
        failure = e.getMessage();
        params = null;
      }
    }
    try (Connection c = repository.connection()) {
      c.setAutoCommit(false);
      try {
        Optional<Trigger> now = repository.find(c, trigger.id(), false);
        if (now.isEmpty() || now.get().state() != Schedule.State.ENABLED) {
          c.rollback();
          return new Result(Outcome.IGNORED, requestId, "trigger not enabled");
        }
        Trigger t = now.get();
        String release = t.releaseForFire();
        boolean inserted =
            repository.insertFire(
                c,
                new TriggerRepository.FireRow(
                    t.id(),
                    eventId,
                    requestId,
                    Instant.now(),
                    failure == null ? "REQUESTED" : "FAILED",
                    failure,
                    release,
                    params,
                    source,
                    depth));
        if (!inserted) {
          c.rollback();
          count(t, Outcome.DUPLICATE);
          return new Result(Outcome.DUPLICATE, requestId, "event already handled");
        }
        if (failure == null) {
          outbox.outbox().appendAll(c, List.of(event(t, requestId, release, params)));
        } else {
          // a misfire is notified exactly when its ledger row commits (same transaction)
          notifications.misfire(
              c,
              t.environment(),
              t.pipeline(),
              "trigger:" + requestId,
              "trigger " + t.name() + " (" + t.kind() + ") started no run: " + failure);
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
    Outcome o = failure == null ? Outcome.REQUESTED : Outcome.FAILED;
    count(trigger, o);
    if (failure != null) {
      Log.warnf(
          "trigger %s (%s) event %s recorded failed: %s",
          trigger.id(), trigger.name(), eventId, failure);
    }
    return new Result(o, requestId, failure);
  }

  private void count(Trigger t, Outcome o) {
    meters
        .counter("dataplane.trigger.fires", "kind", t.kind().name(), "outcome", o.name())
        .increment();
  }

  private static Outbox.Item event(
      Trigger t, String requestId, String releaseId, Map<String, Object> params) {
    RunRequested event =
        new RunRequested(
            requestId, t.environment(), t.pipeline(), releaseId, params, t.createdBy(), "EVENT");
    EventTypes.Registration reg = EventTypes.of(RunRequested.class);
    return Outbox.item(
        Topics.RUN_REQUESTS,
        event.key(),
        new EventEnvelope<>(
            UUID.randomUUID(),
            reg.type(),
            reg.version(),
            Instant.now(),
            "scheduler-service",
            event));
  }
}

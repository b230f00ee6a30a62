package io.dataplane.scheduler.messaging;

import io.dataplane.common.events.Event;
import io.dataplane.common.events.EventCodec;
import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.events.PipelineDeleted;
import io.dataplane.common.events.PipelineReleased;
import io.dataplane.common.events.RunStateChanged;
import io.dataplane.common.events.SlaMissed;
import io.dataplane.common.events.Topics;
import io.dataplane.common.events.WorkerGroupUnserved;
import io.dataplane.common.messaging.DeadLetters;
import io.dataplane.scheduler.Schedule;
import io.dataplane.scheduler.repository.ScheduleRepository;
import io.dataplane.scheduler.repository.TriggerRepository;
import io.dataplane.scheduler.service.BackfillService;
import io.dataplane.scheduler.service.CompletionTriggers;
import io.dataplane.scheduler.service.NotificationService;
import io.dataplane.scheduler.service.ScheduleService;
import io.dataplane.scheduler.service.TriggerService;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes {@code dataplane.pipeline-events} (a deleted pipeline stops its schedules; a release is
 * what schedules on "latest" run from then on) and {@code dataplane.run-events} (runs in flight of
 * backfills, completion triggers and notifications, also of missed SLAs) from the Reactive
 * Messaging channel {@value #CHANNEL} (application.properties). Handling is idempotent, so
 * redelivery after a crash is harmless. A record that fails for a transient reason (database down)
 * is retried in place until it passes; one that can never be processed goes to {@code
 * dataplane.dead-letters} and the channel moves on.
 */
@ApplicationScoped
public class PipelineEventsConsumer {

  /** The Reactive Messaging channel of the pipeline and run events. */
  public static final String CHANNEL = "scheduler-events";

  private final ScheduleRepository repository;
  private final ScheduleService schedules;
  private final BackfillService backfills;
  private final CompletionTriggers completions;
  private final NotificationService notifications;
  private final TriggerRepository triggers;
  private final TriggerService triggerService;
  private final MeterRegistry meters;
  private final OutboxRelay relay;
  private final EventCodec codec = new EventCodec();
  private final CountDownLatch stopped = new CountDownLatch(1);

  public PipelineEventsConsumer(
      ScheduleRepository repository,
      ScheduleService schedules,
      BackfillService backfills,
      CompletionTriggers completions,
      NotificationService notifications,
      TriggerRepository triggers,
      TriggerService triggerService,
      MeterRegistry meters,
      OutboxRelay relay) {
    this.relay = relay;
    this.repository = repository;
    this.schedules = schedules;
    this.backfills = backfills;
    this.completions = completions;
    this.notifications = notifications;
    this.triggers = triggers;
    this.triggerService = triggerService;
    this.meters = meters;
  }

  void onStart(@Observes StartupEvent ev) {
    // every series exists from the start, so that the alert sees the first dead letter
    for (String topic : topics()) {
      for (String reason :
          List.of(
              DeadLetters.UNREADABLE,
              DeadLetters.REFUSED_BY_DATABASE,
              DeadLetters.PROCESSING_FAILED)) {
        meters.counter("dataplane.dead.letters", "topic", topic, "reason", reason);
      }
    }
  }

  void onStop(@Observes ShutdownEvent ev) {
    stopped.countDown();
  }

  /**
   * One poll's records of the channel ({@code batch=true}: one hop to a worker thread per poll, not
   * per record), handled in order; the batch is acknowledged (and so committed) once it returns.
   * Throws only at shutdown, leaving the records not yet handled to the next start.
   */
  @Incoming(CHANNEL)
  @Blocking
  void receive(ConsumerRecords<String, byte[]> records) throws InterruptedException {
    for (ConsumerRecord<String, byte[]> r : records) {
      receive(r);
    }
  }

  /**
   * One record, in order. A transient failure (database or broker down) is retried each second, as
   * the restart from the last commit did before. Throws only at shutdown.
   */
  void receive(ConsumerRecord<String, byte[]> r) throws InterruptedException {
    while (true) {
      try {
        process(r);
        return;
      } catch (Exception e) {
        Log.warnf(
            "event consumer: record %s-%d@%d failed: %s",
            r.topic(), r.partition(), r.offset(), e.getMessage());
        if (stopped.getCount() == 0 || stopped.await(1, TimeUnit.SECONDS)) {
          throw new IllegalStateException("shutting down; left for the next start", e);
        }
      }
    }
  }

  /**
   * Handles the record; one that can never be processed goes to the dead letters. Throws when it
   * fails for a transient reason or cannot be sent to the dead letters.
   */
  private void process(ConsumerRecord<String, byte[]> r) throws Exception {
    try {
      handle(r);
    } catch (Exception e) {
      if (stopped.getCount() == 0 || DeadLetters.isTransient(e)) {
        throw e;
      }
      deadLetter(r, DeadLetters.reasonOf(e), DeadLetters.describe(e));
    }
  }

  /** Sends a record that can never be processed to the dead letters; throws when it cannot. */
  private void deadLetter(ConsumerRecord<String, byte[]> r, String reason, String detail)
      throws Exception {
    relay.deadLetter(r, reason, detail);
    meters.counter("dataplane.dead.letters", "topic", r.topic(), "reason", reason).increment();
    Log.errorf(
        "record %s-%d@%d can never be processed (%s: %s); sent to %s, moving on",
        r.topic(), r.partition(), r.offset(), reason, detail, Topics.DEAD_LETTERS);
  }

  private void handle(ConsumerRecord<String, byte[]> r) throws Exception {
    EventEnvelope<? extends Event> env;
    try {
      env = codec.decode(r.value());
    } catch (RuntimeException e) {
      deadLetter(r, DeadLetters.UNREADABLE, e.getMessage());
      return;
    }
    Event payload = env.payload();
    if (payload instanceof PipelineDeleted d) {
      pipelineDeleted(d);
    } else if (payload instanceof PipelineReleased rel) {
      pipelineReleased(rel);
    } else if (payload instanceof RunStateChanged rsc) {
      backfills.onRun(rsc);
      completions.onRun(rsc);
      notifications.onRun(rsc);
    } else if (payload instanceof SlaMissed sla) {
      notifications.onSlaMissed(sla);
    } else if (payload instanceof WorkerGroupUnserved u) {
      notifications.onGroupUnserved(u);
    }
  }

  /** The topics of the channel (its {@code topics} in application.properties names these). */
  static List<String> topics() {
    return List.of(Topics.PIPELINE_EVENTS, Topics.RUN_EVENTS);
  }

  /** A deleted pipeline stops its schedules (and its running backfills). */
  public void pipelineDeleted(PipelineDeleted d) throws SQLException {
    try (Connection c = repository.connection()) {
      c.setAutoCommit(false);
      try {
        List<UUID> ids = repository.idsOfPipeline(c, d.environment(), d.pipeline());
        for (UUID id : ids) {
          Schedule s = repository.find(c, id, false).orElseThrow();
          if (s.state() != Schedule.State.STOPPED) {
            schedules.setState(c, id, Schedule.State.STOPPED, "pipeline deleted", "system");
          }
        }
        try (PreparedStatement ps =
            c.prepareStatement(
                "update backfills set state = 'CANCELLED', finished_at = now()"
                    + " where environment = ? and pipeline = ? and state = 'RUNNING'")) {
          ps.setString(1, d.environment());
          ps.setString(2, d.pipeline());
          ps.executeUpdate();
        }
        int stopped = triggers.stopPipeline(c, d.environment(), d.pipeline());
        c.commit();
        if (stopped > 0) {
          Log.infof(
              "pipeline %s/%s deleted: %d triggers stopped",
              d.environment(), d.pipeline(), stopped);
        }
        if (!ids.isEmpty()) {
          Log.infof(
              "pipeline %s/%s deleted: %d schedules stopped",
              d.environment(), d.pipeline(), ids.size());
        }
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /** Schedules on "latest" run the new release from now on. */
  public void pipelineReleased(PipelineReleased rel) throws SQLException {
    repository.inTransaction(
        c -> {
          List<UUID> ids = repository.idsOfPipeline(c, rel.environment(), rel.pipeline());
          try (PreparedStatement ps =
              c.prepareStatement(
                  "update schedules set latest_release_id = ? where environment = ? and pipeline = ?")) {
            ps.setString(1, rel.releaseId());
            ps.setString(2, rel.environment());
            ps.setString(3, rel.pipeline());
            ps.executeUpdate();
          }
          triggers.released(c, rel.environment(), rel.pipeline(), rel.releaseId());
          if (rel.triggers() != null) {
            int n =
                triggerService.syncDeclared(
                    c, rel.environment(), rel.pipeline(), rel.releaseId(), rel.triggers());
            if (n > 0) {
              Log.infof(
                  "release %s of %s/%s: %d declared triggers created, changed or stopped",
                  rel.releaseId(), rel.environment(), rel.pipeline(), n);
            }
          }
          for (UUID id : ids) {
            repository.notifyChange(c, id);
          }
        });
  }
}

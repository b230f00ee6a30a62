package io.dataplane.gateway.live;

import io.dataplane.common.events.Event;
import io.dataplane.common.events.EventCodec;
import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.events.LogChunk;
import io.dataplane.common.events.RunStateChanged;
import io.dataplane.common.events.TaskRunStateChanged;
import io.dataplane.common.events.Topics;
import io.dataplane.common.events.WorkerHeartbeat;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Feeds the subscriptions from the {@value #CHANNEL} channel (application.properties): one Kafka
 * consumer per gateway instance, in a consumer group of its own (every instance sees every event),
 * starting at the latest offsets, dispatching run events, log chunks and heartbeats to the
 * listeners of open subscriptions.
 */
@ApplicationScoped
// created at start-up (not at the first record), so that the subscriptions gauge is there at once
@Startup
public class LiveEvents {

  /** The Reactive Messaging channel of the run events, log chunks and heartbeats. */
  public static final String CHANNEL = "live-events";

  private final TaskRunIndex index;
  private final LiveEventsAssignment assignment;
  private final EventCodec codec = new EventCodec();

  private final Map<String, List<Consumer<Event>>> runListeners = new ConcurrentHashMap<>();
  private final Map<String, List<Consumer<LogChunk>>> logListeners = new ConcurrentHashMap<>();
  private final List<Consumer<WorkerHeartbeat>> heartbeatListeners = new CopyOnWriteArrayList<>();

  public LiveEvents(
      TaskRunIndex index,
      @Identifier(LiveEventsAssignment.NAME) LiveEventsAssignment assignment,
      MeterRegistry meters) {
    this.index = index;
    this.assignment = assignment;
    meters.gauge("dataplane.gateway.subscriptions", this, LiveEvents::listeners);
  }

  /** True once the consumer has its partitions (events from then on reach subscriptions). */
  public boolean ready() {
    return assignment.assigned();
  }

  /**
   * One record of the channel, in order. Blocking: a log listener may fetch stored lines from the
   * orchestrator to fill a gap. Never throws: a record that fails is logged and skipped.
   */
  @Incoming(CHANNEL)
  @Blocking
  void receive(ConsumerRecord<String, byte[]> r) {
    EventEnvelope<? extends Event> envelope;
    try {
      envelope = codec.decode(r.value());
    } catch (RuntimeException e) {
      // UnreadableEventException, or a record without a value (decode(null))
      Log.debugf("live events: skipping unreadable record on %s: %s", r.topic(), e.getMessage());
      return;
    }
    Event payload = envelope.payload();
    try {
      if (payload instanceof RunStateChanged e) {
        notify(runListeners.get(String.valueOf(e.runId())), payload);
      } else if (payload instanceof TaskRunStateChanged e) {
        index.put(String.valueOf(e.taskRunId()), String.valueOf(e.runId()));
        notify(runListeners.get(String.valueOf(e.runId())), payload);
      } else if (payload instanceof LogChunk e) {
        index.put(String.valueOf(e.taskRunId()), String.valueOf(e.runId()));
        notify(logListeners.get(String.valueOf(e.taskRunId())), e);
      } else if (payload instanceof WorkerHeartbeat e) {
        notify(heartbeatListeners, e);
      }
    } catch (RuntimeException e) {
      Log.warnf(e, "live events: a listener failed");
    }
  }

  private static <T> void notify(List<Consumer<T>> listeners, T event) {
    if (listeners == null) {
      return;
    }
    for (Consumer<T> l : listeners) {
      try {
        l.accept(event);
      } catch (RuntimeException e) {
        Log.debugf("live events: listener failed: %s", e.getMessage());
      }
    }
  }

  /** Listens to RunStateChanged and TaskRunStateChanged of one run; run the result to stop. */
  public Runnable onRun(String runId, Consumer<Event> listener) {
    return add(runListeners, runId, listener);
  }

  /** Listens to the log chunks of one task run; run the result to stop. */
  public Runnable onLogs(String taskRunId, Consumer<LogChunk> listener) {
    return add(logListeners, taskRunId, listener);
  }

  /** Listens to every worker heartbeat; run the result to stop. */
  public Runnable onHeartbeat(Consumer<WorkerHeartbeat> listener) {
    heartbeatListeners.add(listener);
    return () -> heartbeatListeners.remove(listener);
  }

  /** Number of open listeners (for metrics and tests). */
  public int listeners() {
    return runListeners.values().stream().mapToInt(List::size).sum()
        + logListeners.values().stream().mapToInt(List::size).sum()
        + heartbeatListeners.size();
  }

  private static <T> Runnable add(Map<String, List<T>> map, String key, T listener) {
    map.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(listener);
    return () ->
        map.computeIfPresent(
            key,
            (k, list) -> {
              list.remove(listener);
              return list.isEmpty() ? null : list;
            });
  }

  /** The topics of the channel (its {@code topics} in application.properties names these). */
  static Set<String> topics() {
    return Set.of(Topics.RUN_EVENTS, Topics.TASK_LOGS, Topics.WORKER_HEARTBEATS);
  }
}

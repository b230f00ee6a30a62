package io.dataplane.gateway.live;

import io.dataplane.common.events.Event;
import io.dataplane.common.events.EventCodec;
import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.events.LogChunk;
import io.dataplane.common.events.RunStateChanged;
import io.dataplane.common.events.TaskRunStateChanged;
import io.dataplane.common.events.Topics;
import io.dataplane.common.events.WorkerHeartbeat;
import io.dataplane.common.messaging.KafkaClients;
import io.dataplane.gateway.config.GatewayConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Feeds the subscriptions: one Kafka consumer per gateway instance, in a consumer group of its own
 * (every instance sees every event), starting at the latest offsets, dispatching run events, log
 * chunks and heartbeats to the listeners of open subscriptions.
 */
@ApplicationScoped
public class LiveEvents {

  private final GatewayConfig config;
  private final String bootstrap;
  private final TaskRunIndex index;
  private final MeterRegistry meters;
  private final EventCodec codec = new EventCodec();

  private final Map<String, List<Consumer<Event>>> runListeners = new ConcurrentHashMap<>();
  private final Map<String, List<Consumer<LogChunk>>> logListeners = new ConcurrentHashMap<>();
  private final List<Consumer<WorkerHeartbeat>> heartbeatListeners = new CopyOnWriteArrayList<>();

  private volatile KafkaConsumer<String, byte[]> consumer;
  private volatile Thread thread;
  private volatile boolean running;
  private volatile boolean assigned;

  public LiveEvents(
      GatewayConfig config,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap,
      TaskRunIndex index,
      MeterRegistry meters) {
    this.config = config;
    this.bootstrap = bootstrap;
    this.index = index;
    this.meters = meters;
    meters.gauge("dataplane.gateway.subscriptions", this, LiveEvents::listeners);
  }

  void start(@Observes StartupEvent event) {
    if (!config.live().enabled()) {
      return;
    }
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(
        ConsumerConfig.GROUP_ID_CONFIG,
        "dataplane-gateway-" + config.instanceId() + "-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "gateway-live-" + config.instanceId());
    consumer = KafkaClients.consumer(p, meters);
    running = true;
    thread = new Thread(this::loop, "gateway-live-events");
    thread.setDaemon(true);
    thread.start();
  }

  void stop(@Observes ShutdownEvent event) {
    running = false;
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    Thread t = thread;
    if (t != null) {
      try {
        t.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** True once the consumer has its partitions (events from then on reach subscriptions). */
  public boolean ready() {
    return assigned;
  }

  private void loop() {
    KafkaConsumer<String, byte[]> c = consumer;
    try {
      c.subscribe(
          List.of(Topics.RUN_EVENTS, Topics.TASK_LOGS, Topics.WORKER_HEARTBEATS),
          new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
              // resolve the "latest" positions now, so that nothing after this point is missed
              for (TopicPartition tp : partitions) {
                c.position(tp);
              }
              assigned = true;
            }
          });
      while (running) {
        try {
          ConsumerRecords<String, byte[]> records = c.poll(Duration.ofMillis(500));
          for (ConsumerRecord<String, byte[]> r : records) {
            dispatch(r);
          }
        } catch (WakeupException e) {
          if (!running) {
            break;
          }
        } catch (RuntimeException e) {
          Log.warnf(e, "live events: poll failed; retrying");
          sleepQuietly();
        }
      }
    } finally {
      c.close(Duration.ofSeconds(2));
    }
  }

  private void dispatch(ConsumerRecord<String, byte[]> r) {
    EventEnvelope<? extends Event> envelope;
    try {
      envelope = codec.decode(r.value());
    } catch (EventCodec.UnreadableEventException e) {
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

  private static void sleepQuietly() {
    try {
      Thread.sleep(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static Set<String> topics() {
    return Set.of(Topics.RUN_EVENTS, Topics.TASK_LOGS, Topics.WORKER_HEARTBEATS);
  }
}

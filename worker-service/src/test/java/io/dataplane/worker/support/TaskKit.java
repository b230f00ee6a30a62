package io.dataplane.worker.support;

import static org.awaitility.Awaitility.await;

import io.dataplane.common.events.AttemptFinished;
import io.dataplane.common.events.Event;
import io.dataplane.common.events.EventCodec;
import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.events.LogChunk;
import io.dataplane.common.events.TaskDispatched;
import io.dataplane.common.events.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Sends dispatches and control records the way the orchestrator does, and reads what comes back.
 */
public final class TaskKit {

  public static final Duration WAIT = Duration.ofSeconds(60);
  private static final EventCodec CODEC = new EventCodec();
  private static EventTap tap;
  private static KafkaProducer<String, byte[]> producer;

  private TaskKit() {}

  /** Connects once per test JVM (the tap reads from the end of the topics at that moment). */
  public static synchronized EventTap tap() {
    if (tap == null) {
      String bootstrap =
          ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
      tap =
          new EventTap(
              bootstrap, List.of(Topics.TASK_EVENTS, Topics.TASK_LOGS, Topics.WORKER_HEARTBEATS));
      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
      producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }
    return tap;
  }

  public static TaskDispatched dispatch(
      String script,
      String runtime,
      List<String> secrets,
      String token,
      Map<String, Object> params,
      Map<String, Object> inputs,
      String bundle,
      String entrypoint,
      Long timeout) {
    return new TaskDispatched(
        ServiceStubs.ENVIRONMENT,
        "pipe-" + ServiceStubs.SUFFIX,
        UUID.randomUUID(),
        UUID.randomUUID(),
        "task",
        1,
        "release-1",
        bundle,
        ServiceStubs.GROUP,
        runtime,
        script,
        entrypoint,
        Map.of("GREETING", "hello"),
        params,
        secrets,
        false,
        timeout,
        inputs,
        token,
        Instant.now());
  }

  public static TaskDispatched bash(String script) {
    return dispatch(script, "bash", List.of(), null, Map.of(), Map.of(), null, null, null);
  }

  public static void send(String topic, String key, Event event) throws Exception {
    tap();
    producer
        .send(
            new ProducerRecord<>(
                topic, key, CODEC.encode(EventEnvelope.of("orchestrator-service", event))))
        .get();
  }

  public static void send(TaskDispatched d) throws Exception {
    send(
        Topics.taskDispatch(ServiceStubs.ENVIRONMENT, ServiceStubs.GROUP), d.runId().toString(), d);
  }

  public static AttemptFinished finished(TaskDispatched d) {
    await()
        .atMost(WAIT)
        .until(
            () ->
                !tap()
                    .of(AttemptFinished.class, f -> f.taskRunId().equals(d.taskRunId()))
                    .isEmpty());
    return tap().of(AttemptFinished.class, f -> f.taskRunId().equals(d.taskRunId())).get(0);
  }

  /** Waits until a line with this text was logged by the attempt. */
  public static void awaitLine(TaskDispatched d, String text) {
    await()
        .atMost(WAIT)
        .until(
            () ->
                tap().of(LogChunk.class, c -> c.taskRunId().equals(d.taskRunId())).stream()
                    .anyMatch(c -> c.lines().stream().anyMatch(l -> l.text().equals(text))));
  }

  public static boolean claimed(TaskDispatched d) {
    return ServiceStubs.CLAIM_REQUESTS.stream()
        .anyMatch(r -> r.startsWith(d.taskRunId() + ":" + d.attempt() + "@"));
  }

  public static List<LogChunk.Line> lines(TaskDispatched d) {
    await()
        .atMost(WAIT)
        .until(
            () ->
                tap()
                        .of(LogChunk.class, c -> c.taskRunId().equals(d.taskRunId()) && c.last())
                        .size()
                    == 1);
    return tap().of(LogChunk.class, c -> c.taskRunId().equals(d.taskRunId())).stream()
        .flatMap(c -> c.lines().stream())
        .sorted((a, b) -> Long.compare(a.seq(), b.seq()))
        .toList();
  }

  public static List<String> stdout(TaskDispatched d) {
    return lines(d).stream()
        .filter(l -> l.stream().equals("stdout"))
        .map(LogChunk.Line::text)
        .collect(Collectors.toList());
  }
}

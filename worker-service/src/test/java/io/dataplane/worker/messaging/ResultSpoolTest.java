package io.dataplane.worker.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dataplane.common.events.AttemptFinished;
import io.dataplane.common.events.AttemptOutcome;
import io.dataplane.common.events.EventCodec;
import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.events.Topics;
import io.dataplane.common.events.WorkerHeartbeat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, item 5: a result is kept until Kafka acknowledged it, across a delivery timeout and a
 * worker restart. Real Kafka (the local stack); "Kafka down" is a producer whose broker does not
 * answer.
 */
class ResultSpoolTest {

  private static final String BOOTSTRAP = "127.0.0.1:9092";
  private static final EventCodec CODEC = new EventCodec();

  @TempDir Path dir;
  private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  private KafkaProducer<String, byte[]> producer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    // "Kafka is down longer than the delivery timeout": the send fails after 1.5 s
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "1500");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "1000");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "1000");
    KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    open.add(() -> producer.close(Duration.ofSeconds(1)));
    return producer;
  }

  private static ResultSpool.Sender sender(KafkaProducer<String, byte[]> producer) {
    return (topic, key, value, trace, done) -> {
      try {
        producer.send(new ProducerRecord<>(topic, key, value), (m, e) -> done.accept(e));
      } catch (RuntimeException e) {
        done.accept(e);
      }
    };
  }

  private ResultSpool spool(ResultSpool.Sender sender) throws Exception {
    ResultSpool s = new ResultSpool(dir, sender, Duration.ofMillis(300));
    open.add(s);
    s.start();
    return s;
  }

  private static EventEnvelope<AttemptFinished> result() {
    return EventEnvelope.of(
        "worker-service",
        new AttemptFinished(
            UUID.randomUUID(),
            UUID.randomUUID(),
            1,
            "w-spool",
            AttemptOutcome.SUCCEEDED,
            0,
            Map.of("rows", 1),
            null,
            5,
            Instant.now()));
  }

  /** Reads task-events from its end now on; the ids of the events it saw. */
  private List<UUID> tap() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP);
    KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> parts =
        c.partitionsFor(Topics.TASK_EVENTS).stream()
            .map(i -> new TopicPartition(i.topic(), i.partition()))
            .toList();
    c.assign(parts);
    c.seekToEnd(parts);
    parts.forEach(c::position);
    List<UUID> seen = new CopyOnWriteArrayList<>();
    Thread t =
        new Thread(
            () -> {
              try {
                while (true) {
                  for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    try {
                      seen.add(CODEC.decode(r.value()).eventId());
                    } catch (RuntimeException e) {
                      // not an event
                    }
                  }
                }
              } catch (org.apache.kafka.common.errors.WakeupException e) {
                c.close();
              }
            });
    t.setDaemon(true);
    t.start();
    open.add(c::wakeup);
    return seen;
  }

  @Test
  void aResultKafkaNeverAcknowledgedIsKeptAndSentAfterARestart() throws Exception {
    List<UUID> seen = tap();
    EventEnvelope<AttemptFinished> env = result();
    AttemptFinished r = env.payload();

    // Kafka is away: the send fails after the delivery timeout, the result stays in the spool
    ResultSpool down = spool(sender(producer("127.0.0.1:1")));
    down.submit(env, null);
    Path file = dir.resolve(r.taskRunId() + "-1.json");
    assertThat(file).exists();
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(5))
        .until(() -> Files.exists(file) && down.size() == 1);
    // the attempt is still reported, so the orchestrator does not re-queue it
    assertThat(down.pending())
        .containsExactly(new WorkerHeartbeat.RunningAttempt(r.runId(), r.taskRunId(), 1));
    down.close();

    // the worker restarts with Kafka back: the spooled result is sent, with its eventId, once
    ResultSpool up = spool(sender(producer(BOOTSTRAP)));
    await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains(env.eventId()));
    await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(file) && up.size() == 0);
    assertThat(up.pending()).isEmpty();
  }

  @Test
  void aResultIsSentAgainWhileTheWorkerLivesOnceKafkaAnswers() throws Exception {
    List<UUID> seen = tap();
    KafkaProducer<String, byte[]> dead = producer("127.0.0.1:1");
    KafkaProducer<String, byte[]> live = producer(BOOTSTRAP);
    java.util.concurrent.atomic.AtomicBoolean kafkaUp =
        new java.util.concurrent.atomic.AtomicBoolean();
    ResultSpool spool =
        spool(
            (topic, key, value, trace, done) ->
                sender(kafkaUp.get() ? live : dead).send(topic, key, value, trace, done));
    EventEnvelope<AttemptFinished> env = result();
    spool.submit(env, null);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(4))
        .until(() -> spool.size() == 1);
    kafkaUp.set(true);
    await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains(env.eventId()));
    await().atMost(Duration.ofSeconds(10)).until(() -> spool.size() == 0);
    assertThat(seen.stream().filter(env.eventId()::equals).count()).isEqualTo(1);
  }

  @Test
  void aTornOrForeignSpoolFileIsSetAsideAndDoesNotStopTheOthers() throws Exception {
    List<UUID> seen = tap();
    Files.writeString(dir.resolve("garbage.json"), "{not json");
    EventEnvelope<AttemptFinished> env = result();
    Files.write(dir.resolve(env.payload().taskRunId() + "-1.json"), CODEC.encode(env));
    ResultSpool spool = spool(sender(producer(BOOTSTRAP)));
    await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains(env.eventId()));
    assertThat(dir.resolve("garbage.json.bad")).exists();
    await().atMost(Duration.ofSeconds(10)).until(() -> spool.size() == 0);
  }
}

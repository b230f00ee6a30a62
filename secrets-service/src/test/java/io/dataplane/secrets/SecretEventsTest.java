package io.dataplane.secrets;

import static io.dataplane.secrets.support.Api.api;
import static io.dataplane.secrets.support.Api.env;
import static io.dataplane.secrets.support.Api.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dataplane.common.events.EventCodec;
import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.events.SecretChanged;
import io.dataplane.common.events.Topics;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
class SecretEventsTest {

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  @Test
  void changesAreAnnouncedWithNamesAndVersionsOnly() {
    String env = env("events");
    String value = "event-secret-" + UUID.randomUUID();
    try (KafkaConsumer<String, byte[]> consumer = consumer()) {
      put(env, "EV", value).statusCode(200);
      put(env, "EV", value + "2").statusCode(200);
      api().delete("/api/v1/environments/{env}/secrets/EV", env).then().statusCode(204);

      List<ConsumerRecord<String, byte[]>> mine = new ArrayList<>();
      EventCodec codec = new EventCodec();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                  if (env.equals(r.key())) {
                    mine.add(r);
                  }
                }
                return mine.size() >= 3;
              });

      List<SecretChanged.Change> changes = new ArrayList<>();
      for (ConsumerRecord<String, byte[]> r : mine) {
        assertThat(new String(r.value(), StandardCharsets.UTF_8)).doesNotContain(value);
        EventEnvelope<?> e = codec.decode(r.value());
        assertThat(e.source()).isEqualTo("secrets-service");
        SecretChanged changed = (SecretChanged) e.payload();
        assertThat(changed.environment()).isEqualTo(env);
        changes.addAll(changed.changes());
      }
      assertThat(changes)
          .containsExactly(
              new SecretChanged.Change("EV", 1, false),
              new SecretChanged.Change("EV", 2, false),
              new SecretChanged.Change("EV", 2, true));
    }
  }

  private KafkaConsumer<String, byte[]> consumer() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p);
    List<TopicPartition> parts =
        c.partitionsFor(Topics.SECRET_EVENTS, Duration.ofSeconds(20)).stream()
            .map(i -> new TopicPartition(i.topic(), i.partition()))
            .toList();
    c.assign(parts);
    c.seekToEnd(parts);
    parts.forEach(c::position); // resolve the end offsets now, before the test writes
    return c;
  }
}

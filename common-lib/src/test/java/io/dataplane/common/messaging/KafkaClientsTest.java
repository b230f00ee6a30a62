package io.dataplane.common.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Building a client needs no broker: its metrics exist from construction on. */
class KafkaClientsTest {

  private final MeterRegistry registry = new SimpleMeterRegistry();

  private static Properties config(String clientId) {
    Properties p = new Properties();
    // nothing listens there: construction and close never connect
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
    p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
    return p;
  }

  private List<Meter> metersOf(String clientId) {
    return registry.getMeters().stream()
        .filter(m -> clientId.equals(m.getId().getTag("client.id")))
        .toList();
  }

  @Test
  void aConsumerShowsItsLagUntilItIsClosed() {
    KafkaConsumer<String, byte[]> c =
        KafkaClients.consumer(
            config("test-consumer"),
            new StringDeserializer(),
            new ByteArrayDeserializer(),
            registry);

    assertThat(
            registry
                .find("kafka.consumer.fetch.manager.records.lag.max")
                .tag("client.id", "test-consumer")
                .gauge())
        .isNotNull();

    c.close(Duration.ofSeconds(1));
    assertThat(metersOf("test-consumer")).isEmpty();
  }

  @Test
  void aConsumerRecreatedOnReconnectLeavesNoMetersBehind() {
    Properties p = config("test-reconnect");
    p.put("key.deserializer", StringDeserializer.class.getName());
    p.put("value.deserializer", ByteArrayDeserializer.class.getName());
    int perClient = -1;
    for (int i = 0; i < 3; i++) {
      try (KafkaConsumer<String, byte[]> c = KafkaClients.consumer(p, registry)) {
        int now = metersOf("test-reconnect").size();
        assertThat(now).isPositive();
        if (perClient >= 0) {
          assertThat(now).isEqualTo(perClient);
        }
        perClient = now;
      }
      assertThat(metersOf("test-reconnect")).isEmpty();
    }
  }

  @Test
  void aProducerShowsItsMetricsUntilItIsClosed() {
    KafkaProducer<String, byte[]> p =
        KafkaClients.producer(
            config("test-producer"), new StringSerializer(), new ByteArraySerializer(), registry);

    assertThat(
            registry
                .find("kafka.producer.record.send.total")
                .tag("client.id", "test-producer")
                .meter())
        .isNotNull();

    p.close();
    assertThat(metersOf("test-producer")).isEmpty();
  }

  @Test
  void closingOneClientKeepsTheMetersOfAnother() {
    try (KafkaProducer<String, byte[]> kept =
        KafkaClients.producer(
            config("test-kept"), new StringSerializer(), new ByteArraySerializer(), registry)) {
      int before = metersOf("test-kept").size();
      KafkaProducer<String, byte[]> other =
          KafkaClients.producer(
              config("test-other"), new StringSerializer(), new ByteArraySerializer(), registry);
      other.close(Duration.ofSeconds(1));
      other.close(); // a second close removes nothing more

      assertThat(metersOf("test-other")).isEmpty();
      assertThat(metersOf("test-kept")).hasSize(before).isNotEmpty();
    }
  }

  @Test
  void securitySettingsComeFromConfigurationAndAnExplicitSettingWins() {
    Map<String, String> conf =
        Map.of(
            "kafka.security.protocol", "SASL_SSL",
            "kafka.sasl.mechanism", "SCRAM-SHA-512",
            "kafka.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule"
                    + " required username=\"worker\" password=\"pw\";",
            "kafka.ssl.truststore.location", " ",
            "kafka.unrelated", "x");
    Map<String, String> security =
        KafkaClients.security(k -> java.util.Optional.ofNullable(conf.get(k)));
    org.assertj.core.api.Assertions.assertThat(security)
        .containsOnlyKeys("security.protocol", "sasl.mechanism", "sasl.jaas.config")
        .containsEntry("security.protocol", "SASL_SSL");
    // without a configuration (a plain unit test) nothing is added: PLAINTEXT
    java.util.Properties p = new java.util.Properties();
    p.put("security.protocol", "SSL");
    org.assertj.core.api.Assertions.assertThat(KafkaClients.secured(p))
        .containsEntry("security.protocol", "SSL");
  }
}

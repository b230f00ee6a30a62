package io.dataplane.scheduler.rest;

import static io.dataplane.scheduler.TestSupport.api;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;

import io.dataplane.common.events.EventCodec;
import io.dataplane.common.events.RunRequested;
import io.dataplane.common.events.Topics;
import io.dataplane.common.messaging.DeadLetters;
import io.dataplane.scheduler.TestSupport;
import io.dataplane.scheduler.messaging.TopicTriggerConsumer;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Issue 17: Kafka topic triggers against the real broker and database. */
@QuarkusTest
class TopicTriggerTest {

  private static List<RunRequested> requested(String prefix) throws Exception {
    List<RunRequested> out = new ArrayList<>();
    EventCodec codec = new EventCodec();
    try (Connection c = TestSupport.db();
        PreparedStatement ps =
            c.prepareStatement("select payload from outbox where topic = ? order by id")) {
      ps.setString(1, Topics.RUN_REQUESTS);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (codec.decode(rs.getBytes(1)).payload() instanceof RunRequested rr
              && rr.requestId().startsWith(prefix)) {
            out.add(rr);
          }
        }
      }
    }
    return out;
  }

  private static void send(String topic, String value) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
      producer.send(new ProducerRecord<>(topic, "k", value.getBytes(StandardCharsets.UTF_8))).get();
    }
  }

  private static String header(ConsumerRecord<String, byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Test
  void aMatchingMessageStartsOneRunAndOneThatCannotGoesToTheDeadLetters() throws Exception {
    String env = TestSupport.uniqueEnv();
    String topic = env + ".orders";
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092"))) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    }
    // another environment's topic is refused
    api()
        .body(Map.of("name", "x", "kind", "KAFKA", "pipeline", "ship", "topic", "prod.orders"))
        .post("/api/v1/environments/{env}/triggers", env)
        .then()
        .statusCode(400)
        .body("details.message", hasItem(containsString("another environment")));
    Map<String, Object> b = new HashMap<>();
    b.put("name", "on-order");
    b.put("kind", "KAFKA");
    b.put("pipeline", "ship");
    b.put("topic", topic);
    b.put("filterField", "type");
    b.put("filterValue", "order.created");
    b.put("params", Map.of("order", "{{ message.order.id }}"));
    String id =
        api()
            .body(b)
            .post("/api/v1/environments/{env}/triggers", env)
            .then()
            .statusCode(201)
            .extract()
            .path("id");

    send(topic, "{\"type\": \"order.created\", \"order\": {\"id\": \"o-1\"}}"); // offset 0
    send(topic, "{\"type\": \"order.cancelled\", \"order\": {\"id\": \"o-2\"}}"); // filtered out
    send(topic, "not json at all"); // offset 2: dead letter
    send(topic, "{\"type\": \"order.created\"}"); // offset 3: template error, dead letter

    String prefix = "trigger:" + id + "@";
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                api()
                        .get("/api/v1/environments/{env}/triggers/{id}/fires", env, id)
                        .then()
                        .extract()
                        .jsonPath()
                        .getList("items")
                        .size()
                    == 2);
    List<RunRequested> rr = requested(prefix);
    assertThat(rr).hasSize(1);
    assertThat(rr.get(0).requestId()).isEqualTo(prefix + topic + "-0-0");
    assertThat(rr.get(0).params()).containsEntry("order", "o-1");
    assertThat(rr.get(0).environment()).isEqualTo(env);

    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "dl-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    List<String> details = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
      c.subscribe(List.of(Topics.DEAD_LETTERS));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(300))) {
                  if (topic.equals(header(r, DeadLetters.TOPIC))) {
                    assertThat(header(r, DeadLetters.REASON))
                        .isEqualTo(TopicTriggerConsumer.NOT_A_RUN);
                    details.add(
                        header(r, DeadLetters.OFFSET) + " " + header(r, DeadLetters.DETAIL));
                  }
                }
                return details.size() >= 2;
              });
    }
    assertThat(details)
        .anySatisfy(d -> assertThat(d).startsWith("2 ").contains("not a JSON object"))
        .anySatisfy(d -> assertThat(d).startsWith("3 ").contains("message.order.id"));
  }

  @Test
  void aFilterMatchesNestedFieldsAndScalarsByText() throws Exception {
    var node = io.dataplane.common.json.Json.mapper().readTree("{\"a\": {\"b\": 7}, \"c\": true}");
    assertThat(invokeMatches(node, "a.b", "7")).isTrue();
    assertThat(invokeMatches(node, "c", "true")).isTrue();
    assertThat(invokeMatches(node, "a", "7")).isFalse();
    assertThat(invokeMatches(node, "a.b.c", "7")).isFalse();
  }

  private static boolean invokeMatches(
      com.fasterxml.jackson.databind.JsonNode n, String field, String value) {
    return TopicTriggerConsumer.matches(n, field, value);
  }
}

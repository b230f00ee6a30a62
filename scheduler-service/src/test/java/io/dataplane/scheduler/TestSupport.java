package io.dataplane.scheduler;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import io.dataplane.common.events.Event;
import io.dataplane.common.events.EventCodec;
import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.events.Topics;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Helpers shared by the service tests. */
public final class TestSupport {

  public static final String TOKEN = "test-service-token-0123456789";

  /** The tests' database: {@code DATAPLANE_TEST_DATABASE}, else {@code dataplane_test}. */
  public static final String DATABASE =
      System.getenv().getOrDefault("DATAPLANE_TEST_DATABASE", "dataplane_test");

  public static final String SCHEMA = "scheduler_test";
  public static final String JDBC =
      "jdbc:postgresql://127.0.0.1:5432/" + DATABASE + "?currentSchema=" + SCHEMA;

  private TestSupport() {}

  public static RequestSpecification api() {
    return given()
        .header("Authorization", "Bearer " + TOKEN)
        .header("X-Dataplane-Actor", "tester")
        .contentType(ContentType.JSON);
  }

  public static String uniqueEnv() {
    return "st-" + UUID.randomUUID().toString().substring(0, 8);
  }

  public static Connection db() throws SQLException {
    return DriverManager.getConnection(JDBC, "dataplane", "dataplane");
  }

  public static void awaitLeader() {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> api().get("/api/v1/scheduler/leader").path("leader").equals(Boolean.TRUE));
  }

  public static void publish(String topic, String key, Event payload) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
      producer
          .send(
              new ProducerRecord<>(
                  topic, key, new EventCodec().encode(EventEnvelope.of("test", payload))))
          .get();
    }
  }

  public static void publishPipelineEvent(String env, String pipeline, Event payload)
      throws Exception {
    publish(Topics.PIPELINE_EVENTS, env + "/" + pipeline, payload);
  }
}

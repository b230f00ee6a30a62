package io.dataplane.common.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dataplane.common.events.CancelAttempt;
import io.dataplane.common.events.EventCodec;
import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.events.RunState;
import io.dataplane.common.events.RunStateChanged;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Issue 14, item 4: a row Kafka refuses for good (a 2 MB event) is moved aside; the rows around it
 * are sent. Issue 16: rows sent by their committing thread are sent once and marked sent; a row
 * whose committer died before sending is sent by the relay; a rolled back row never. Real
 * PostgreSQL (the tests' database) and Kafka of the local stack.
 */
class OutboxTest {

  private static final EventCodec CODEC = new EventCodec();
  private final String schema = "outbox_test_" + UUID.randomUUID().toString().substring(0, 8);
  private final String topic = "dataplane.test-outbox-" + UUID.randomUUID();
  private PGSimpleDataSource ds;
  private Producer<String, byte[]> producer;
  private Outbox outbox;
  private final List<String> failures = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    ds = new PGSimpleDataSource();
    ds.setUrl(
        "jdbc:postgresql://127.0.0.1:5432/"
            + System.getenv().getOrDefault("DATAPLANE_TEST_DATABASE", "dataplane_test"));
    ds.setUser("dataplane");
    ds.setPassword("dataplane");
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("create schema " + schema);
      s.execute(
          "create table "
              + schema
              + ".outbox (id bigserial primary key, event_id uuid not null unique,"
              + " topic text not null, msg_key text, payload bytea not null, traceparent text,"
              + " created_at timestamptz not null default now(), sent_at timestamptz,"
              + " failed_at timestamptz, failure text)");
    }
    Properties p = new Properties();
    p.put("bootstrap.servers", "127.0.0.1:9092");
    p.put("acks", "all");
    p.put("enable.idempotence", "true");
    producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    outbox =
        new Outbox(
            schema,
            ds,
            () -> producer,
            60_000,
            (t, key, payload, reason) -> failures.add(t + " " + reason));
  }

  @AfterEach
  void tearDown() throws Exception {
    outbox.close();
    producer.close(Duration.ofSeconds(2));
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("drop schema " + schema + " cascade");
    }
  }

  private void append(EventEnvelope<?> e) throws Exception {
    try (Connection c = ds.getConnection()) {
      outbox.append(c, topic, "k", e, null);
    }
  }

  private static EventEnvelope<?> small() {
    return EventEnvelope.of(
        "test", new RunStateChanged(UUID.randomUUID(), "dev", "p", RunState.RUNNING, null));
  }

  @Test
  void aRowKafkaRefusesForGoodIsMovedAsideAndTheOthersAreSent() throws Exception {
    EventEnvelope<?> before = small();
    // a 2 MB event: larger than the producer and the broker accept, never sendable
    EventEnvelope<?> huge =
        EventEnvelope.of(
            "test",
            new CancelAttempt("w", UUID.randomUUID(), UUID.randomUUID(), 1, "x".repeat(2_000_000)));
    EventEnvelope<?> after = small();
    append(before);
    append(huge);
    append(after);

    assertThat(outbox.relayAll()).isEqualTo(3);

    assertThat(received(2)).containsExactly(before.eventId(), after.eventId());
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "select event_id, sent_at is not null, failed_at is not null, failure from "
                    + schema
                    + ".outbox order by id")) {
      List<String> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(rs.getBoolean(2) + "/" + rs.getBoolean(3));
        if (rs.getObject(1, UUID.class).equals(huge.eventId())) {
          assertThat(rs.getString(4)).contains("RecordTooLargeException");
        }
      }
      assertThat(rows).containsExactly("true/false", "false/true", "true/false");
    }
    assertThat(outbox.failedCount()).isEqualTo(1);
    assertThat(outbox.pending()).isZero();
    assertThat(failures).singleElement().asString().contains(topic);

    // nothing is retried: the next relay has nothing to do, and a new row goes out at once
    EventEnvelope<?> next = small();
    append(next);
    assertThat(outbox.relayAll()).isEqualTo(1);
  }

  private List<UUID> received(int count) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "outbox-test-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<UUID> ids = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(topic));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(300))) {
                  ids.add(CODEC.decode(r.value()).eventId());
                }
                return ids.size() >= count;
              });
    }
    return ids;
  }

  private Outbox.Written write(EventEnvelope<?> e) throws Exception {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      Outbox.Written w = outbox.write(c, topic, "k", e, null);
      c.commit();
      return w;
    }
  }

  private List<String> sentStates() throws Exception {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "select sent_at is not null, failed_at is not null from "
                    + schema
                    + ".outbox order by id")) {
      List<String> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(rs.getBoolean(1) + "/" + rs.getBoolean(2));
      }
      return rows;
    }
  }

  @Test
  void aRowPublishedByItsCommittingThreadIsSentOnceAndMarkedSent() throws Exception {
    EventEnvelope<?> a = small();
    EventEnvelope<?> b = small();
    outbox.publish(List.of(write(a), write(b)));

    assertThat(received(2)).containsExactly(a.eventId(), b.eventId());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              outbox.markAcknowledged(); // the relay's step on each wake-up
              return sentStates().equals(List.of("true/false", "true/false"));
            });
    // nothing is left for the relay: no second copy is ever sent
    assertThat(outbox.relayAll()).isZero();
    assertThat(outbox.pending()).isZero();
  }

  @Test
  void aRowWhoseCommitterDiedBeforeSendingIsSentByTheRelay() throws Exception {
    EventEnvelope<?> lost = small();
    write(lost); // committed, never published: the process died right after its commit

    assertThat(outbox.relayAll()).isEqualTo(1);
    assertThat(received(1)).containsExactly(lost.eventId());
    assertThat(sentStates()).containsExactly("true/false");
  }

  @Test
  void aRowWrittenInARolledBackTransactionIsNeverSent() throws Exception {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      outbox.write(c, topic, "k", small(), null);
      c.rollback();
    }
    assertThat(outbox.relayAll()).isZero();
    assertThat(sentStates()).isEmpty();
  }
}

package io.dataplane.scheduler;

import static io.dataplane.scheduler.TestSupport.api;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dataplane.common.events.EventCodec;
import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.events.PipelineDeleted;
import io.dataplane.common.events.PipelineReleased;
import io.dataplane.common.events.RunRequested;
import io.dataplane.common.events.Topics;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fires end to end: ledger rows, RunRequested on Kafka, pause, misfire policies, pipeline events.
 */
@QuarkusTest
class FiringTest {

  private final List<String[]> created = new ArrayList<>();

  @BeforeEach
  void leader() {
    TestSupport.awaitLeader();
  }

  @AfterEach
  void cleanUp() {
    for (String[] s : created) {
      api().delete("/api/v1/environments/{env}/schedules/{id}", s[0], s[1]);
    }
  }

  private String create(String env, Map<String, Object> body) {
    String id =
        api()
            .body(body)
            .post("/api/v1/environments/{env}/schedules", env)
            .then()
            .statusCode(201)
            .extract()
            .path("id");
    created.add(new String[] {env, id});
    return id;
  }

  private static Map<String, Object> everySecond(String name, String pipeline) {
    Map<String, Object> b = new HashMap<>();
    b.put("name", name);
    b.put("pipeline", pipeline);
    b.put("cron", "* * * * * *");
    b.put("timezone", "UTC");
    b.put("endAt", Instant.now().plusSeconds(120).toString());
    b.put("params", Map.of("n", 1));
    return b;
  }

  static List<Map<String, Object>> ledger(String scheduleId) throws Exception {
    List<Map<String, Object>> out = new ArrayList<>();
    try (Connection c = TestSupport.db();
        PreparedStatement ps =
            c.prepareStatement(
                "select fire_time, kind, request_id, lag_ms, release_id from fires"
                    + " where schedule_id = ? order by fire_time")) {
      ps.setObject(1, UUID.fromString(scheduleId));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Map<String, Object> row = new HashMap<>();
          row.put("fireTime", rs.getObject(1, java.time.OffsetDateTime.class).toInstant());
          row.put("kind", rs.getString(2));
          row.put("requestId", rs.getString(3));
          row.put("lagMs", rs.getLong(4));
          row.put("releaseId", rs.getString(5));
          out.add(row);
        }
      }
    }
    return out;
  }

  private static KafkaConsumer<String, byte[]> runRequestsFromNow() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p);
    List<TopicPartition> parts =
        c.partitionsFor(Topics.RUN_REQUESTS).stream()
            .map(i -> new TopicPartition(i.topic(), i.partition()))
            .toList();
    c.assign(parts);
    c.seekToEnd(parts);
    parts.forEach(c::position);
    return c;
  }

  @Test
  void everySecondScheduleFiresOncePerSecondThroughTheOutbox() throws Exception {
    String env = TestSupport.uniqueEnv();
    Map<String, RunRequested> seen = new ConcurrentHashMap<>();
    try (KafkaConsumer<String, byte[]> consumer = runRequestsFromNow()) {
      String id = create(env, everySecond("every-second", "etl"));
      EventCodec codec = new EventCodec();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                  EventEnvelope<?> e = codec.decode(r.value());
                  if (e.payload() instanceof RunRequested rr && rr.environment().equals(env)) {
                    seen.put(rr.requestId(), rr);
                    assertThat(r.key()).isEqualTo(env + "/etl");
                  }
                }
                return seen.size() >= 3;
              });
      List<Map<String, Object>> rows = ledger(id);
      assertThat(rows.size()).isGreaterThanOrEqualTo(3);
      for (int i = 1; i < rows.size(); i++) {
        // consecutive seconds: none missed, none doubled
        assertThat(
                Duration.between(
                    (Instant) rows.get(i - 1).get("fireTime"),
                    (Instant) rows.get(i).get("fireTime")))
            .isEqualTo(Duration.ofSeconds(1));
      }
      for (Map<String, Object> row : rows) {
        assertThat(row.get("requestId")).isEqualTo(id + "@" + row.get("fireTime"));
        assertThat(row.get("kind")).isEqualTo("SCHEDULED");
        assertThat((Long) row.get("lagMs")).isLessThan(1000);
      }
      RunRequested any = seen.values().iterator().next();
      assertThat(any.pipeline()).isEqualTo("etl");
      assertThat(any.trigger()).isEqualTo("SCHEDULE");
      assertThat(any.params()).containsEntry("n", 1);
      assertThat(any.requestedBy()).isEqualTo("tester");
      assertThat(rows.stream().map(r -> r.get("requestId")).toList()).containsAll(seen.keySet());

      // the API shows the same history, newest first, with the lag
      api()
          .get("/api/v1/schedules/{id}/fires?limit=2", id)
          .then()
          .statusCode(200)
          .body("items", org.hamcrest.Matchers.hasSize(2))
          .body("items[0].kind", org.hamcrest.Matchers.equalTo("SCHEDULED"))
          .body("items[0].lagMillis", org.hamcrest.Matchers.notNullValue())
          .body("nextBefore", org.hamcrest.Matchers.notNullValue());

      // paused: no more fires
      api().post("/api/v1/schedules/{id}/pause", id).then().statusCode(200);
      int after = ledger(id).size();
      await()
          .during(Duration.ofMillis(2500))
          .atMost(Duration.ofSeconds(4))
          .until(() -> ledger(id).size() <= after + 1);
      int paused = ledger(id).size();
      // resumed: fires again, from now (the paused seconds are not fired)
      Instant resumedAt = Instant.now();
      api().post("/api/v1/schedules/{id}/resume", id).then().statusCode(200);
      await().atMost(Duration.ofSeconds(10)).until(() -> ledger(id).size() >= paused + 2);
      List<Map<String, Object>> all = ledger(id);
      long firedWhilePaused =
          all.stream()
              .map(r -> (Instant) r.get("fireTime"))
              .filter(
                  t ->
                      t.isAfter(resumedAt.minusMillis(2200))
                          && t.isBefore(resumedAt.minusMillis(1000)))
              .count();
      assertThat(firedWhilePaused).isZero();
    }
    api()
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(org.hamcrest.Matchers.containsString("dataplane_schedule_fire_lag_seconds_count"))
        .body(org.hamcrest.Matchers.containsString("dataplane_scheduler_leader 1.0"))
        .body(org.hamcrest.Matchers.containsString("dataplane_schedules{state=\"ENABLED\"}"));
  }

  /**
   * Simulates an outage: the schedule's fired_through lies 10 minutes back when the leader sees it.
   */
  private String outage(String env, String policy, int cap) throws Exception {
    Map<String, Object> b = new HashMap<>();
    b.put("name", "outage-" + policy.toLowerCase());
    b.put("pipeline", "etl");
    b.put("cron", "* * * * *");
    b.put("timezone", "UTC");
    b.put("misfirePolicy", policy);
    b.put("misfireCap", cap);
    b.put("enabled", false);
    String id = create(env, b);
    try (Connection c = TestSupport.db();
        PreparedStatement ps =
            c.prepareStatement(
                "update schedules set state = 'ENABLED',"
                    + " fired_through = date_trunc('minute', now()) - interval '10 minutes'"
                    + " where id = ?; select pg_notify('scheduler_test_changes', ?)")) {
      ps.setObject(1, UUID.fromString(id));
      ps.setString(2, id);
      ps.execute();
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                api()
                        .get("/api/v1/schedules/{id}", id)
                        .then()
                        .extract()
                        .<String>path("firedThrough")
                        .compareTo(Instant.now().minusSeconds(61).toString())
                    > 0);
    return id;
  }

  private static long kind(List<Map<String, Object>> rows, String kind) {
    return rows.stream().filter(r -> r.get("kind").equals(kind)).count();
  }

  @Test
  void misfirePoliciesAfterAnOutage() throws Exception {
    String env = TestSupport.uniqueEnv();
    double missedBefore = missedMetric();

    List<Map<String, Object>> all = ledger(outage(env, "ALL", 3));
    assertThat(kind(all, "MISFIRE")).isEqualTo(3);
    // the three most recent missed minutes
    List<Instant> misfired =
        all.stream()
            .filter(r -> r.get("kind").equals("MISFIRE"))
            .map(r -> (Instant) r.get("fireTime"))
            .toList();
    assertThat(Duration.between(misfired.get(0), misfired.get(2))).isEqualTo(Duration.ofMinutes(2));

    List<Map<String, Object>> last = ledger(outage(env, "LAST", 10));
    assertThat(kind(last, "MISFIRE")).isEqualTo(1);

    List<Map<String, Object>> none = ledger(outage(env, "NONE", 10));
    assertThat(kind(none, "MISFIRE")).isZero();

    // 10 due minutes each: ALL drops 9-3 or 10-3, LAST 9-1 or 10-1, NONE 9 or 10
    await().atMost(Duration.ofSeconds(5)).until(() -> missedMetric() - missedBefore >= 6 + 8 + 9);
  }

  private static double missedMetric() {
    String metrics = api().get("/q/metrics").then().statusCode(200).extract().asString();
    for (String line : metrics.split("\n")) {
      if (line.startsWith("dataplane_schedule_missed_fires_total")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return 0;
  }

  @Test
  void pipelineEventsStopOrRetargetSchedules() throws Exception {
    String env = TestSupport.uniqueEnv();
    Map<String, Object> b = new HashMap<>();
    b.put("name", "daily");
    b.put("pipeline", "etl");
    b.put("cron", "@daily");
    b.put("timezone", "UTC");
    String latest = create(env, b);
    b.put("name", "pinned");
    b.put("releaseId", "rel-pinned");
    String pinned = create(env, b);

    TestSupport.publishPipelineEvent(
        env, "etl", new PipelineReleased(env, "etl", "rel-2", "sha256:" + "a".repeat(64), null));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                "rel-2"
                    .equals(api().get("/api/v1/schedules/{id}", latest).path("latestReleaseId")));
    api()
        .get("/api/v1/schedules/{id}", pinned)
        .then()
        .body("releaseId", org.hamcrest.Matchers.equalTo("rel-pinned"))
        .body("releaseMode", org.hamcrest.Matchers.equalTo("PINNED"));

    TestSupport.publishPipelineEvent(env, "etl", new PipelineDeleted(env, "etl"));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> "STOPPED".equals(api().get("/api/v1/schedules/{id}", latest).path("state")));
    api()
        .get("/api/v1/schedules/{id}", pinned)
        .then()
        .body("state", org.hamcrest.Matchers.equalTo("STOPPED"))
        .body("stateReason", org.hamcrest.Matchers.equalTo("pipeline deleted"))
        .body("nextFireAt", org.hamcrest.Matchers.nullValue());
    // a stopped schedule is not backfilled
    api()
        .body(Map.of("from", "2026-01-01T00:00:00Z", "to", "2026-01-02T00:00:00Z"))
        .post("/api/v1/schedules/{id}/backfill", pinned)
        .then()
        .statusCode(409)
        .body("code", org.hamcrest.Matchers.equalTo("CONFLICT"));
  }

  /** Issue 14, item 3: a record that can never be processed does not stop the consumer. */
  @Test
  void aPoisonPipelineEventGoesToTheDeadLettersAndTheNextIsStillApplied() throws Exception {
    String env = TestSupport.uniqueEnv();
    Map<String, Object> b = new HashMap<>();
    b.put("name", "daily");
    b.put("pipeline", "etl");
    b.put("cron", "@daily");
    b.put("timezone", "UTC");
    String id = create(env, b);
    // PostgreSQL refuses a NUL in text: retrying this record can never succeed
    TestSupport.publish(
        io.dataplane.common.events.Topics.PIPELINE_EVENTS,
        env + "/etl",
        new PipelineDeleted(env + "\u0000", "etl"));
    TestSupport.publishPipelineEvent(env, "etl", new PipelineDeleted(env, "etl"));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> "STOPPED".equals(api().get("/api/v1/schedules/{id}", id).path("state")));
    String metrics = api().get("/q/metrics").then().statusCode(200).extract().asString();
    org.assertj.core.api.Assertions.assertThat(metrics)
        .containsPattern(
            "dataplane_dead_letters_total\\{[^}]*reason=\"refused-by-database\""
                + "[^}]*topic=\"dataplane.pipeline-events\"[^}]*} [1-9]");
  }

  @Test
  void firesOfALatestScheduleCarryTheReleasedVersion() throws Exception {
    String env = TestSupport.uniqueEnv();
    Map<String, Object> b = everySecond("follow", "etl");
    String id = create(env, b);
    TestSupport.publishPipelineEvent(
        env, "etl", new PipelineReleased(env, "etl", "rel-7", "sha256:" + "b".repeat(64), null));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> ledger(id).stream().anyMatch(r -> "rel-7".equals(r.get("releaseId"))));
  }
}

package io.dataplane.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dataplane.testing.Ports;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two packaged scheduler instances as processes; the leader is killed with SIGKILL again and again
 * while second-level schedules fire. The ledger must hold every second exactly once, every ledger
 * row must have its RunRequested in the outbox, and a standby must take over within 10 s.
 */
class SchedulerFailoverIT {

  private static final String SCHEMA = "scheduler_it";
  private static final String JDBC =
      "jdbc:postgresql://127.0.0.1:5432/" + TestSupport.DATABASE + "?currentSchema=" + SCHEMA;
  private static final String TOKEN = "failover-it-service-token-0123456789";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final List<Instance> instances = new ArrayList<>();
  private final List<Ports.Reservation> ports = new ArrayList<>();
  private int started;

  private static final class Instance {
    final String name;
    final int port;
    final Process process;

    Instance(String name, int port, Process process) {
      this.name = name;
      this.port = port;
      this.process = process;
    }
  }

  @AfterEach
  void stopAll() {
    for (Instance i : instances) {
      i.process.destroy();
    }
    for (Instance i : instances) {
      try {
        if (!i.process.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
          i.process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        i.process.destroyForcibly();
      }
    }
    ports.forEach(Ports.Reservation::close);
  }

  private Instance start() throws Exception {
    return start(List.of());
  }

  private Instance start(List<String> extraArgs) throws Exception {
    Path jar = Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath();
    assertThat(jar).exists();
    Ports.Reservation reservation = Ports.reserve();
    ports.add(reservation);
    int port = reservation.port;
    String name = "it-" + (++started);
    Path logs = Path.of("target/failover-it");
    Files.createDirectories(logs);
    List<String> cmd = new ArrayList<>();
    cmd.addAll(
        List.of(
            ProcessHandle.current().info().command().orElse("java"),
            "-Xmx160m",
            "-XX:+UseSerialGC",
            "-Dquarkus.http.port=" + port,
            "-Dquarkus.datasource.jdbc.url=" + JDBC + "&connectTimeout=3&socketTimeout=30",
            "-Dquarkus.flyway.schemas=" + SCHEMA,
            "-Dquarkus.flyway.default-schema=" + SCHEMA,
            "-Ddataplane.scheduler.schema=" + SCHEMA,
            "-Ddataplane.scheduler.instance-id=" + name,
            "-Ddataplane.scheduler.consumer-group=scheduler-service-it",
            "-Dquarkus.log.console.json.enabled=false"));
    cmd.addAll(extraArgs);
    cmd.add("-jar");
    cmd.add(jar.toString());
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(logs.resolve(name + ".log").toFile());
    pb.environment().put("DATAPLANE_SERVICE_TOKENS_GATEWAY", TOKEN);
    Instance i = new Instance(name, port, pb.start());
    instances.add(i);
    long deadline = System.currentTimeMillis() + 60_000;
    while (status(i, "/q/health/ready") != 200) {
      assertThat(i.process.isAlive()).as(name + " died; see target/failover-it").isTrue();
      assertThat(System.currentTimeMillis()).as(name + " not ready in 60 s").isLessThan(deadline);
      Thread.sleep(250);
    }
    return i;
  }

  private static int status(Instance i, String path) {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + i.port + path))
                  .timeout(Duration.ofSeconds(3))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  private static JsonNode call(Instance i, String method, String path, Object body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + i.port + path))
            .timeout(Duration.ofSeconds(5))
            .header("Authorization", "Bearer " + TOKEN)
            .header("Content-Type", "application/json");
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isLessThan(300);
    return r.body().isEmpty() ? null : JSON.readTree(r.body());
  }

  private static boolean isLeader(Instance i) {
    try {
      return i.process.isAlive()
          && call(i, "GET", "/api/v1/scheduler/leader", null).path("leader").asBoolean();
    } catch (Throwable e) {
      return false;
    }
  }

  private static void clean() throws Exception {
    try (Connection c = DriverManager.getConnection(JDBC, "dataplane", "dataplane");
        Statement s = c.createStatement()) {
      s.execute("create schema if not exists " + SCHEMA);
      s.execute(
          "do $$ begin if exists (select 1 from information_schema.tables where table_schema = '"
              + SCHEMA
              + "' and table_name = 'schedules') then"
              + " delete from schedules; delete from fires; delete from outbox;"
              + " delete from backfills; delete from backfill_items; end if; end $$");
    }
  }

  private Instance awaitLeader(long timeoutMillis) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (System.currentTimeMillis() < deadline) {
      for (Instance i : instances) {
        if (isLeader(i)) {
          return i;
        }
      }
      Thread.sleep(50);
    }
    return null;
  }

  @Test
  void leaderKilledRepeatedlyNoFireLostOrDoubledTakeoverWithinTenSeconds() throws Exception {
    clean();
    Instance a = start();
    Instance b = start();
    Instance leader = awaitLeader(15_000);
    assertThat(leader).as("a leader is elected").isNotNull();

    Instant end = Instant.now().plusSeconds(90).truncatedTo(ChronoUnit.SECONDS);
    List<String> ids = new ArrayList<>();
    for (int n = 0; n < 3; n++) {
      Map<String, Object> body = new HashMap<>();
      body.put("name", "every-second-" + n);
      body.put("pipeline", "failover");
      if (n == 2) {
        body.put("rrule", "FREQ=SECONDLY");
      } else {
        body.put("cron", "* * * * * *");
      }
      body.put("timezone", n == 1 ? "Europe/Berlin" : "UTC");
      body.put("endAt", end.toString());
      body.put("misfirePolicy", "ALL");
      body.put("misfireCap", 1000);
      ids.add(
          call(a, "POST", "/api/v1/environments/failover-it/schedules", body).get("id").asText());
    }

    List<Long> takeovers = new ArrayList<>();
    for (int round = 0; round < 4; round++) {
      Thread.sleep(3000 + round * 700L);
      Instance old = awaitLeader(10_000);
      assertThat(old).isNotNull();
      long killedAt = System.nanoTime();
      old.process.destroyForcibly(); // SIGKILL
      old.process.waitFor();
      instances.remove(old);
      Instance next = awaitLeader(15_000);
      long takeoverMillis = (System.nanoTime() - killedAt) / 1_000_000;
      assertThat(next).as("a standby takes over").isNotNull();
      takeovers.add(takeoverMillis);
      assertThat(takeoverMillis).as("takeover time").isLessThanOrEqualTo(10_000);
      start(); // the killed one comes back as a standby
    }
    // let the schedules run to their end, then compare the ledger with the expected seconds
    while (Instant.now().isBefore(end.plusSeconds(3))) {
      Thread.sleep(500);
    }
    try (Connection c = DriverManager.getConnection(JDBC, "dataplane", "dataplane")) {
      long ledgerRows = 0;
      for (String id : ids) {
        List<Instant> times = new ArrayList<>();
        Instant created;
        try (PreparedStatement ps =
            c.prepareStatement("select created_at from schedules where id = ?")) {
          ps.setObject(1, UUID.fromString(id));
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            created = rs.getObject(1, OffsetDateTime.class).toInstant();
          }
        }
        try (PreparedStatement ps =
            c.prepareStatement(
                "select fire_time, request_id from fires where schedule_id = ? order by fire_time")) {
          ps.setObject(1, UUID.fromString(id));
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              Instant t = rs.getObject(1, OffsetDateTime.class).toInstant();
              times.add(t);
              assertThat(rs.getString(2)).isEqualTo(id + "@" + t);
            }
          }
        }
        Instant first = created.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        List<Instant> expected = new ArrayList<>();
        for (Instant t = first; !t.isAfter(end); t = t.plusSeconds(1)) {
          expected.add(t);
        }
        assertThat(times).as("every second fired exactly once for " + id).isEqualTo(expected);
        ledgerRows += times.size();
      }
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "select count(*), count(distinct event_id) from outbox"
                      + " where topic = 'dataplane.run-requests'")) {
        rs.next();
        assertThat(rs.getLong(1)).as("one RunRequested per ledger row").isEqualTo(ledgerRows);
      }
      // and the relay sent every one of them to Kafka
      long deadline = System.currentTimeMillis() + 20_000;
      long unsent;
      do {
        try (Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("select count(*) from outbox where sent_at is null")) {
          rs.next();
          unsent = rs.getLong(1);
        }
        if (unsent > 0) {
          Thread.sleep(250);
        }
      } while (unsent > 0 && System.currentTimeMillis() < deadline);
      assertThat(unsent).as("outbox rows not relayed to Kafka").isZero();
      long maxLag;
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("select max(lag_ms) from fires")) {
        rs.next();
        maxLag = rs.getLong(1);
      }
      System.out.printf(
          "failover: takeovers (ms) %s; ledger rows %d; max fire lag %d ms%n",
          takeovers, ledgerRows, maxLag);
      assertThat(maxLag).isLessThan(15_000);
    }
  }

  private static List<String[]> ledger(Connection c, String id) throws Exception {
    List<String[]> rows = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "select fire_time, kind from fires where schedule_id = ? order by fire_time")) {
      ps.setObject(1, UUID.fromString(id));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(
              new String[] {
                rs.getObject(1, OffsetDateTime.class).toInstant().toString(), rs.getString(2)
              });
        }
      }
    }
    return rows;
  }

  @Test
  void misfirePoliciesAfterARealOutage() throws Exception {
    clean();
    List<String> threshold = List.of("-Ddataplane.scheduler.misfire-threshold=3S");
    Instance a = start(threshold);
    assertThat(awaitLeader(15_000)).isNotNull();
    Map<String, String> ids = new HashMap<>();
    for (String policy : List.of("ALL", "LAST", "NONE")) {
      Map<String, Object> body = new HashMap<>();
      body.put("name", "outage-" + policy);
      body.put("pipeline", "outage");
      body.put("cron", "* * * * * *");
      body.put("timezone", "UTC");
      body.put("endAt", Instant.now().plusSeconds(300).toString());
      body.put("misfirePolicy", policy);
      body.put("misfireCap", 3);
      ids.put(
          policy,
          call(a, "POST", "/api/v1/environments/outage-it/schedules", body).get("id").asText());
    }
    try (Connection c = DriverManager.getConnection(JDBC, "dataplane", "dataplane")) {
      long deadline = System.currentTimeMillis() + 20_000;
      while (ids.values().stream().anyMatch(id -> rowsOf(c, id) < 2)) {
        assertThat(System.currentTimeMillis()).isLessThan(deadline);
        Thread.sleep(200);
      }
      // the outage: the only scheduler dies and nothing runs for 8 s (plus the restart)
      a.process.destroyForcibly();
      a.process.waitFor();
      instances.remove(a);
      Thread.sleep(8000);
      Instance b = start(threshold);
      assertThat(awaitLeader(15_000)).isSameAs(b);
      Map<String, Long> before = new HashMap<>();
      ids.forEach((p, id) -> before.put(p, (long) rowsOf(c, id)));
      long until = System.currentTimeMillis() + 15_000;
      while (ids.values().stream()
          .anyMatch(id -> rowsOf(c, id) < before.get(policyOf(ids, id)) + 2)) {
        assertThat(System.currentTimeMillis()).isLessThan(until);
        Thread.sleep(200);
      }
      for (String id : ids.values()) {
        call(b, "POST", "/api/v1/schedules/" + id + "/pause", null);
      }
      Map<String, Long> misfires = new HashMap<>();
      for (Map.Entry<String, String> e : ids.entrySet()) {
        List<String[]> rows = ledger(c, e.getValue());
        misfires.put(e.getKey(), rows.stream().filter(r -> r[1].equals("MISFIRE")).count());
        // scheduled fires went on after the outage
        assertThat(rows.get(rows.size() - 1)[1]).isEqualTo("SCHEDULED");
      }
      System.out.printf("outage: misfires by policy %s%n", misfires);
      assertThat(misfires)
          .containsEntry("ALL", 3L)
          .containsEntry("LAST", 1L)
          .containsEntry("NONE", 0L);
      List<String[]> all = ledger(c, ids.get("ALL"));
      List<Instant> misfired =
          all.stream().filter(r -> r[1].equals("MISFIRE")).map(r -> Instant.parse(r[0])).toList();
      // the three most recent missed seconds
      assertThat(Duration.between(misfired.get(0), misfired.get(2)))
          .isEqualTo(Duration.ofSeconds(2));
      String metrics =
          HTTP.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + b.port + "/q/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(metrics).containsPattern("dataplane_schedule_missed_fires_total [1-9]");
    }
  }

  private static String policyOf(Map<String, String> ids, String id) {
    return ids.entrySet().stream()
        .filter(e -> e.getValue().equals(id))
        .findFirst()
        .orElseThrow()
        .getKey();
  }

  private static int rowsOf(Connection c, String id) {
    try (PreparedStatement ps =
        c.prepareStatement("select count(*) from fires where schedule_id = ?")) {
      ps.setObject(1, UUID.fromString(id));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}

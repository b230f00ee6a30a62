package io.dataplane.scheduler.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dataplane.common.events.EventCodec;
import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.events.RunRequested;
import io.dataplane.common.events.Topics;
import io.dataplane.testing.Ports;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a test (run by bench/schedules1000/run, never by a plain verify): the packaged
 * scheduler with 1,000 schedules due in the same second. Prints one JSON line with the fire lag
 * p50/p99 (scheduled instant → ledger row + outbox commit, from the service's own timer) and the
 * lag to the RunRequested arriving on Kafka.
 */
class FireLagBenchmark {

  private static final String SCHEMA = "scheduler_bench";
  private static final String JDBC =
      "jdbc:postgresql://127.0.0.1:5432/dataplane?currentSchema=" + SCHEMA;
  private static final String TOKEN = "bench-service-token-0123456789";
  private static final int SCHEDULES = Integer.getInteger("bench.schedules", 1000);
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void fireLagWithSchedulesDueInTheSameSecond() throws Exception {
    clean();
    Ports.Reservation reservation = Ports.reserve();
    int port = reservation.port;
    Path logs = Path.of("target/bench");
    Files.createDirectories(logs);
    List<String> cmd =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx256m",
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.datasource.jdbc.url=" + JDBC,
                "-Dquarkus.flyway.schemas=" + SCHEMA,
                "-Dquarkus.flyway.default-schema=" + SCHEMA,
                "-Ddataplane.scheduler.schema=" + SCHEMA,
                "-Ddataplane.scheduler.instance-id=bench",
                "-Ddataplane.scheduler.consumer-group=scheduler-service-bench",
                "-Dquarkus.log.console.json.enabled=false",
                "-Dquarkus.log.category.\"io.dataplane.scheduler.service\".level=DEBUG"));
    String extra = System.getProperty("bench.jvmArgs", "").strip();
    if (!extra.isEmpty()) {
      cmd.addAll(List.of(extra.split("\\s+")));
    }
    cmd.add("-jar");
    cmd.add(Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath().toString());
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(logs.resolve("scheduler.log").toFile());
    pb.environment().put("DATAPLANE_SERVICE_TOKENS_GATEWAY", TOKEN);
    Process p = pb.start();
    String base = "http://127.0.0.1:" + port;
    try (KafkaConsumer<String, byte[]> consumer = consumerAtEnd()) {
      waitFor(() -> get(base + "/api/v1/scheduler/leader").contains("\"leader\":true"), 90);
      String env = "bench-" + System.currentTimeMillis();
      // all schedules fire at :00, :15, :30 and :45 of every minute: 1,000 due in the same second
      String cron = "*/15 * * * * *";
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<?>> creates = new ArrayList<>();
      for (int i = 0; i < SCHEDULES; i++) {
        int n = i;
        creates.add(
            pool.submit(
                () -> {
                  Map<String, Object> body = new LinkedHashMap<>();
                  body.put("name", "s" + n);
                  body.put("pipeline", "p" + (n % 50));
                  body.put("cron", cron);
                  body.put("timezone", "UTC");
                  body.put("misfirePolicy", "NONE");
                  post(base + "/api/v1/environments/" + env + "/schedules", body);
                  return null;
                }));
      }
      for (Future<?> f : creates) {
        f.get();
      }
      pool.shutdown();
      List<Map<String, Object>> rounds = new ArrayList<>();
      EventCodec codec = new EventCodec();
      Instant due = nextQuarter(Instant.now().plusSeconds(2));
      for (int round = 0; round <= ROUNDS; round++) {
        Map<Double, Long> before = buckets(get(base + "/q/metrics"));
        List<Long> kafkaLags = new ArrayList<>();
        long stopAt = due.toEpochMilli() + 12_000;
        while (kafkaLags.size() < SCHEDULES && System.currentTimeMillis() < stopAt) {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
            EventEnvelope<?> e = codec.decode(r.value());
            if (e.payload() instanceof RunRequested rr
                && rr.environment().equals(env)
                && rr.requestId().endsWith("@" + due)) {
              kafkaLags.add(r.timestamp() - due.toEpochMilli());
            }
          }
        }
        Map<Double, Long> after = buckets(get(base + "/q/metrics"));
        long[] ledger = ledger(due);
        Collections.sort(kafkaLags);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("dueAt", due.toString());
        r.put("fired", ledger[0]);
        r.put("fireLagP50Ms", histogramQuantile(before, after, 0.5));
        r.put("fireLagP99Ms", histogramQuantile(before, after, 0.99));
        r.put("ledgerLagP50Ms", ledger[1]);
        r.put("ledgerLagP99Ms", ledger[2]);
        r.put("kafkaReceived", kafkaLags.size());
        r.put("kafkaLagP50Ms", pct(kafkaLags, 0.5));
        r.put("kafkaLagP99Ms", pct(kafkaLags, 0.99));
        if (round > 0) {
          rounds.add(r); // round 0 warms the JVM up
        }
        due = nextQuarter(due.plusSeconds(1));
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("benchmark", "scheduler-fire-lag");
      out.put("schedules", SCHEDULES);
      out.put("rounds", rounds.size());
      out.put(
          "fireLagP50Ms",
          rounds.stream().mapToDouble(x -> (Double) x.get("fireLagP50Ms")).max().orElse(-1));
      out.put(
          "fireLagP99Ms",
          rounds.stream().mapToDouble(x -> (Double) x.get("fireLagP99Ms")).max().orElse(-1));
      out.put("targetP99Ms", 100);
      out.put("loadAverage1m", Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
      out.put("cpus", Runtime.getRuntime().availableProcessors());
      out.put("perRound", rounds);
      System.out.println(JSON.writeValueAsString(out));
    } finally {
      p.destroy();
      p.waitFor();
      reservation.close();
    }
  }

  private static Instant nextQuarter(Instant after) {
    long s = after.getEpochSecond();
    long next = (s / 15 + 1) * 15;
    return Instant.ofEpochSecond(next);
  }

  /** Cumulative bucket counts of the fire-lag timer, by upper bound in seconds. */
  private static Map<Double, Long> buckets(String metrics) {
    Map<Double, Long> out = new java.util.TreeMap<>();
    for (String line : metrics.split("\n")) {
      if (line.startsWith("dataplane_schedule_fire_lag_seconds_bucket{")) {
        int le = line.indexOf("le=\"") + 4;
        String bound = line.substring(le, line.indexOf('"', le));
        double b = bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound);
        out.put(b, (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
      }
    }
    return out;
  }

  /** The quantile of one round, from the difference of two histogram scrapes (bucket bound, ms). */
  private static double histogramQuantile(
      Map<Double, Long> before, Map<Double, Long> after, double q) {
    long total =
        after.getOrDefault(Double.POSITIVE_INFINITY, 0L)
            - before.getOrDefault(Double.POSITIVE_INFINITY, 0L);
    if (total <= 0) {
      return -1;
    }
    for (Map.Entry<Double, Long> e : after.entrySet()) {
      long n = e.getValue() - before.getOrDefault(e.getKey(), 0L);
      if (n >= Math.ceil(q * total)) {
        return Math.round(e.getKey() * 1000 * 10) / 10.0;
      }
    }
    return -1;
  }

  private static long pct(List<Long> sorted, double q) {
    if (sorted.isEmpty()) {
      return -1;
    }
    return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1));
  }

  private static double quantile(String metrics, String q) {
    for (String line : metrics.split("\n")) {
      if (line.startsWith("dataplane_schedule_fire_lag_seconds{")
          && line.contains("quantile=\"" + q + "\"")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return Double.NaN;
  }

  private static long[] ledger(Instant due) throws Exception {
    try (Connection c = DriverManager.getConnection(JDBC, "dataplane", "dataplane");
        java.sql.PreparedStatement s =
            c.prepareStatement(
                "select count(*), percentile_disc(0.5) within group (order by lag_ms),"
                    + " percentile_disc(0.99) within group (order by lag_ms), max(lag_ms)"
                    + " from fires where fire_time = ?")) {
      s.setObject(1, java.time.OffsetDateTime.ofInstant(due, ZoneOffset.UTC));
      ResultSet rs = s.executeQuery();
      rs.next();
      return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)};
    }
  }

  private static void clean() throws Exception {
    try (Connection c = DriverManager.getConnection(JDBC, "dataplane", "dataplane");
        Statement s = c.createStatement()) {
      s.execute(
          "do $$ begin if exists (select 1 from information_schema.tables where table_schema = '"
              + SCHEMA
              + "' and table_name = 'schedules') then"
              + " delete from schedules; delete from fires; delete from outbox; end if; end $$");
    }
  }

  private static KafkaConsumer<String, byte[]> consumerAtEnd() {
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

  private interface Check {
    boolean ok() throws Exception;
  }

  private static void waitFor(Check check, int seconds) throws Exception {
    long deadline = System.currentTimeMillis() + seconds * 1000L;
    while (System.currentTimeMillis() < deadline) {
      try {
        if (check.ok()) {
          return;
        }
      } catch (IOException e) {
        // not up yet
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("the scheduler did not become leader; see target/bench");
  }

  private static String get(String url) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static void post(String url, Object body) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201) {
      throw new IllegalStateException("create failed: " + r.statusCode() + " " + r.body());
    }
  }
}

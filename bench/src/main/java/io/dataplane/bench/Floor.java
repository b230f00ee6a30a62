package io.dataplane.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * This machine's floors, which the platform's figures are compared with: spawning {@code bash -c
 * true} and {@code python3 -c pass} from Java, one Kafka produce→consume hop (acks=all, linger 0),
 * the same hop to a share-group consumer as the workers take dispatches (one record per poll,
 * explicit acknowledgement), one PostgreSQL commit.
 */
public final class Floor {

  static final int SPAWNS = 200;
  static final int HOPS = 500;
  static final int COMMITS = 500;

  public static void main(String[] args) throws Exception {
    Map<String, Object> f = Stats.figures("floor");
    spawn(f, "bash_spawn", List.of("bash", "-c", "true"));
    spawn(f, "python_spawn", List.of("/usr/bin/python3", "-c", "pass"));
    kafkaHop(f);
    kafkaShareHop(f);
    pgCommit(f);
    Stats.printJson(f);
  }

  static void spawn(Map<String, Object> f, String name, List<String> cmd) throws Exception {
    for (int i = 0; i < 20; i++) {
      new ProcessBuilder(cmd).start().waitFor();
    }
    double[] ms = new double[SPAWNS];
    for (int i = 0; i < SPAWNS; i++) {
      long t0 = System.nanoTime();
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      p.waitFor();
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    f.put(name + "_p50_ms", Stats.round(Stats.percentile(ms, 50), 3));
    f.put(name + "_p99_ms", Stats.round(Stats.percentile(ms, 99), 3));
  }

  static final String KAFKA = System.getProperty("kafka", "127.0.0.1:9092");

  /** The consuming side of a hop: waits until one record is in. */
  interface Receiver extends AutoCloseable {
    void receiveOne();
  }

  /** A consumer that reads the topic's one partition from its end. */
  static void kafkaHop(Map<String, Object> f) throws Exception {
    hops(
        f,
        "kafka_hop",
        topic -> {
          Properties cp = new Properties();
          cp.put("bootstrap.servers", KAFKA);
          cp.put("fetch.max.wait.ms", "100");
          cp.put("enable.auto.commit", "false");
          KafkaConsumer<byte[], byte[]> c =
              new KafkaConsumer<>(cp, new ByteArrayDeserializer(), new ByteArrayDeserializer());
          TopicPartition tp = new TopicPartition(topic, 0);
          c.assign(List.of(tp));
          c.seekToEnd(List.of(tp));
          c.position(tp);
          return new Receiver() {
            public void receiveOne() {
              while (c.poll(Duration.ofSeconds(5)).isEmpty()) {
                // wait for the record
              }
            }

            public void close() {
              c.close();
            }
          };
        });
  }

  /** A share-group consumer configured as the workers' dispatch consumers are. */
  static void kafkaShareHop(Map<String, Object> f) throws Exception {
    String group = "bench-floor-" + UUID.randomUUID();
    try (Admin a = Admin.create(Map.of("bootstrap.servers", KAFKA))) {
      a.incrementalAlterConfigs(
              Map.of(
                  new ConfigResource(ConfigResource.Type.GROUP, group),
                  List.of(
                      new AlterConfigOp(
                          new ConfigEntry("share.auto.offset.reset", "earliest"),
                          AlterConfigOp.OpType.SET))))
          .all()
          .get();
    }
    hops(
        f,
        "kafka_share_hop",
        topic -> {
          Properties cp = new Properties();
          cp.put("bootstrap.servers", KAFKA);
          cp.put("group.id", group);
          cp.put("share.acknowledgement.mode", "explicit");
          cp.put("share.acquire.mode", "record_limit");
          cp.put("max.poll.records", "1");
          KafkaShareConsumer<byte[], byte[]> c =
              new KafkaShareConsumer<>(
                  cp, new ByteArrayDeserializer(), new ByteArrayDeserializer());
          c.subscribe(List.of(topic));
          return new Receiver() {
            public void receiveOne() {
              int got = 0;
              while (got == 0) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                  c.acknowledge(r, AcknowledgeType.ACCEPT);
                  got++;
                }
              }
              c.commitAsync();
            }

            public void close() {
              c.close();
            }
          };
        });
  }

  /**
   * {@link #HOPS} produce→receive round trips (acks=all, linger 0) on a new one-partition topic,
   * after 50 of warm-up.
   */
  static void hops(Map<String, Object> f, String name, Function<String, Receiver> receiver)
      throws Exception {
    String topic = "dataplane.bench.floor-" + UUID.randomUUID();
    try (Admin a = Admin.create(Map.of("bootstrap.servers", KAFKA))) {
      a.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    }
    Properties pp = new Properties();
    pp.put("bootstrap.servers", KAFKA);
    pp.put("acks", "all");
    pp.put("enable.idempotence", "true");
    pp.put("linger.ms", "0");
    try (KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer());
        Receiver r = receiver.apply(topic)) {
      double[] ms = new double[HOPS];
      for (int i = -50; i < HOPS; i++) {
        long t0 = System.nanoTime();
        producer.send(new ProducerRecord<>(topic, new byte[64]));
        r.receiveOne();
        if (i >= 0) {
          ms[i] = (System.nanoTime() - t0) / 1e6;
        }
      }
      f.put(name + "_p50_ms", Stats.round(Stats.percentile(ms, 50), 3));
      f.put(name + "_p99_ms", Stats.round(Stats.percentile(ms, 99), 3));
    } finally {
      try (Admin a = Admin.create(Map.of("bootstrap.servers", KAFKA))) {
        a.deleteTopics(List.of(topic)).all().get();
      }
    }
  }

  static void pgCommit(Map<String, Object> f) throws Exception {
    String url = System.getProperty("jdbc", "jdbc:postgresql://127.0.0.1:5432/dataplane");
    try (Connection c = DriverManager.getConnection(url, "dataplane", "dataplane")) {
      try (Statement s = c.createStatement()) {
        s.execute("create temporary table bench_floor (id bigserial primary key, v text)");
      }
      c.setAutoCommit(false);
      double[] ms = new double[COMMITS];
      try (PreparedStatement ps = c.prepareStatement("insert into bench_floor (v) values (?)")) {
        for (int i = -50; i < COMMITS; i++) {
          long t0 = System.nanoTime();
          ps.setString(1, "x");
          ps.executeUpdate();
          c.commit();
          if (i >= 0) {
            ms[i] = (System.nanoTime() - t0) / 1e6;
          }
        }
      }
      f.put("pg_commit_p50_ms", Stats.round(Stats.percentile(ms, 50), 3));
      f.put("pg_commit_p99_ms", Stats.round(Stats.percentile(ms, 99), 3));
    }
  }
}

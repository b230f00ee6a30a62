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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
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

  static void kafkaHop(Map<String, Object> f) throws Exception {
    String bootstrap = System.getProperty("kafka", "127.0.0.1:9092");
    String topic = "dataplane.bench.floor-" + UUID.randomUUID();
    Properties admin = new Properties();
    admin.put("bootstrap.servers", bootstrap);
    try (Admin a = Admin.create(admin)) {
      a.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    }
    Properties pp = new Properties();
    pp.put("bootstrap.servers", bootstrap);
    pp.put("acks", "all");
    pp.put("enable.idempotence", "true");
    pp.put("linger.ms", "0");
    Properties cp = new Properties();
    cp.put("bootstrap.servers", bootstrap);
    cp.put("fetch.max.wait.ms", "100");
    cp.put("enable.auto.commit", "false");
    try (KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer());
        KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(cp, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToEnd(List.of(tp));
      consumer.position(tp);
      double[] ms = new double[HOPS];
      for (int i = -50; i < HOPS; i++) {
        long t0 = System.nanoTime();
        producer.send(new ProducerRecord<>(topic, new byte[64]));
        int got = 0;
        while (got == 0) {
          ConsumerRecords<byte[], byte[]> r = consumer.poll(Duration.ofSeconds(5));
          got = r.count();
        }
        if (i >= 0) {
          ms[i] = (System.nanoTime() - t0) / 1e6;
        }
      }
      f.put("kafka_hop_p50_ms", Stats.round(Stats.percentile(ms, 50), 3));
      f.put("kafka_hop_p99_ms", Stats.round(Stats.percentile(ms, 99), 3));
    } finally {
      try (Admin a = Admin.create(admin)) {
        a.deleteTopics(List.of(topic)).all().get();
      }
    }
  }

  static void kafkaShareHop(Map<String, Object> f) throws Exception {
    String bootstrap = System.getProperty("kafka", "127.0.0.1:9092");
    String topic = "dataplane.bench.floor-share-" + UUID.randomUUID();
    String group = "bench-floor-" + UUID.randomUUID();
    Properties admin = new Properties();
    admin.put("bootstrap.servers", bootstrap);
    try (Admin a = Admin.create(admin)) {
      a.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
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
    Properties pp = new Properties();
    pp.put("bootstrap.servers", bootstrap);
    pp.put("acks", "all");
    pp.put("enable.idempotence", "true");
    pp.put("linger.ms", "0");
    Properties cp = new Properties();
    cp.put("bootstrap.servers", bootstrap);
    cp.put("group.id", group);
    cp.put("share.acknowledgement.mode", "explicit");
    cp.put("share.acquire.mode", "record_limit");
    cp.put("max.poll.records", "1");
    try (KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer());
        KafkaShareConsumer<byte[], byte[]> consumer =
            new KafkaShareConsumer<>(
                cp, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      double[] ms = new double[HOPS];
      for (int i = -50; i < HOPS; i++) {
        long t0 = System.nanoTime();
        producer.send(new ProducerRecord<>(topic, new byte[64]));
        int got = 0;
        while (got == 0) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
            consumer.acknowledge(r, AcknowledgeType.ACCEPT);
            got++;
          }
        }
        consumer.commitAsync();
        if (i >= 0) {
          ms[i] = (System.nanoTime() - t0) / 1e6;
        }
      }
      f.put("kafka_share_hop_p50_ms", Stats.round(Stats.percentile(ms, 50), 3));
      f.put("kafka_share_hop_p99_ms", Stats.round(Stats.percentile(ms, 99), 3));
    } finally {
      try (Admin a = Admin.create(admin)) {
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

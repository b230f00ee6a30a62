package io.dataplane.common.outbox;

import io.dataplane.common.events.EventCodec;
import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.tracing.KafkaTracing;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The transactional outbox: an event is written in the same transaction as the state change that
 * causes it, and relayed to Kafka right after the commit.
 *
 * <p>{@link #append} inserts the event and {@code NOTIFY}s the table's channel; PostgreSQL delivers
 * the notification only when the transaction commits, so the relay thread wakes exactly then (push,
 * no polling). The relay also sweeps every {@code sweepMillis} for rows a crash left unsent. Rows
 * are claimed with {@code FOR UPDATE SKIP LOCKED}, so several replicas may relay. Delivery is at
 * least once; consumers are idempotent by {@code eventId}.
 *
 * <p>A row Kafka refuses for good (larger than the broker accepts, an invalid topic) is moved
 * aside: it gets {@code failed_at} and {@code failure}, the {@link FailureListener} is told (a
 * metric and an alert), and the other rows of its batch are still sent. A batch is rolled back and
 * retried only for failures that pass (the broker is down): from the first such row on, the rest of
 * the batch stays unsent and is sent again in order.
 *
 * <p>The table each service creates in its schema:
 *
 * <pre>
 * create table outbox (
 *   id bigserial primary key,
 *   event_id uuid not null unique,
 *   topic text not null,
 *   msg_key text,
 *   payload bytea not null,
 *   traceparent text,
 *   created_at timestamptz not null default now(),
 *   sent_at timestamptz,
 *   failed_at timestamptz,
 *   failure text);
 * create index outbox_unsent on outbox (id) where sent_at is null and failed_at is null;
 * </pre>
 */
public final class Outbox implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(Outbox.class.getName());

  private final String table;
  private final String channel;
  private static final EventCodec CODEC = new EventCodec();
  private final DataSource dataSource;
  private final Supplier<Producer<String, byte[]>> producer;
  private final long sweepMillis;
  private final AtomicLong relayed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final FailureListener onFailure;
  private volatile boolean running;
  private Thread thread;

  /** Told of every row moved aside because it can never be sent. */
  @FunctionalInterface
  public interface FailureListener {
    void failed(String topic, String key, byte[] payload, String reason);
  }

  /**
   * @param schema the service's schema, which holds the {@code outbox} table
   */
  public Outbox(
      String schema,
      DataSource dataSource,
      Supplier<Producer<String, byte[]>> producer,
      long sweepMillis) {
    this(schema, dataSource, producer, sweepMillis, (topic, key, payload, reason) -> {});
  }

  /**
   * @param schema the service's schema, which holds the {@code outbox} table
   * @param onFailure told of every row moved aside (after its transaction committed)
   */
  public Outbox(
      String schema,
      DataSource dataSource,
      Supplier<Producer<String, byte[]>> producer,
      long sweepMillis,
      FailureListener onFailure) {
    this.onFailure = onFailure;
    if (!schema.matches("[a-z_][a-z0-9_]*")) {
      throw new IllegalArgumentException("invalid schema " + schema);
    }
    this.table = schema + ".outbox";
    this.channel = schema + "_outbox";
    this.dataSource = dataSource;
    this.producer = producer;
    this.sweepMillis = sweepMillis;
  }

  /**
   * Adds an event to the outbox inside the caller's transaction ({@code connection} must be the one
   * the state change is written with).
   *
   * @param traceparent W3C trace parent to carry in the record's headers, or null
   */
  public void append(
      Connection connection, String topic, String key, EventEnvelope<?> event, String traceparent)
      throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "insert into "
                + table
                + " (event_id, topic, msg_key, payload, traceparent) values (?, ?, ?, ?, ?);"
                + " select pg_notify('"
                + channel
                + "', '')")) {
      ps.setObject(1, event.eventId());
      ps.setString(2, topic);
      ps.setString(3, key);
      ps.setBytes(4, CODEC.encode(event));
      ps.setString(5, traceparent);
      ps.execute();
    }
  }

  /** One event for {@link #appendAll}, encoded ahead of the transaction. */
  public record Item(String topic, String key, EventEnvelope<?> envelope, byte[] payload) {}

  /** Encodes an event for {@link #appendAll}. */
  public static Item item(String topic, String key, EventEnvelope<?> envelope) {
    return new Item(topic, key, envelope, CODEC.encode(envelope));
  }

  /**
   * Adds many events in one statement inside the caller's transaction: the same rows and NOTIFY as
   * {@link #append} (without trace parents), one round trip for a burst of events.
   */
  public void appendAll(Connection connection, List<Item> items) throws SQLException {
    if (items.isEmpty()) {
      return;
    }
    int n = items.size();
    UUID[] ids = new UUID[n];
    String[] topics = new String[n];
    String[] keys = new String[n];
    byte[][] payloads = new byte[n][];
    for (int i = 0; i < n; i++) {
      Item it = items.get(i);
      ids[i] = it.envelope().eventId();
      topics[i] = it.topic();
      keys[i] = it.key();
      payloads[i] = it.payload();
    }
    try (PreparedStatement ps =
        connection.prepareStatement(
            "insert into "
                + table
                + " (event_id, topic, msg_key, payload)"
                + " select * from unnest(?::uuid[], ?::text[], ?::text[], ?::bytea[]);"
                + " select pg_notify('"
                + channel
                + "', '')")) {
      ps.setArray(1, connection.createArrayOf("uuid", ids));
      ps.setArray(2, connection.createArrayOf("text", topics));
      ps.setArray(3, connection.createArrayOf("text", keys));
      ps.setArray(4, connection.createArrayOf("bytea", payloads));
      ps.execute();
    }
  }

  /** Starts the relay thread. */
  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    thread = new Thread(this::loop, "outbox-relay-" + table);
    thread.setDaemon(true);
    thread.start();
  }

  /** Events relayed since start. */
  public long relayedCount() {
    return relayed.get();
  }

  /** Rows moved aside since start because they can never be sent. */
  public long failedCount() {
    return failed.get();
  }

  /** Unsent rows now (for a queue-depth gauge). */
  public long pending() {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "select count(*) from " + table + " where sent_at is null and failed_at is null")) {
      return rs.next() ? rs.getLong(1) : 0;
    } catch (SQLException e) {
      return -1;
    }
  }

  private void loop() {
    while (running) {
      try (Connection listen = dataSource.getConnection()) {
        listen.setAutoCommit(true);
        try (Statement s = listen.createStatement()) {
          s.execute("listen " + channel);
        }
        PGConnection pg = listen.unwrap(PGConnection.class);
        relayAll();
        while (running) {
          PGNotification[] n = pg.getNotifications((int) sweepMillis);
          // woken by a commit, or the sweep period ran out: either way, send what is unsent
          relayAll();
          if (n == null && listen.isClosed()) {
            break;
          }
        }
      } catch (Exception e) {
        if (running) {
          LOG.log(Level.WARNING, "outbox relay of " + table + " failed; retrying: " + e);
          sleepQuietly(1000);
        }
      }
    }
  }

  /** Relays every unsent row now; returns how many were sent. */
  public int relayAll() throws Exception {
    int total = 0;
    int n;
    do {
      n = relayBatch(500);
      total += n;
    } while (n > 0 && running);
    return total;
  }

  /** One claimed row and its send. */
  private record Sending(long id, String topic, String key, byte[] payload, Future<?> send) {}

  private int relayBatch(int limit) throws Exception {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        List<Sending> rows = new ArrayList<>();
        try (PreparedStatement ps =
            c.prepareStatement(
                "select id, topic, msg_key, payload, traceparent from "
                    + table
                    + " where sent_at is null and failed_at is null"
                    + " order by id limit ? for update skip locked")) {
          ps.setInt(1, limit);
          try (ResultSet rs = ps.executeQuery()) {
            Producer<String, byte[]> p = producer.get();
            while (rs.next()) {
              RecordHeaders headers = new RecordHeaders();
              String tp = rs.getString(5);
              if (tp != null) {
                headers.add(KafkaTracing.TRACEPARENT, tp.getBytes(StandardCharsets.UTF_8));
              }
              String topic = rs.getString(2);
              String key = rs.getString(3);
              byte[] payload = rs.getBytes(4);
              Future<?> send;
              try {
                send = p.send(new ProducerRecord<>(topic, null, key, payload, headers));
              } catch (RuntimeException e) {
                send = CompletableFuture.failedFuture(e);
              }
              rows.add(new Sending(rs.getLong(1), topic, key, payload, send));
            }
          }
        }
        if (rows.isEmpty()) {
          c.commit();
          return 0;
        }
        List<Long> sent = new ArrayList<>();
        List<Sending> refused = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        Exception passing = null;
        for (Sending r : rows) {
          try {
            r.send().get(30, TimeUnit.SECONDS);
            sent.add(r.id());
          } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (!neverSendable(cause)) {
              passing = e;
              break; // this row and the rest are sent again, in order
            }
            refused.add(r);
            reasons.add(cause.toString());
          } catch (TimeoutException e) {
            passing = e;
            break;
          }
        }
        if (!sent.isEmpty()) {
          try (PreparedStatement ps =
              c.prepareStatement("update " + table + " set sent_at = now() where id = any(?)")) {
            ps.setArray(1, c.createArrayOf("bigint", sent.toArray()));
            ps.executeUpdate();
          }
        }
        for (int i = 0; i < refused.size(); i++) {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "update " + table + " set failed_at = now(), failure = ? where id = ?")) {
            ps.setString(1, reasons.get(i));
            ps.setLong(2, refused.get(i).id());
            ps.executeUpdate();
          }
        }
        c.commit();
        relayed.addAndGet(sent.size());
        for (int i = 0; i < refused.size(); i++) {
          Sending r = refused.get(i);
          failed.incrementAndGet();
          LOG.log(
              Level.SEVERE,
              "outbox row "
                  + r.id()
                  + " of "
                  + table
                  + " to "
                  + r.topic()
                  + " can never be sent and was moved aside (failed_at set): "
                  + reasons.get(i));
          try {
            onFailure.failed(r.topic(), r.key(), r.payload(), reasons.get(i));
          } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "outbox failure listener failed: " + e);
          }
        }
        if (passing != null) {
          throw passing;
        }
        return sent.size() + refused.size();
      } catch (Exception e) {
        c.rollback();
        throw e;
      }
    }
  }

  /**
   * Whether Kafka refuses the record for good: it is larger than the producer or broker accepts, or
   * its topic name is invalid. Failures of a broker that is down, and of rights an operator can
   * grant, are retried.
   */
  static boolean neverSendable(Throwable failure) {
    return failure instanceof RecordTooLargeException
        || failure instanceof RecordBatchTooLargeException
        || failure instanceof InvalidTopicException
        || failure instanceof InvalidRecordException
        || failure instanceof SerializationException;
  }

  /** Deletes rows sent more than {@code olderThanSeconds} ago; returns how many. */
  public int purgeSent(long olderThanSeconds) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "delete from " + table + " where sent_at < now() - make_interval(secs => ?)")) {
      ps.setLong(1, olderThanSeconds);
      return ps.executeUpdate();
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public synchronized void close() {
    running = false;
    if (thread != null) {
      thread.interrupt();
      try {
        thread.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}

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
 * <p>A service on the hot path may skip the relay's wake-up: {@link #write} inserts the row without
 * {@code NOTIFY}, and the committing thread hands the rows to Kafka itself with {@link #publish}
 * right after its commit. The relay then only marks them sent once Kafka acknowledged them, and its
 * periodic sweep sends what a crash or a refused send left (rows older than the sweep period, so a
 * row in flight is not sent twice; delivery stays at least once either way).
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
  private final java.util.concurrent.ConcurrentLinkedQueue<Long> acked =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  private volatile long directOffUntil;

  /** A row written by {@link #write}, to {@link #publish} once its transaction committed. */
  public record Written(long id, String topic, String key, byte[] payload, String traceparent) {}

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

  /**
   * Adds an event to the outbox inside the caller's transaction without waking the relay: the
   * caller passes the returned row to {@link #publish} after the commit (and drops it on rollback).
   */
  public Written write(
      Connection connection, String topic, String key, EventEnvelope<?> event, String traceparent)
      throws SQLException {
    byte[] payload = CODEC.encode(event);
    try (PreparedStatement ps =
        connection.prepareStatement(
            "insert into "
                + table
                + " (event_id, topic, msg_key, payload, traceparent) values (?, ?, ?, ?, ?)"
                + " returning id")) {
      ps.setObject(1, event.eventId());
      ps.setString(2, topic);
      ps.setString(3, key);
      ps.setBytes(4, payload);
      ps.setString(5, traceparent);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new Written(rs.getLong(1), topic, key, payload, traceparent);
      }
    }
  }

  /**
   * Sends rows of a committed transaction to Kafka from the calling thread, in order, without
   * waiting for the acknowledgements (the relay marks acknowledged rows sent). A row whose send
   * fails stays unsent for the sweep. While Kafka refuses sends, direct sends pause for one sweep
   * period so that committing threads do not block on a broker that is down.
   */
  public void publish(List<Written> rows) {
    if (rows.isEmpty() || System.currentTimeMillis() < directOffUntil) {
      return;
    }
    try {
      Producer<String, byte[]> p = producer.get();
      for (Written w : rows) {
        RecordHeaders headers = new RecordHeaders();
        if (w.traceparent() != null) {
          headers.add(KafkaTracing.TRACEPARENT, w.traceparent().getBytes(StandardCharsets.UTF_8));
        }
        long id = w.id();
        p.send(
            new ProducerRecord<>(w.topic(), null, w.key(), w.payload(), headers),
            (meta, error) -> {
              if (error == null) {
                acked.add(id);
              } else if (!neverSendable(error)) {
                // the broker is unreachable: leave the next rows to the relay for a while
                directOffUntil = System.currentTimeMillis() + sweepMillis;
              }
            });
      }
    } catch (RuntimeException e) {
      directOffUntil = System.currentTimeMillis() + sweepMillis;
      LOG.log(Level.FINE, "direct send failed; the relay's sweep sends the rows: " + e);
    }
  }

  /**
   * Marks the rows Kafka acknowledged after {@link #publish} sent them (the relay thread does this
   * on every wake-up).
   */
  public void markAcknowledged() throws SQLException {
    if (acked.isEmpty()) {
      return;
    }
    List<Long> ids = new ArrayList<>();
    Long id;
    while ((id = acked.poll()) != null) {
      ids.add(id);
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "update " + table + " set sent_at = now() where id = any(?) and sent_at is null")) {
      ps.setArray(1, c.createArrayOf("bigint", ids.toArray()));
      ps.executeUpdate();
    } catch (SQLException e) {
      acked.addAll(ids);
      throw e;
    }
    relayed.addAndGet(ids.size());
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
        long lastSweep = System.currentTimeMillis();
        // short waits while directly published rows wait to be marked sent
        int markMillis = (int) Math.min(sweepMillis, 50);
        while (running) {
          PGNotification[] n =
              pg.getNotifications(acked.isEmpty() ? (int) sweepMillis : markMillis);
          markAcknowledged();
          if (n != null && n.length > 0) {
            relayAll(); // woken by a commit of rows appended for the relay
          } else if (System.currentTimeMillis() - lastSweep >= sweepMillis) {
            // the sweep: rows no one sent; a row written for a direct send gets its chance first
            relayOlder(sweepMillis);
            lastSweep = System.currentTimeMillis();
          }
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
    return relayOlder(0);
  }

  /** Relays every unsent row written more than {@code minAgeMillis} ago. */
  private int relayOlder(long minAgeMillis) throws Exception {
    int total = 0;
    int n;
    do {
      n = relayBatch(500, minAgeMillis);
      total += n;
    } while (n > 0 && running);
    return total;
  }

  /** One claimed row and its send. */
  private record Sending(long id, String topic, String key, byte[] payload, Future<?> send) {}

  private int relayBatch(int limit, long minAgeMillis) throws Exception {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        List<Sending> rows = new ArrayList<>();
        try (PreparedStatement ps =
            c.prepareStatement(
                "select id, topic, msg_key, payload, traceparent from "
                    + table
                    + " where sent_at is null and failed_at is null"
                    + " and created_at <= now() - make_interval(secs => ?)"
                    + " order by id limit ? for update skip locked")) {
          ps.setDouble(1, minAgeMillis / 1000.0);
          ps.setInt(2, limit);
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

package io.dataplane.common.messaging;

import io.dataplane.common.events.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The dead-letter rule of every consumer: a record that fails for a reason retrying cannot fix (it
 * is unreadable, or the database refuses its data) is copied to {@link Topics#DEAD_LETTERS} and the
 * consumer moves on; a record that fails because something is down (the database, the broker) is
 * retried, never dead-lettered.
 *
 * <p>A dead letter keeps the original value and headers; its key is the source topic; headers
 * {@code dp-dead-letter-*} say why and where from (topic, partition, offset, key, consumer).
 */
public final class DeadLetters {

  public static final String REASON = "dp-dead-letter-reason";
  public static final String DETAIL = "dp-dead-letter-detail";
  public static final String TOPIC = "dp-dead-letter-topic";
  public static final String PARTITION = "dp-dead-letter-partition";
  public static final String OFFSET = "dp-dead-letter-offset";
  public static final String KEY = "dp-dead-letter-key";
  public static final String CONSUMER = "dp-dead-letter-consumer";

  /** The record is not an event this version can read. */
  public static final String UNREADABLE = "unreadable";

  /** The database refused the record's data (SQL state class 22 or 23). */
  public static final String REFUSED_BY_DATABASE = "refused-by-database";

  /** Processing failed for another reason that retrying does not change (a bug, bad data). */
  public static final String PROCESSING_FAILED = "processing-failed";

  /** SQL state classes of failures that go away by themselves: connection, resources, locks. */
  private static final Set<String> TRANSIENT_SQL_CLASSES =
      Set.of("08", "40", "53", "55", "57", "58", "XX", "HV");

  private static final int MAX_DETAIL = 1000;

  private DeadLetters() {}

  /** The dead letter of {@code source}. */
  public static ProducerRecord<String, byte[]> record(
      ConsumerRecord<String, byte[]> source, String consumer, String reason, String detail) {
    RecordHeaders headers = new RecordHeaders();
    for (Header h : source.headers()) {
      headers.add(h);
    }
    add(headers, REASON, reason);
    add(headers, DETAIL, truncate(detail));
    add(headers, TOPIC, source.topic());
    add(headers, PARTITION, String.valueOf(source.partition()));
    add(headers, OFFSET, String.valueOf(source.offset()));
    add(headers, KEY, source.key());
    add(headers, CONSUMER, consumer);
    return new ProducerRecord<>(Topics.DEAD_LETTERS, null, source.topic(), source.value(), headers);
  }

  /**
   * The same dead letter without the original value, for a value too large to send again (header
   * {@code dp-dead-letter-value-dropped}); the headers still say where to find it.
   */
  public static ProducerRecord<String, byte[]> withoutValue(ProducerRecord<String, byte[]> dead) {
    RecordHeaders headers = new RecordHeaders(dead.headers().toArray());
    add(headers, "dp-dead-letter-value-dropped", "too large to send again");
    return new ProducerRecord<>(dead.topic(), null, dead.key(), null, headers);
  }

  /** The reason label of a failure that {@link #isTransient} says is permanent. */
  public static String reasonOf(Throwable failure) {
    SQLException sql = find(failure, SQLException.class);
    if (sql != null && sql.getSQLState() != null) {
      return REFUSED_BY_DATABASE;
    }
    return PROCESSING_FAILED;
  }

  /**
   * Whether retrying may help: the database or the broker is down, a connection broke, a lock or a
   * serialization conflict. Data errors (SQL state classes 22 and 23), unreadable JSON and bugs are
   * permanent.
   */
  public static boolean isTransient(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLTransientException
          || t instanceof SQLRecoverableException
          || t instanceof SQLNonTransientConnectionException
          || t instanceof IOException
          || t instanceof java.util.concurrent.TimeoutException
          || t instanceof RetriableException) {
        return true;
      }
      if (t instanceof SQLException s) {
        String state = s.getSQLState();
        // no state: the pool could not give a connection, the driver lost it
        return state == null
            || state.length() < 2
            || TRANSIENT_SQL_CLASSES.contains(state.substring(0, 2));
      }
    }
    return false;
  }

  /** A short description of a failure for the dead letter's detail header and the log. */
  public static String describe(Throwable failure) {
    SQLException sql = find(failure, SQLException.class);
    Throwable t = sql != null ? sql : failure;
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return sql != null
        ? "SQL state " + sql.getSQLState() + ": " + m
        : t.getClass().getName() + ": " + m;
  }

  private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  private static String truncate(String s) {
    return s == null || s.length() <= MAX_DETAIL ? s : s.substring(0, MAX_DETAIL) + "…";
  }

  private static void add(RecordHeaders headers, String name, String value) {
    if (value != null) {
      headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
  }
}

package io.dataplane.common.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.dataplane.common.events.Topics;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class DeadLettersTest {

  @Test
  void dataErrorsArePermanentOutagesAreTransient() {
    // 22P05: jsonb refuses \u0000; 22021: text refuses a NUL byte; 23505: unique violation
    assertThat(DeadLetters.isTransient(wrap(new SQLException("bad", "22P05")))).isFalse();
    assertThat(DeadLetters.isTransient(wrap(new SQLException("bad", "22021")))).isFalse();
    assertThat(DeadLetters.isTransient(wrap(new SQLException("dup", "23505")))).isFalse();
    assertThat(DeadLetters.reasonOf(wrap(new SQLException("bad", "22P05"))))
        .isEqualTo(DeadLetters.REFUSED_BY_DATABASE);
    // the database is down, restarting, out of connections, or a conflict
    assertThat(DeadLetters.isTransient(wrap(new SQLException("refused", "08001")))).isTrue();
    assertThat(DeadLetters.isTransient(wrap(new SQLException("shutdown", "57P01")))).isTrue();
    assertThat(DeadLetters.isTransient(wrap(new SQLException("too many", "53300")))).isTrue();
    assertThat(DeadLetters.isTransient(wrap(new SQLException("deadlock", "40P01")))).isTrue();
    assertThat(DeadLetters.isTransient(wrap(new SQLException("acquisition timeout")))).isTrue();
    assertThat(DeadLetters.isTransient(wrap(new SQLTransientConnectionException("x")))).isTrue();
    // a bug or bad data outside the database: retrying gives the same answer
    assertThat(DeadLetters.isTransient(new NullPointerException())).isFalse();
    assertThat(DeadLetters.reasonOf(new IllegalArgumentException()))
        .isEqualTo(DeadLetters.PROCESSING_FAILED);
  }

  @Test
  void aDeadLetterKeepsTheValueAndSaysWhyAndWhereFrom() {
    ConsumerRecord<String, byte[]> src =
        new ConsumerRecord<>(Topics.TASK_EVENTS, 3, 42L, "run-1", new byte[] {1, 2, 3});
    src.headers().add("traceparent", "tp".getBytes(StandardCharsets.UTF_8));
    ProducerRecord<String, byte[]> dl =
        DeadLetters.record(src, "orchestrator/task-events", DeadLetters.UNREADABLE, "not JSON");
    assertThat(dl.topic()).isEqualTo(Topics.DEAD_LETTERS);
    assertThat(dl.key()).isEqualTo(Topics.TASK_EVENTS);
    assertThat(dl.value()).containsExactly(1, 2, 3);
    assertThat(header(dl, DeadLetters.REASON)).isEqualTo("unreadable");
    assertThat(header(dl, DeadLetters.TOPIC)).isEqualTo(Topics.TASK_EVENTS);
    assertThat(header(dl, DeadLetters.PARTITION)).isEqualTo("3");
    assertThat(header(dl, DeadLetters.OFFSET)).isEqualTo("42");
    assertThat(header(dl, DeadLetters.KEY)).isEqualTo("run-1");
    assertThat(header(dl, "traceparent")).isEqualTo("tp");
  }

  private static RuntimeException wrap(SQLException e) {
    return new IllegalStateException("database error: " + e.getMessage(), e);
  }

  private static String header(ProducerRecord<String, byte[]> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}

package io.dataplane.orchestrator.engine;

import java.time.Duration;
import java.time.Instant;

/** Timeouts: when an attempt or a run must have ended, and whether a timer fired on time. */
public final class Deadlines {

  /** A timer may fire this much early (the clock's resolution); it is re-armed when earlier. */
  static final Duration SLACK = Duration.ofMillis(5);

  private Deadlines() {}

  /** An attempt's deadline: its task's timeout (ISO-8601, or null for none) plus the grace. */
  public static Instant attempt(String timeout, Instant claimedAt, Duration grace) {
    return timeout == null ? null : claimedAt.plus(Duration.parse(timeout)).plus(grace);
  }

  /** A run's deadline: its maxDuration (ISO-8601, or null for none) from when it started. */
  public static Instant run(String maxDuration, Instant startedAt) {
    return maxDuration == null ? null : startedAt.plus(Duration.parse(maxDuration));
  }

  /** Whether a timer for {@code due} that fires at {@code now} is due (else: arm it again). */
  public static boolean due(Instant due, Instant now) {
    return !due.isAfter(now.plus(SLACK));
  }
}

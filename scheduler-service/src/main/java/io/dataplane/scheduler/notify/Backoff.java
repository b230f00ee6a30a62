package io.dataplane.scheduler.notify;

import java.time.Duration;

/**
 * When a failed delivery is tried again: {@code base × 2^(attempt-1)}, at most {@code max}, plus up
 * to a fifth more at random so that receivers coming back are not hit by every sender at once.
 * Plain Java.
 */
public record Backoff(Duration base, Duration max) {

  /** The delay after the {@code attempt}-th failed attempt (1 = the first), before jitter. */
  public Duration delay(int attempt) {
    int shift = Math.max(0, Math.min(attempt - 1, 30));
    long ms = base.toMillis() << shift;
    if (ms <= 0 || ms > max.toMillis()) {
      ms = max.toMillis();
    }
    return Duration.ofMillis(ms);
  }

  /** {@link #delay} with a jitter of up to 20 % ({@code random} in [0, 1)). */
  public Duration delay(int attempt, double random) {
    Duration d = delay(attempt);
    return d.plusMillis((long) (d.toMillis() * 0.2 * random));
  }
}

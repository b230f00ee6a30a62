package io.dataplane.orchestrator.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * When an attempt that a live worker no longer reports has lost its result.
 *
 * <p>A worker lists in every heartbeat the attempts it holds: from the moment it has the claim's
 * answer until Kafka acknowledged the attempt's {@code AttemptFinished}. So a heartbeat that leaves
 * out an attempt of that worker says "its result, if there is one, is already in Kafka", but only
 * if the heartbeat was <em>built</em> after the worker knew of the claim. Heartbeats travel through
 * Kafka and claims through REST: under load (a 200-task fan-out) a heartbeat built just before a
 * claim is read seconds after it, and used to mark the attempt as unreported although its result
 * did not exist yet; once the task-events consumer had been read to its end after that mark, the
 * attempt was re-queued while its result was still on the way. Two rules close that:
 *
 * <ul>
 *   <li>a heartbeat speaks only for attempts claimed at least {@link #SETTLE} before it was built
 *       ({@link #claimedBefore}): that covers the claim's round trip and the clock difference
 *       between the worker and the orchestrator's database;
 *   <li>the task events count as read to their end only when the broker's end offsets, asked after
 *       the instant that is recorded, were reached ({@link #readToEnd}), never against ends cached
 *       from a fetch that may be seconds old after a long batch.
 * </ul>
 *
 * Then an attempt is lost ({@link #lost}) when it was left out for the whole window, was claimed
 * (and started) at least as long ago, and the task events were read to their end after it was first
 * left out.
 */
public final class LostResultRule {

  /**
   * How long after a claim a heartbeat may still have been built without the attempt in it: the
   * claim's answer reaching the worker, plus the clock difference between worker and database.
   */
  public static final Duration SETTLE = Duration.ofSeconds(5);

  private final Duration window;

  /**
   * @param window how long an attempt must stay unreported; zero turns the rule off
   */
  public LostResultRule(Duration window) {
    this.window = window;
  }

  public boolean off() {
    return window.isZero() || window.isNegative();
  }

  /**
   * The attempts a heartbeat built at {@code builtAt} (the worker's clock) can speak for: those
   * claimed before the returned instant. Null when the heartbeat carries no build time: it speaks
   * for none.
   */
  public static Instant claimedBefore(Instant builtAt) {
    return builtAt == null ? null : builtAt.minus(SETTLE);
  }

  /**
   * Whether an attempt is lost at {@code now}.
   *
   * @param unreportedSince when a heartbeat that speaks for it first left it out (null: reported)
   * @param claimedAt its claim
   * @param startedAt its start (null when it has not started)
   * @param eventsReadTo every task event published before this instant has been applied
   */
  public boolean lost(
      Instant unreportedSince,
      Instant claimedAt,
      Instant startedAt,
      Instant eventsReadTo,
      Instant now) {
    if (off() || unreportedSince == null || claimedAt == null || now == null) {
      return false;
    }
    Instant limit = now.minus(window);
    Instant taken = startedAt != null && startedAt.isAfter(claimedAt) ? startedAt : claimedAt;
    return unreportedSince.isBefore(limit)
        && taken.isBefore(limit)
        && eventsReadTo != null
        && unreportedSince.isBefore(eventsReadTo);
  }

  /**
   * Whether a consumer at {@code positions} has read every partition to the {@code ends} the broker
   * gave; a partition without a known end or position is not read.
   */
  public static <P> boolean readToEnd(Map<P, Long> positions, Map<P, Long> ends) {
    if (ends.isEmpty()) {
      return false;
    }
    for (Map.Entry<P, Long> e : ends.entrySet()) {
      Long at = positions.get(e.getKey());
      if (at == null || e.getValue() == null || at < e.getValue()) {
        return false;
      }
    }
    return true;
  }
}

package io.dataplane.orchestrator;

import java.time.Instant;
import java.util.UUID;

/**
 * One try of a task run on one worker; {@code (taskRunId, attempt)} is its fencing token.
 *
 * @param state DISPATCHED, CLAIMED, RUNNING, SUCCEEDED, FAILED, TIMED_OUT, CANCELLED, ERROR,
 *     INTERRUPTED or LOST
 */
public record Attempt(
    UUID taskRunId,
    int attempt,
    String state,
    String workerId,
    Instant dispatchedAt,
    Instant claimedAt,
    Instant startedAt,
    Instant finishedAt,
    Instant deadlineAt,
    Integer exitCode,
    String error,
    boolean logsComplete) {

  public static final String DISPATCHED = "DISPATCHED";
  public static final String CLAIMED = "CLAIMED";
  public static final String RUNNING = "RUNNING";
  public static final String LOST = "LOST";
  public static final String CANCELLED = "CANCELLED";

  /** How the attempt ended, as its worker or the orchestrator saw it; null while active or LOST. */
  @com.fasterxml.jackson.annotation.JsonProperty("outcome")
  public String outcome() {
    return active() || LOST.equals(state) ? null : state;
  }

  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean active() {
    return DISPATCHED.equals(state) || CLAIMED.equals(state) || RUNNING.equals(state);
  }
}

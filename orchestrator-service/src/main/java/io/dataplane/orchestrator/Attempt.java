package io.dataplane.orchestrator;

import io.dataplane.orchestrator.engine.AttemptState;
import java.time.Instant;
import java.util.UUID;

/**
 * One try of a task run on one worker; {@code (taskRunId, attempt)} is its fencing token.
 *
 * @param state its state; the moves allowed between states are {@link AttemptState}'s
 */
public record Attempt(
    UUID taskRunId,
    int attempt,
    AttemptState state,
    String workerId,
    Instant dispatchedAt,
    Instant claimedAt,
    Instant startedAt,
    Instant finishedAt,
    Instant deadlineAt,
    Integer exitCode,
    String error,
    boolean logsComplete) {

  /** How the attempt ended, as its worker or the orchestrator saw it; null while active or LOST. */
  @com.fasterxml.jackson.annotation.JsonProperty("outcome")
  public String outcome() {
    return active() || state == AttemptState.LOST ? null : state.name();
  }

  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean active() {
    return state.isActive();
  }
}

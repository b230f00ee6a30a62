package io.dataplane.common.events;

import java.time.Instant;
import java.util.UUID;

/**
 * A worker started the process of an attempt it had claimed.
 *
 * @param attemptToken the attempt's token from its TaskDispatched: the orchestrator accepts the
 *     event only with a genuine token of this very attempt
 */
public record AttemptStarted(
    UUID runId,
    UUID taskRunId,
    int attempt,
    String workerId,
    Instant startedAt,
    String attemptToken)
    implements Event {

  /** Without a token (refused by the orchestrator; for tests of that). */
  public AttemptStarted(
      UUID runId, UUID taskRunId, int attempt, String workerId, Instant startedAt) {
    this(runId, taskRunId, attempt, workerId, startedAt, null);
  }

  @Override
  public String toString() {
    return "AttemptStarted[taskRunId="
        + taskRunId
        + ", attempt="
        + attempt
        + ", workerId="
        + workerId
        + "]";
  }
}

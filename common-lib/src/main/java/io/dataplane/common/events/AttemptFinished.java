package io.dataplane.common.events;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * An attempt ended. The orchestrator accepts it only for the current {@code (taskRunId, attempt)}.
 *
 * @param exitCode the process's exit code, or null when it never ran or was killed
 * @param outputs the JSON object the task wrote to {@code DP_OUTPUT}, or null
 * @param attemptToken the attempt's token from its TaskDispatched: the orchestrator accepts the
 *     result only with a genuine token of this very attempt
 */
public record AttemptFinished(
    UUID runId,
    UUID taskRunId,
    int attempt,
    String workerId,
    AttemptOutcome outcome,
    Integer exitCode,
    Map<String, Object> outputs,
    String error,
    long durationMillis,
    Instant finishedAt,
    String attemptToken)
    implements Event {

  /** Without a token (refused by the orchestrator; for tests of that). */
  public AttemptFinished(
      UUID runId,
      UUID taskRunId,
      int attempt,
      String workerId,
      AttemptOutcome outcome,
      Integer exitCode,
      Map<String, Object> outputs,
      String error,
      long durationMillis,
      Instant finishedAt) {
    this(
        runId,
        taskRunId,
        attempt,
        workerId,
        outcome,
        exitCode,
        outputs,
        error,
        durationMillis,
        finishedAt,
        null);
  }

  /** The same result, carrying the attempt's token. */
  public AttemptFinished withToken(String token) {
    return new AttemptFinished(
        runId,
        taskRunId,
        attempt,
        workerId,
        outcome,
        exitCode,
        outputs,
        error,
        durationMillis,
        finishedAt,
        token);
  }

  @Override
  public String toString() {
    return "AttemptFinished[taskRunId="
        + taskRunId
        + ", attempt="
        + attempt
        + ", workerId="
        + workerId
        + ", outcome="
        + outcome
        + ", exitCode="
        + exitCode
        + "]";
  }
}

package io.dataplane.common.events;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * An attempt ended. The orchestrator accepts it only for the current {@code (taskRunId, attempt)}.
 *
 * @param exitCode the process's exit code, or null when it never ran or was killed
 * @param outputs the JSON object the task wrote to {@code DP_OUTPUT}, or null
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
    Instant finishedAt)
    implements Event {}

package io.dataplane.worker.runner;

import io.dataplane.common.events.AttemptOutcome;
import java.util.Map;

/**
 * How one process ended.
 *
 * @param exitCode the exit code, or null when the process never ran or was killed
 * @param outputs the object the task wrote to {@code DP_OUTPUT}, or null
 * @param error why it did not succeed, or null
 * @param spawnNanos time spent in starting the process
 */
public record AttemptResult(
    AttemptOutcome outcome,
    Integer exitCode,
    Map<String, Object> outputs,
    String error,
    long durationMillis,
    long logBytes,
    boolean logTruncated,
    long spawnNanos) {}

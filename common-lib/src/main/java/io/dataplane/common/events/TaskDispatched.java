package io.dataplane.common.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One attempt of a task run, handed to the workers of a group. Everything a worker needs to run it
 * is here; secrets travel as names only and are resolved with {@code attemptToken}.
 *
 * @param script inline script, or null when {@code entrypoint} names a file of the bundle
 * @param inputs upstream task key → that task's output object
 * @param timeoutMillis wall-clock limit of the attempt, or null for none
 */
public record TaskDispatched(
    String environment,
    String pipeline,
    UUID runId,
    UUID taskRunId,
    String taskKey,
    int attempt,
    String releaseId,
    String bundleDigest,
    String workerGroup,
    String runtime,
    String script,
    String entrypoint,
    Map<String, String> env,
    Map<String, Object> params,
    List<String> secrets,
    boolean network,
    Long timeoutMillis,
    Map<String, Object> inputs,
    String attemptToken,
    Instant dispatchedAt)
    implements Event {}

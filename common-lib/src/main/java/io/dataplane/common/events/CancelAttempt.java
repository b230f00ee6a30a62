package io.dataplane.common.events;

import java.util.UUID;

/** Tells the worker running an attempt to kill its process group. */
public record CancelAttempt(String workerId, UUID runId, UUID taskRunId, int attempt, String reason)
    implements Event {}

package io.dataplane.common.events;

import java.time.Instant;
import java.util.UUID;

/** A worker started the process of an attempt it had claimed. */
public record AttemptStarted(
    UUID runId, UUID taskRunId, int attempt, String workerId, Instant startedAt) implements Event {}

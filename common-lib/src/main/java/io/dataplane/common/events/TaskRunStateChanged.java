package io.dataplane.common.events;

import java.util.UUID;

/** A task run moved from one state to another. */
public record TaskRunStateChanged(
    UUID runId,
    UUID taskRunId,
    String taskKey,
    int attempt,
    TaskRunState state,
    TaskRunState previous,
    String error)
    implements Event {}

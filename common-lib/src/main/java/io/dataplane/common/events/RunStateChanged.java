package io.dataplane.common.events;

import java.util.UUID;

/** A run moved from one state to another. */
public record RunStateChanged(
    UUID runId, String environment, String pipeline, RunState state, RunState previous)
    implements Event {}

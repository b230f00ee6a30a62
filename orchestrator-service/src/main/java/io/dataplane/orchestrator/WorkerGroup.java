package io.dataplane.orchestrator;

import java.time.Instant;

/**
 * A named pool of workers in an environment; its tasks go to {@code
 * dataplane.task-dispatch.<name>}.
 */
public record WorkerGroup(
    String environment, String name, String description, Instant createdAt, String createdBy) {}

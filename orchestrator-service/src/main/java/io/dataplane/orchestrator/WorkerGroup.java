package io.dataplane.orchestrator;

import java.time.Instant;

/**
 * A named pool of workers in an environment; its tasks go to {@code
 * dataplane.task-dispatch.<environment>.<name>}, read only by workers that serve {@code
 * <environment>/<name>}.
 */
public record WorkerGroup(
    String environment, String name, String description, Instant createdAt, String createdBy) {}

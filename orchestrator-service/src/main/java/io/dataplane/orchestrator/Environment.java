package io.dataplane.orchestrator;

import java.time.Instant;

/** An isolated space: pipelines, worker groups and runs belong to one. */
public record Environment(String name, String description, Instant createdAt, String createdBy) {}

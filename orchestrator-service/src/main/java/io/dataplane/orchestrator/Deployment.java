package io.dataplane.orchestrator;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** A promotion of a release into another environment: who, when, from where. */
public record Deployment(
    UUID id,
    UUID releaseId,
    String environment,
    String pipeline,
    String fromEnvironment,
    UUID fromReleaseId,
    Map<String, String> workerGroupMap,
    String deployedBy,
    Instant deployedAt) {}

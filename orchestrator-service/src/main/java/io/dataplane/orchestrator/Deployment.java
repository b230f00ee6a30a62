package io.dataplane.orchestrator;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A change of the release a pipeline's new runs use in an environment: a promotion from another
 * environment ({@code PROMOTION}) or a roll back to an earlier release ({@code ROLLBACK}, where
 * {@code fromReleaseId} is the release it replaced and {@code fromEnvironment} the same
 * environment). Who, when, from where.
 */
public record Deployment(
    UUID id,
    String kind,
    UUID releaseId,
    String environment,
    String pipeline,
    String fromEnvironment,
    UUID fromReleaseId,
    Map<String, String> workerGroupMap,
    String deployedBy,
    Instant deployedAt) {}

package io.dataplane.orchestrator;

import io.dataplane.orchestrator.dag.PipelineDefinition;
import java.time.Instant;
import java.util.UUID;

/**
 * An immutable, content-addressed version of a pipeline.
 *
 * @param digest {@code sha256:} of the normalized definition and the bundle digest
 */
public record Release(
    UUID id,
    String environment,
    String pipeline,
    String digest,
    String bundleDigest,
    PipelineDefinition definition,
    Instant createdAt,
    String createdBy) {}

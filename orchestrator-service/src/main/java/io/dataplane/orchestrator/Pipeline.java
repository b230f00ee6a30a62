package io.dataplane.orchestrator;

import io.dataplane.orchestrator.dag.PipelineDefinition;
import java.time.Instant;

/**
 * A pipeline's draft: its source as written and its normalized definition.
 *
 * @param latestReleaseId the newest release of the pipeline in this environment, or null
 */
public record Pipeline(
    String environment,
    String name,
    PipelineDefinition definition,
    String source,
    String sourceFormat,
    Instant createdAt,
    String createdBy,
    Instant updatedAt,
    String updatedBy,
    String latestReleaseId) {}

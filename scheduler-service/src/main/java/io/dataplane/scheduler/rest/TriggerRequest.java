package io.dataplane.scheduler.rest;

import io.dataplane.common.triggers.TriggerSpec;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The body of a trigger create or replace (docs/triggers.md). */
@Schema(description = "An event trigger definition")
public record TriggerRequest(
    @Schema(description = "Unique in the environment", example = "load-after-extract") String name,
    @Schema(description = "The pipeline a fire runs", example = "load") String pipeline,
    @Schema(description = "COMPLETION, WEBHOOK or KAFKA") String kind,
    String description,
    @Schema(description = "COMPLETION: the pipeline whose runs are watched (same environment)")
        String upstreamPipeline,
    @Schema(description = "COMPLETION: SUCCEEDED (default), FAILED or ANY") String onState,
    @Schema(description = "KAFKA: the external topic") String topic,
    @Schema(description = "KAFKA: only messages whose top-level JSON field has filterValue")
        String filterField,
    String filterValue,
    @Schema(description = "WEBHOOK: TOKEN (default) or HMAC") String auth,
    @Schema(description = "WEBHOOK HMAC: the environment secret holding the signing key")
        String secretName,
    @Schema(description = "Run params; string values are Mustache templates of the event")
        Map<String, Object> params,
    @Schema(description = "false creates the trigger paused (default true)") Boolean enabled,
    @Schema(description = "A release id to pin; absent: the latest release") String releaseId,
    @Schema(description = "WEBHOOK TOKEN: true issues a new token on replace")
        Boolean rotateToken) {

  /** The fields the trigger rules check. */
  public TriggerSpec spec() {
    return new TriggerSpec(
        name,
        pipeline,
        kind,
        description,
        upstreamPipeline,
        onState,
        topic,
        filterField,
        filterValue,
        auth,
        secretName,
        params,
        enabled);
  }
}

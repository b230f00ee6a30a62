package io.dataplane.scheduler.rest;

import io.dataplane.scheduler.Trigger;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A trigger as returned by the API. {@code token} is set only in the answer that created or rotated
 * a TOKEN webhook: it is stored hashed and cannot be read again. {@code declared}: the trigger
 * comes from its pipeline's definition ({@code triggers:}) and changes only with a release.
 */
public record TriggerView(
    UUID id,
    String environment,
    String name,
    String pipeline,
    String kind,
    String description,
    String upstreamPipeline,
    String onState,
    String topic,
    String filterField,
    String filterValue,
    String auth,
    String secretName,
    String hookPath,
    String token,
    Map<String, Object> params,
    String state,
    String stateReason,
    String releaseMode,
    String releaseId,
    String latestReleaseId,
    Instant createdAt,
    String createdBy,
    Instant updatedAt,
    String updatedBy,
    boolean declared) {

  public static TriggerView of(Trigger t) {
    return of(t, null);
  }

  public static TriggerView of(Trigger t, String token) {
    return new TriggerView(
        t.id(),
        t.environment(),
        t.name(),
        t.pipeline(),
        t.kind().name(),
        t.description(),
        t.upstreamPipeline(),
        t.onState(),
        t.topic(),
        t.filterField(),
        t.filterValue(),
        t.auth(),
        t.secretName(),
        t.kind() == Trigger.Kind.WEBHOOK ? "/api/v1/hooks/" + t.id() : null,
        token,
        t.params(),
        t.state().name(),
        t.stateReason(),
        t.releaseId() == null ? "LATEST" : "PINNED",
        t.releaseId(),
        t.latestReleaseId(),
        t.createdAt(),
        t.createdBy(),
        t.updatedAt(),
        t.updatedBy(),
        t.declared());
  }
}

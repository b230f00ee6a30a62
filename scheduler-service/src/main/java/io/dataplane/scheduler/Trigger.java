package io.dataplane.scheduler;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * An event trigger as stored: starts a run of {@code pipeline} when its event happens. {@code
 * params} are templates rendered per event (see {@link
 * io.dataplane.common.triggers.ParamTemplates}). {@code releaseId} null means "the pipeline's
 * latest release", as for schedules.
 */
public record Trigger(
    UUID id,
    String environment,
    String name,
    String pipeline,
    Kind kind,
    String description,
    String upstreamPipeline,
    String onState,
    String topic,
    String filterField,
    String filterValue,
    String auth,
    String tokenHash,
    String secretName,
    Map<String, Object> params,
    Schedule.State state,
    String stateReason,
    String releaseId,
    String latestReleaseId,
    Instant createdAt,
    String createdBy,
    Instant updatedAt,
    String updatedBy) {

  /** What a trigger listens to. */
  public enum Kind {
    /** A run of another pipeline of the same environment ended in a chosen state. */
    COMPLETION,
    /** An HTTP delivery to {@code POST /api/v1/hooks/{id}} at the gateway. */
    WEBHOOK,
    /** A message on an external Kafka topic. */
    KAFKA
  }

  /**
   * Whether the trigger is declared in its pipeline's definition ({@code triggers:}) rather than
   * made through the API. Its stored name is {@code <pipeline>/<name>}: the API's names cannot hold
   * a '/', so the two never collide.
   */
  public boolean declared() {
    return name.indexOf('/') > 0;
  }

  /** The stored name of a trigger a pipeline's definition declares. */
  public static String declaredName(String pipeline, String name) {
    return pipeline + "/" + name;
  }

  /** The release a fire runs: the pinned one, else the latest seen, else null (orchestrator's). */
  public String releaseForFire() {
    return releaseId != null ? releaseId : latestReleaseId;
  }

  /**
   * The idempotency key of the run of one event: {@code trigger:<triggerId>@<eventId>}. Scoped by
   * the trigger, so two triggers on the same event each start their own run, and a redelivered
   * event never starts a second one.
   */
  public static String requestId(UUID triggerId, String eventId) {
    return "trigger:" + triggerId + "@" + eventId;
  }

  public Trigger withState(Schedule.State s, String reason, Instant at, String actor) {
    return copy(tokenHash, s, reason, latestReleaseId, at, actor);
  }

  /** The same trigger with this webhook token hash. */
  public Trigger withTokenHash(String hash) {
    return copy(hash, state, stateReason, latestReleaseId, updatedAt, updatedBy);
  }

  /** The same trigger, with this latest release of its pipeline. */
  public Trigger withLatest(String latest) {
    return copy(tokenHash, state, stateReason, latest, updatedAt, updatedBy);
  }

  private Trigger copy(
      String tokenHash,
      Schedule.State state,
      String stateReason,
      String latestReleaseId,
      Instant updatedAt,
      String updatedBy) {
    return new Trigger(
        id,
        environment,
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
        tokenHash,
        secretName,
        params,
        state,
        stateReason,
        releaseId,
        latestReleaseId,
        createdAt,
        createdBy,
        updatedAt,
        updatedBy);
  }
}

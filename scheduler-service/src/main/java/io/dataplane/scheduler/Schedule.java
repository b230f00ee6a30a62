package io.dataplane.scheduler;

import io.dataplane.scheduler.schedule.MisfirePolicy;
import io.dataplane.scheduler.schedule.ScheduleSpec;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** A schedule as stored. {@code releaseId} null means "the pipeline's latest release". */
public record Schedule(
    UUID id,
    String environment,
    String name,
    String pipeline,
    String description,
    String cron,
    String rrule,
    String timezone,
    Instant startAt,
    Instant endAt,
    Map<String, Object> params,
    MisfirePolicy misfirePolicy,
    int misfireCap,
    State state,
    String stateReason,
    String releaseId,
    String latestReleaseId,
    Instant firedThrough,
    Instant createdAt,
    String createdBy,
    Instant updatedAt,
    String updatedBy) {

  /** ENABLED fires; PAUSED was paused by someone; STOPPED was stopped because its pipeline went. */
  public enum State {
    ENABLED,
    PAUSED,
    STOPPED
  }

  /** The fire-time rule of this schedule (an RRule without DTSTART anchors at its creation). */
  public ScheduleSpec spec() {
    return ScheduleSpec.of(cron, rrule, timezone, startAt, endAt, createdAt);
  }

  /** The release a fire runs: the pinned one, else the latest seen, else null (orchestrator's). */
  public String releaseForFire() {
    return releaseId != null ? releaseId : latestReleaseId;
  }

  /** The idempotency key of the run of one fire: {@code scheduleId@fireTime}. */
  public static String requestId(UUID scheduleId, Instant fireTime) {
    return scheduleId + "@" + fireTime;
  }

  /** The same schedule in another state, fired through {@code firedThrough}, changed by actor. */
  public Schedule withState(
      State s, String reason, Instant firedThrough, Instant at, String actor) {
    return new Schedule(
        id,
        environment,
        name,
        pipeline,
        description,
        cron,
        rrule,
        timezone,
        startAt,
        endAt,
        params,
        misfirePolicy,
        misfireCap,
        s,
        reason,
        releaseId,
        latestReleaseId,
        firedThrough,
        createdAt,
        createdBy,
        at,
        actor);
  }

  /** The same schedule, fired through {@code t}. */
  public Schedule withFiredThrough(Instant t) {
    return withState(state, stateReason, t, updatedAt, updatedBy);
  }
}

package io.dataplane.scheduler.rest;

import io.dataplane.scheduler.Schedule;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** A schedule as returned by the API. */
public record ScheduleView(
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
    String misfirePolicy,
    int misfireCap,
    String state,
    String stateReason,
    String releaseMode,
    String releaseId,
    String latestReleaseId,
    Instant nextFireAt,
    Instant firedThrough,
    Instant createdAt,
    String createdBy,
    Instant updatedAt,
    String updatedBy) {

  public static ScheduleView of(Schedule s) {
    Instant next = null;
    if (s.state() == Schedule.State.ENABLED) {
      try {
        Instant after = s.firedThrough();
        next = s.spec().nextAfter(after).orElse(null);
      } catch (RuntimeException e) {
        next = null;
      }
    }
    return new ScheduleView(
        s.id(),
        s.environment(),
        s.name(),
        s.pipeline(),
        s.description(),
        s.cron(),
        s.rrule(),
        s.timezone(),
        s.startAt(),
        s.endAt(),
        s.params(),
        s.misfirePolicy().name(),
        s.misfireCap(),
        s.state().name(),
        s.stateReason(),
        s.releaseId() == null ? "LATEST" : "PINNED",
        s.releaseId(),
        s.latestReleaseId(),
        next,
        s.firedThrough(),
        s.createdAt(),
        s.createdBy(),
        s.updatedAt(),
        s.updatedBy());
  }
}

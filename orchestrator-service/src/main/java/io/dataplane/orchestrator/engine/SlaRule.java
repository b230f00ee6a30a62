package io.dataplane.orchestrator.engine;

import io.dataplane.orchestrator.dag.PipelineDefinition.Sla;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/** When a run must have ended to meet its pipeline's SLA, and what that was. */
public final class SlaRule {

  private SlaRule() {}

  /**
   * When a run requested at {@code requestedAt} is due: the earlier of {@code requestedAt +
   * maxDuration} and the first {@code deadlineTime} in {@code timezone} after {@code requestedAt}
   * (on a day when that time does not exist, the time after the daylight-saving gap); null when the
   * pipeline has no SLA.
   */
  public static Instant due(Sla sla, Instant requestedAt) {
    if (sla == null) {
      return null;
    }
    Instant due = null;
    if (sla.maxDuration() != null) {
      due = requestedAt.plus(Duration.parse(sla.maxDuration()));
    }
    if (sla.deadlineTime() != null) {
      ZoneId zone = ZoneId.of(sla.timezone() == null ? "UTC" : sla.timezone());
      LocalTime time = LocalTime.parse(sla.deadlineTime());
      ZonedDateTime requested = requestedAt.atZone(zone);
      ZonedDateTime deadline = ZonedDateTime.of(requested.toLocalDate(), time, zone);
      if (!deadline.toInstant().isAfter(requestedAt)) {
        deadline = ZonedDateTime.of(requested.toLocalDate().plusDays(1), time, zone);
      }
      Instant d = deadline.toInstant();
      due = due == null || d.isBefore(due) ? d : due;
    }
    return due;
  }

  /**
   * What the run had to meet, for people: {@code maxDuration PT30M, deadline 06:00 Europe/Paris}.
   */
  public static String describe(Sla sla) {
    StringBuilder s = new StringBuilder();
    if (sla.maxDuration() != null) {
      s.append("maxDuration ").append(sla.maxDuration());
    }
    if (sla.deadlineTime() != null) {
      if (!s.isEmpty()) {
        s.append(", ");
      }
      s.append("deadline ").append(sla.deadlineTime()).append(' ').append(sla.timezone());
    }
    return s.toString();
  }

  /** Whether a run not marked as having missed its SLA has missed it by {@code now}. */
  public static boolean missed(Instant dueAt, Instant missedAt, Instant now) {
    return dueAt != null && missedAt == null && !now.isBefore(dueAt);
  }
}

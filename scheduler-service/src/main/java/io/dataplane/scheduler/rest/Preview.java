package io.dataplane.scheduler.rest;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.scheduler.schedule.ScheduleSpec;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;

/** The next fire times of a schedule, as instants and as local times in its timezone. */
public record Preview(UUID scheduleId, String timezone, List<FireTime> fireTimes) {

  /** One fire time. */
  public record FireTime(Instant at, OffsetDateTime local) {}

  static Preview of(UUID id, ScheduleSpec spec, Instant after, int count) {
    return new Preview(
        id,
        spec.zone().getId(),
        spec.preview(after, count).stream()
            .map(t -> new FireTime(t, t.atZone(spec.zone()).toOffsetDateTime()))
            .toList());
  }

  static int count(Integer count, int max) {
    int n = count == null ? 10 : count;
    if (n < 1 || n > max) {
      throw DataplaneException.invalid("count", "count must be between 1 and " + max);
    }
    return n;
  }

  static Instant after(String after, Instant dflt) {
    if (after == null || after.isBlank()) {
      return dflt;
    }
    try {
      return Instant.parse(after);
    } catch (DateTimeParseException e) {
      throw DataplaneException.invalid("after", "after must be an ISO-8601 instant");
    }
  }
}

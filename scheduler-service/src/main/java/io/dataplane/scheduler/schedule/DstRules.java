package io.dataplane.scheduler.schedule;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.List;

/**
 * How a local (wall-clock) fire time becomes an instant when daylight saving time gets in the way.
 *
 * <ul>
 *   <li>A local time that does not exist (skipped by a spring-forward gap) fires once, at the first
 *       valid instant after it: the instant of the transition (02:30 on a 02:00→03:00 night fires
 *       at 03:00 local).
 *   <li>A local time that exists twice (repeated by a fall-back overlap) fires once, at its first
 *       occurrence (the earlier offset).
 * </ul>
 *
 * The mapping is monotonic (never decreasing), so several local times mapping to one instant are
 * merged into one fire by {@link ScheduleSpec}.
 */
public final class DstRules {

  private DstRules() {}

  public static Instant toInstant(LocalDateTime local, ZoneId zone) {
    ZoneRules rules = zone.getRules();
    List<ZoneOffset> offsets = rules.getValidOffsets(local);
    if (offsets.size() == 1) {
      return local.toInstant(offsets.get(0));
    }
    if (offsets.isEmpty()) {
      ZoneOffsetTransition gap = rules.getTransition(local);
      return gap.getInstant();
    }
    Instant a = local.toInstant(offsets.get(0));
    Instant b = local.toInstant(offsets.get(1));
    return a.isBefore(b) ? a : b;
  }
}

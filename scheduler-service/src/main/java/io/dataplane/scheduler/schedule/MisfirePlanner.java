package io.dataplane.scheduler.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

/**
 * Decides which due fire times of a schedule to fire now. A due time no older than the misfire
 * threshold is simply late and fires; older ones were missed (the scheduler was down or stalled)
 * and follow the schedule's {@link MisfirePolicy}.
 */
public final class MisfirePlanner {

  /**
   * The plan for one schedule.
   *
   * @param fire the fire times to fire now, increasing
   * @param missed how many due times are dropped by the policy
   * @param firedThrough every fire time up to this instant is settled (fired or dropped)
   */
  public record Plan(List<Instant> fire, long missed, Instant firedThrough) {}

  private MisfirePlanner() {}

  /**
   * @param firedThrough fire times up to and including this instant are already settled
   * @param now the current time; fire times up to and including it are due
   * @param threshold how late a fire may be before it counts as missed
   * @param cap for {@link MisfirePolicy#ALL}: at most this many missed times fire
   */
  public static Plan plan(
      ScheduleSpec spec,
      Instant firedThrough,
      Instant now,
      Duration threshold,
      MisfirePolicy policy,
      int cap) {
    Instant missedBefore = now.minus(threshold);
    int keep =
        switch (policy) {
          case ALL -> Math.max(0, cap);
          case LAST -> 1;
          case NONE -> 0;
        };
    Deque<Instant> missedKept = new ArrayDeque<>();
    List<Instant> onTime = new ArrayList<>();
    long missedTotal = 0;
    Instant settled = firedThrough;
    Iterator<Instant> it = spec.after(firedThrough);
    while (it.hasNext()) {
      Instant t = it.next();
      if (t.isAfter(now)) {
        break;
      }
      settled = t;
      if (t.isBefore(missedBefore)) {
        missedTotal++;
        if (keep > 0) {
          missedKept.addLast(t);
          if (missedKept.size() > keep) {
            missedKept.removeFirst();
          }
        }
      } else {
        onTime.add(t);
      }
    }
    List<Instant> fire = new ArrayList<>(missedKept.size() + onTime.size());
    fire.addAll(missedKept);
    fire.addAll(onTime);
    return new Plan(fire, missedTotal - missedKept.size(), settled);
  }
}

package io.dataplane.scheduler.schedule;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * The fire times of a schedule: a cron expression or an RRule, in an IANA timezone, between an
 * optional start and end (both inclusive). Fire times are strictly increasing instants; the DST
 * rules of {@link DstRules} apply.
 */
public final class ScheduleSpec {

  /** Which kind of rule a schedule uses. */
  public enum Kind {
    CRON,
    RRULE
  }

  private final Kind kind;
  private final LocalSequence sequence;
  private final ZoneId zone;
  private final Instant start;
  private final Instant end;

  private ScheduleSpec(Kind kind, LocalSequence sequence, ZoneId zone, Instant start, Instant end) {
    this.kind = kind;
    this.sequence = sequence;
    this.zone = zone;
    this.start = start;
    this.end = end;
  }

  /**
   * Builds and validates a spec.
   *
   * @param cron the cron text (exactly one of cron and rrule)
   * @param rrule the RRule text
   * @param timezone an IANA zone id such as {@code Europe/Berlin}
   * @param start first instant a fire may have, or null
   * @param end last instant a fire may have, or null
   * @param anchor DTSTART of an RRule without one and without a start (usually the creation time)
   * @throws InvalidScheduleException naming the field at fault
   */
  public static ScheduleSpec of(
      String cron, String rrule, String timezone, Instant start, Instant end, Instant anchor) {
    boolean hasCron = cron != null && !cron.isBlank();
    boolean hasRrule = rrule != null && !rrule.isBlank();
    if (hasCron == hasRrule) {
      throw new InvalidScheduleException(
          hasCron ? "rrule" : "cron", "exactly one of cron and rrule must be given");
    }
    ZoneId zone = zone(timezone);
    if (start != null && end != null && end.isBefore(start)) {
      throw new InvalidScheduleException("endAt", "endAt " + end + " is before startAt " + start);
    }
    if (hasCron) {
      return new ScheduleSpec(Kind.CRON, CronExpression.parse(cron), zone, start, end);
    }
    Instant dtstart = start != null ? start : anchor;
    LocalDateTime local = LocalDateTime.ofInstant(dtstart, zone).withNano(0);
    return new ScheduleSpec(Kind.RRULE, RRule.parse(rrule, local), zone, start, end);
  }

  /** Parses an IANA zone id. */
  public static ZoneId zone(String timezone) {
    if (timezone == null || timezone.isBlank()) {
      throw new InvalidScheduleException(
          "timezone", "timezone is required (an IANA id such as UTC)");
    }
    try {
      ZoneId z = ZoneId.of(timezone.strip());
      return z;
    } catch (DateTimeException e) {
      throw new InvalidScheduleException(
          "timezone", "timezone '" + timezone + "' is not a known IANA timezone");
    }
  }

  public Kind kind() {
    return kind;
  }

  public ZoneId zone() {
    return zone;
  }

  public Instant start() {
    return start;
  }

  public Instant end() {
    return end;
  }

  /** The fire times strictly after {@code after}, increasing (lazily computed, may be infinite). */
  public Iterator<Instant> after(Instant after) {
    Instant lower = after;
    if (start != null && !start.isAfter(lower)) {
      // nothing to adjust
    } else if (start != null) {
      lower = start.minusNanos(1);
    }
    final Instant floor = lower;
    LocalDateTime from = LocalDateTime.ofInstant(floor, zone).withNano(0);
    Iterator<LocalDateTime> locals = sequence.from(from);
    return new Iterator<>() {
      private Instant next = advance(floor);

      private Instant advance(Instant last) {
        while (locals.hasNext()) {
          Instant i = DstRules.toInstant(locals.next(), zone);
          if (end != null && i.isAfter(end)) {
            return null;
          }
          if (i.isAfter(last)) {
            return i;
          }
        }
        return null;
      }

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public Instant next() {
        if (next == null) {
          throw new NoSuchElementException();
        }
        Instant r = next;
        next = advance(r);
        return r;
      }
    };
  }

  /** The first fire time strictly after {@code after}. */
  public Optional<Instant> nextAfter(Instant after) {
    Iterator<Instant> it = after(after);
    return it.hasNext() ? Optional.of(it.next()) : Optional.empty();
  }

  /** The next {@code count} fire times strictly after {@code after}. */
  public List<Instant> preview(Instant after, int count) {
    List<Instant> out = new ArrayList<>(count);
    Iterator<Instant> it = after(after);
    while (out.size() < count && it.hasNext()) {
      out.add(it.next());
    }
    return out;
  }

  /** Fire times in {@code [from, to]}, at most {@code limit}. */
  public List<Instant> between(Instant from, Instant to, int limit) {
    List<Instant> out = new ArrayList<>();
    Iterator<Instant> it = after(from.minusNanos(1));
    while (out.size() < limit && it.hasNext()) {
      Instant i = it.next();
      if (i.isAfter(to)) {
        break;
      }
      out.add(i);
    }
    return out;
  }
}

package io.dataplane.scheduler.schedule;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dmfs.rfc5545.DateTime;
import org.dmfs.rfc5545.recur.InvalidRecurrenceRuleException;
import org.dmfs.rfc5545.recur.RecurrenceRule;
import org.dmfs.rfc5545.recur.RecurrenceRuleIterator;

/**
 * An RFC 5545 recurrence rule (through lib-recur), expanded in local (floating) time from a start
 * date-time, {@code DTSTART}. The text is the rule ({@code FREQ=DAILY;BYHOUR=9;BYMINUTE=0}),
 * optionally prefixed by {@code RRULE:} and preceded by a {@code DTSTART:yyyyMMddTHHmmss} line in
 * the schedule's timezone; without one the schedule's start (or creation time) is the DTSTART.
 */
public final class RRule implements LocalSequence {

  private static final Pattern DTSTART =
      Pattern.compile("(?i)^\\s*DTSTART(?:;[^:]*)?:(\\d{8}T\\d{6})\\s*[\\r\\n;]+");
  private static final DateTimeFormatter BASIC = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss");

  private final String text;
  private final RecurrenceRule rule;
  private final LocalDateTime dtstart;

  private RRule(String text, RecurrenceRule rule, LocalDateTime dtstart) {
    this.text = text;
    this.rule = rule;
    this.dtstart = dtstart;
  }

  /**
   * Parses a rule.
   *
   * @param defaultStart the DTSTART to use when the text has none
   * @throws InvalidScheduleException naming the field {@code rrule}
   */
  public static RRule parse(String text, LocalDateTime defaultStart) {
    if (text == null || text.isBlank()) {
      throw new InvalidScheduleException("rrule", "rrule: the rule is empty");
    }
    String body = text.strip();
    LocalDateTime start = defaultStart;
    Matcher m = DTSTART.matcher(body);
    if (m.find()) {
      try {
        start = LocalDateTime.parse(m.group(1), BASIC);
      } catch (DateTimeParseException e) {
        throw new InvalidScheduleException("rrule", "rrule: DTSTART " + m.group(1) + " is invalid");
      }
      body = body.substring(m.end()).strip();
    }
    if (body.toUpperCase(Locale.ROOT).startsWith("RRULE:")) {
      body = body.substring(6).strip();
    }
    if (body.toUpperCase(Locale.ROOT).contains("UNTIL=")) {
      throw new InvalidScheduleException(
          "rrule", "rrule: UNTIL is not supported here; set the schedule's endAt instead");
    }
    RecurrenceRule rule;
    try {
      rule = new RecurrenceRule(body, RecurrenceRule.RfcMode.RFC5545_STRICT);
    } catch (InvalidRecurrenceRuleException | RuntimeException e) {
      throw new InvalidScheduleException("rrule", "rrule: " + message(e));
    }
    RRule r = new RRule(text.strip(), rule, start.withNano(0));
    try {
      // expand once: some rules only fail when iterated
      r.from(start).hasNext();
    } catch (RuntimeException e) {
      throw new InvalidScheduleException("rrule", "rrule: " + message(e));
    }
    return r;
  }

  private static String message(Exception e) {
    String msg = e.getMessage();
    return msg == null || msg.isBlank() ? "not a valid RFC 5545 recurrence rule" : msg;
  }

  public String text() {
    return text;
  }

  public LocalDateTime dtstart() {
    return dtstart;
  }

  private static DateTime floating(LocalDateTime t) {
    return new DateTime(
        t.getYear(),
        t.getMonthValue() - 1,
        t.getDayOfMonth(),
        t.getHour(),
        t.getMinute(),
        t.getSecond());
  }

  private static LocalDateTime local(DateTime d) {
    if (d.isAllDay()) {
      return LocalDateTime.of(d.getYear(), d.getMonth() + 1, d.getDayOfMonth(), 0, 0);
    }
    return LocalDateTime.of(
        d.getYear(),
        d.getMonth() + 1,
        d.getDayOfMonth(),
        d.getHours(),
        d.getMinutes(),
        d.getSeconds());
  }

  @Override
  public Iterator<LocalDateTime> from(LocalDateTime from) {
    RecurrenceRuleIterator it = rule.iterator(floating(dtstart));
    if (from.isAfter(dtstart)) {
      LocalDateTime f = from.getNano() == 0 ? from : from.withNano(0).plusSeconds(1);
      it.fastForward(floating(f));
    }
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public LocalDateTime next() {
        if (!it.hasNext()) {
          throw new NoSuchElementException();
        }
        return local(it.nextDateTime());
      }
    };
  }

  @Override
  public String toString() {
    return text;
  }
}

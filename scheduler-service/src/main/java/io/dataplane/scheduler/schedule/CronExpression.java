package io.dataplane.scheduler.schedule;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A cron expression: five fields ({@code minute hour day-of-month month day-of-week}) or six with a
 * leading seconds field. Each field takes {@code *}, numbers, ranges {@code a-b}, steps {@code *
 * /n}, {@code a/n}, {@code a-b/n} and lists; months and weekdays also take names ({@code JAN},
 * {@code MON}); weekday 0 and 7 are Sunday; {@code ?} means {@code *} in the day fields. The macros
 * {@code @yearly @annually @monthly @weekly @daily @midnight @hourly} are accepted. As in Vixie
 * cron, when both day fields are restricted a day matches if either matches.
 */
public final class CronExpression implements LocalSequence {

  private static final Map<String, String> MACROS =
      Map.of(
          "@yearly", "0 0 1 1 *",
          "@annually", "0 0 1 1 *",
          "@monthly", "0 0 1 * *",
          "@weekly", "0 0 * * 0",
          "@daily", "0 0 * * *",
          "@midnight", "0 0 * * *",
          "@hourly", "0 * * * *");

  private static final String[] MONTHS = {
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"
  };
  private static final String[] DAYS = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

  /** How far ahead a search goes before deciding the expression never matches (e.g. 30 Feb). */
  private static final int SEARCH_YEARS = 8;

  private final String text;
  private final BitSet seconds;
  private final BitSet minutes;
  private final BitSet hours;
  private final BitSet daysOfMonth;
  private final BitSet months;
  private final BitSet daysOfWeek;
  private final boolean domRestricted;
  private final boolean dowRestricted;
  private final boolean hasSeconds;

  private CronExpression(String text, String[] f) {
    this.text = text;
    this.hasSeconds = f.length == 6;
    int i = 0;
    this.seconds = hasSeconds ? parseField(f[i++], "second", 0, 59, null) : single(0);
    this.minutes = parseField(f[i++], "minute", 0, 59, null);
    this.hours = parseField(f[i++], "hour", 0, 23, null);
    String dom = f[i++];
    this.daysOfMonth = parseField(dom, "day-of-month", 1, 31, null);
    this.months = parseField(f[i++], "month", 1, 12, MONTHS);
    String dow = f[i];
    BitSet d = parseField(dow, "day-of-week", 0, 7, DAYS);
    if (d.get(7)) {
      d.set(0);
      d.clear(7);
    }
    this.daysOfWeek = d;
    this.domRestricted = !(dom.equals("*") || dom.equals("?"));
    this.dowRestricted = !(dow.equals("*") || dow.equals("?"));
  }

  /**
   * Parses a cron expression.
   *
   * @throws InvalidScheduleException naming the field {@code cron} and the cron field at fault
   */
  public static CronExpression parse(String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidScheduleException("cron", "cron: the expression is empty");
    }
    String t = text.strip();
    String expanded = MACROS.getOrDefault(t.toLowerCase(Locale.ROOT), t);
    if (expanded.startsWith("@")) {
      throw new InvalidScheduleException("cron", "cron: unknown macro " + t);
    }
    String[] fields = expanded.split("\\s+");
    if (fields.length != 5 && fields.length != 6) {
      throw new InvalidScheduleException(
          "cron",
          "cron: expected 5 fields (minute hour day-of-month month day-of-week) or 6 with a"
              + " leading seconds field, got "
              + fields.length);
    }
    return new CronExpression(t, fields);
  }

  public String text() {
    return text;
  }

  /** True when the expression has a seconds field. */
  public boolean hasSeconds() {
    return hasSeconds;
  }

  private static BitSet single(int v) {
    BitSet b = new BitSet();
    b.set(v);
    return b;
  }

  private static BitSet parseField(String field, String name, int min, int max, String[] names) {
    BitSet bits = new BitSet(max + 1);
    for (String item : field.split(",", -1)) {
      if (item.isEmpty()) {
        throw invalid(name, field, "empty list item");
      }
      String range = item;
      int step = 1;
      int slash = item.indexOf('/');
      if (slash >= 0) {
        range = item.substring(0, slash);
        step = number(item.substring(slash + 1), name, field, 1, max - min + 1, null, min);
      }
      int lo;
      int hi;
      if (range.equals("*") || (range.equals("?") && name.startsWith("day-of"))) {
        lo = min;
        hi = max;
      } else {
        int dash = range.indexOf('-');
        if (dash > 0) {
          lo = number(range.substring(0, dash), name, field, min, max, names, min);
          hi = number(range.substring(dash + 1), name, field, min, max, names, min);
          if (hi < lo) {
            throw invalid(name, field, "range " + range + " goes backwards");
          }
        } else {
          lo = number(range, name, field, min, max, names, min);
          hi = slash >= 0 ? max : lo;
        }
      }
      for (int v = lo; v <= hi; v += step) {
        bits.set(v);
      }
    }
    return bits;
  }

  private static int number(
      String s, String name, String field, int min, int max, String[] names, int nameBase) {
    if (names != null) {
      String u = s.toUpperCase(Locale.ROOT);
      for (int i = 0; i < names.length; i++) {
        if (names[i].equals(u)) {
          return i + (nameBase == 1 ? 1 : 0);
        }
      }
    }
    int v;
    try {
      v = Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw invalid(name, field, "'" + s + "' is not a number");
    }
    if (v < min || v > max) {
      throw invalid(name, field, "value " + v + " is out of range " + min + "-" + max);
    }
    return v;
  }

  private static InvalidScheduleException invalid(String name, String field, String why) {
    return new InvalidScheduleException("cron", "cron: " + name + " field '" + field + "': " + why);
  }

  private boolean dayMatches(LocalDate d) {
    boolean dom = daysOfMonth.get(d.getDayOfMonth());
    boolean dow =
        daysOfWeek.get(d.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : d.getDayOfWeek().getValue());
    if (domRestricted && dowRestricted) {
      return dom || dow;
    }
    return dom && dow;
  }

  /** The first matching local date-time at or after {@code from} (rounded up to a second). */
  public LocalDateTime nextLocal(LocalDateTime from) {
    LocalDateTime t =
        from.getNano() == 0 ? from : from.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
    int limitYear = t.getYear() + SEARCH_YEARS;
    while (t.getYear() <= limitYear) {
      if (!months.get(t.getMonthValue())) {
        t = t.toLocalDate().withDayOfMonth(1).plusMonths(1).atStartOfDay();
        continue;
      }
      if (!dayMatches(t.toLocalDate())) {
        t = t.toLocalDate().plusDays(1).atStartOfDay();
        continue;
      }
      int h = hours.nextSetBit(t.getHour());
      if (h < 0) {
        t = t.toLocalDate().plusDays(1).atStartOfDay();
        continue;
      }
      if (h != t.getHour()) {
        t = t.toLocalDate().atTime(h, 0);
      }
      int m = minutes.nextSetBit(t.getMinute());
      if (m < 0) {
        t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
        continue;
      }
      if (m != t.getMinute()) {
        t = t.truncatedTo(ChronoUnit.HOURS).withMinute(m);
      }
      int s = seconds.nextSetBit(t.getSecond());
      if (s < 0) {
        t = t.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        continue;
      }
      return t.withSecond(s);
    }
    return null;
  }

  @Override
  public Iterator<LocalDateTime> from(LocalDateTime from) {
    return new Iterator<>() {
      private LocalDateTime next = nextLocal(from);

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public LocalDateTime next() {
        if (next == null) {
          throw new NoSuchElementException();
        }
        LocalDateTime r = next;
        next = nextLocal(r.plusSeconds(1));
        return r;
      }
    };
  }

  @Override
  public String toString() {
    return text;
  }
}

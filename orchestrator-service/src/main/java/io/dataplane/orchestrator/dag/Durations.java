package io.dataplane.orchestrator.dag;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as pipeline authors write them: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h},
 * {@code 1d}, combinations such as {@code 1h30m}, or ISO-8601 ({@code PT30S}, {@code P1D}).
 */
public final class Durations {

  private static final Pattern SHORT = Pattern.compile("(?:(\\d+)(ms|s|m|h|d))+");
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private Durations() {}

  /** The duration, or empty when the text is not a positive duration. */
  public static Optional<Duration> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String t = text.strip();
    if (t.isEmpty() || t.length() > 64) {
      return Optional.empty();
    }
    Duration d;
    if (t.startsWith("P") || t.startsWith("p")) {
      try {
        d = Duration.parse(t);
      } catch (DateTimeParseException e) {
        return Optional.empty();
      }
    } else {
      if (!SHORT.matcher(t).matches()) {
        return Optional.empty();
      }
      d = Duration.ZERO;
      Matcher m = PART.matcher(t);
      try {
        while (m.find()) {
          long n = Long.parseLong(m.group(1));
          d =
              switch (m.group(2)) {
                case "ms" -> d.plusMillis(n);
                case "s" -> d.plusSeconds(n);
                case "m" -> d.plusMinutes(n);
                case "h" -> d.plusHours(n);
                default -> d.plusDays(n);
              };
        }
      } catch (ArithmeticException | NumberFormatException e) {
        return Optional.empty();
      }
    }
    if (d.isNegative() || d.isZero()) {
      return Optional.empty();
    }
    return Optional.of(d);
  }
}

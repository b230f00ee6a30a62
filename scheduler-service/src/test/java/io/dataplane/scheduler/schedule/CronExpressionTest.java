package io.dataplane.scheduler.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CronExpressionTest {

  private static List<Instant> next(String cron, String tz, String after, int n) {
    return ScheduleSpec.of(cron, null, tz, null, null, Instant.EPOCH)
        .preview(Instant.parse(after), n);
  }

  private static List<Instant> instants(String... s) {
    return java.util.Arrays.stream(s).map(Instant::parse).toList();
  }

  @Test
  void stepsRangesAndWeekdayNames() {
    // 2026-11-20 is a Friday
    assertThat(next("*/15 9-10 * * MON-FRI", "UTC", "2026-11-20T10:40:00Z", 6))
        .containsExactlyElementsOf(
            instants(
                "2026-11-20T10:45:00Z",
                "2026-11-23T09:00:00Z",
                "2026-11-23T09:15:00Z",
                "2026-11-23T09:30:00Z",
                "2026-11-23T09:45:00Z",
                "2026-11-23T10:00:00Z"));
  }

  @Test
  void leapDayOnlyInLeapYears() {
    assertThat(next("0 0 29 2 *", "UTC", "2026-01-01T00:00:00Z", 2))
        .containsExactlyElementsOf(instants("2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"));
  }

  @Test
  void restrictedDayOfMonthAndDayOfWeekMatchEither() {
    assertThat(next("0 12 1 * 1", "UTC", "2026-11-22T00:00:00Z", 4))
        .containsExactlyElementsOf(
            instants(
                "2026-11-23T12:00:00Z",
                "2026-11-30T12:00:00Z",
                "2026-12-01T12:00:00Z",
                "2026-12-07T12:00:00Z"));
  }

  @Test
  void optionalSecondsField() {
    assertThat(next("*/20 * * * * *", "UTC", "2026-11-22T10:00:05Z", 3))
        .containsExactlyElementsOf(
            instants("2026-11-22T10:00:20Z", "2026-11-22T10:00:40Z", "2026-11-22T10:01:00Z"));
  }

  @Test
  void macrosInATimezone() {
    assertThat(next("@daily", "Asia/Tokyo", "2026-11-22T00:00:00Z", 2))
        .containsExactlyElementsOf(instants("2026-11-22T15:00:00Z", "2026-11-23T15:00:00Z"));
    assertThat(next("0 9 * jan,JUL sun", "UTC", "2026-11-22T00:00:00Z", 2))
        .containsExactlyElementsOf(instants("2027-01-03T09:00:00Z", "2027-01-10T09:00:00Z"));
    assertThat(next("0 0 * * 7", "UTC", "2026-11-22T00:00:00Z", 1))
        .containsExactly(Instant.parse("2026-11-29T00:00:00Z"));
  }

  @Test
  void startAndEndBoundTheFires() {
    ScheduleSpec spec =
        ScheduleSpec.of(
            "* * * * *",
            null,
            "UTC",
            Instant.parse("2026-11-22T10:00:30Z"),
            Instant.parse("2026-11-22T10:03:00Z"),
            Instant.EPOCH);
    assertThat(spec.preview(Instant.parse("2026-11-22T09:00:00Z"), 10))
        .containsExactlyElementsOf(
            instants("2026-11-22T10:01:00Z", "2026-11-22T10:02:00Z", "2026-11-22T10:03:00Z"));
  }

  @Test
  void neverMatchingExpressionHasNoFires() {
    assertThat(next("0 0 30 2 *", "UTC", "2026-01-01T00:00:00Z", 1)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "61 * * * *|minute field '61': value 61 is out of range 0-59",
        "* * *|expected 5 fields",
        "0 25 * * *|hour field",
        "0 0 * * MON-|day-of-week field",
        "0 0 * FOO *|month field 'FOO'",
        "*/0 * * * *|out of range",
        "5-1 * * * *|goes backwards",
        "@sometimes|unknown macro",
      })
  void invalidExpressionsNameTheCronField(String cron, String message) {
    assertThatThrownBy(() -> CronExpression.parse(cron))
        .isInstanceOfSatisfying(
            InvalidScheduleException.class, e -> assertThat(e.field()).isEqualTo("cron"))
        .hasMessageContaining(message);
  }

  @Test
  void otherInvalidInputsNameTheirField() {
    assertThatThrownBy(() -> ScheduleSpec.of("* * * * *", null, "Mars/Olympus", null, null, null))
        .isInstanceOfSatisfying(
            InvalidScheduleException.class, e -> assertThat(e.field()).isEqualTo("timezone"));
    assertThatThrownBy(
            () ->
                ScheduleSpec.of(
                    "* * * * *",
                    null,
                    "UTC",
                    Instant.parse("2026-11-22T10:00:00Z"),
                    Instant.parse("2026-11-22T09:00:00Z"),
                    null))
        .isInstanceOfSatisfying(
            InvalidScheduleException.class, e -> assertThat(e.field()).isEqualTo("endAt"));
    assertThatThrownBy(() -> ScheduleSpec.of(null, null, "UTC", null, null, null))
        .isInstanceOf(InvalidScheduleException.class)
        .hasMessageContaining("exactly one of cron and rrule");
  }
}
